#include "serve/load_test.h"

#include <fmt/core.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "serve/run_report.h"

namespace splitpoint {

LoadTestResult run_load_test(const std::string& url, const ClientOptions& client_options, const std::string& model,
                             const InferRequest& request, const LoadTestOptions& options) {
  if (options.clients < 1) throw Error(fmt::format("load test: clients must be at least 1, is {}", options.clients));
  if (!(options.seconds > 0)) throw Error(fmt::format("load test: seconds must be positive, is {}", options.seconds));
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.seconds));
  std::atomic<int64_t> issued{0};
  std::mutex mutex;
  std::vector<double> latencies;
  LoadTestResult result;
  result.clients = options.clients;
  std::vector<std::thread> threads;
  for (int c = 0; c < options.clients; ++c) {
    threads.emplace_back([&] {
      std::vector<double> mine;
      int64_t errors = 0;
      std::string first_error;
      try {
        OipClient client(url, client_options);
        while (Clock::now() < end) {
          if (options.max_requests > 0 && issued.fetch_add(1) >= options.max_requests) break;
          const Clock::time_point t = Clock::now();
          try {
            client.infer(model, request, /*binary=*/true);
            mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
          } catch (const std::exception& e) {
            ++errors;
            if (first_error.empty()) first_error = e.what();
          }
        }
      } catch (const std::exception& e) {
        ++errors;
        if (first_error.empty()) first_error = e.what();
      }
      std::lock_guard lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
      result.errors += errors;
      if (result.first_error.empty()) result.first_error = first_error;
    });
  }
  for (auto& t : threads) t.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.requests = static_cast<int64_t>(latencies.size());
  result.requests_per_s = static_cast<double>(result.requests) / result.seconds;
  result.p50_ms = quantile_of(latencies, 0.5);
  result.p90_ms = quantile_of(latencies, 0.9);
  result.p99_ms = quantile_of(latencies, 0.99);
  result.max_ms = quantile_of(latencies, 1.0);
  return result;
}

}  // namespace splitpoint
