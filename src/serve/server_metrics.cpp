#include "serve/server_metrics.h"

#include <fmt/core.h>

#include <cmath>

namespace splitpoint {

namespace {

constexpr int kBucketBounds[7] = {1, 2, 4, 8, 16, 32, 64};

// A label value as the text format quotes it: backslash, double quote and
// line feed escaped.
std::string escaped(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string labels(const std::pair<std::string, std::string>& key) {
  return fmt::format("model=\"{}\",version=\"{}\"", escaped(key.first), escaped(key.second));
}

// Microseconds as a whole number (the counters Triton reports are integers).
int64_t whole(double us) { return static_cast<int64_t>(std::llround(us)); }

}  // namespace

void ServerMetrics::record_request(const std::string& model, const std::string& version, bool success,
                                   double request_us, double queue_us, double compute_us) {
  std::lock_guard lock(mutex_);
  Counters& c = models_[{model, version}];
  if (success) {
    ++c.success;
    ++c.inferences;
    c.request_us += request_us;
  } else {
    ++c.failure;
  }
  c.queue_us += queue_us;
  c.compute_us += compute_us;
}

void ServerMetrics::record_execution(const std::string& model, const std::string& version, int batch_size) {
  std::lock_guard lock(mutex_);
  Counters& c = models_[{model, version}];
  ++c.executions;
  c.batch_sum += batch_size;
  for (int i = 0; i < 7; ++i)
    if (batch_size <= kBucketBounds[i]) ++c.batch_buckets[i];
}

std::string ServerMetrics::prometheus_text() const {
  std::lock_guard lock(mutex_);
  std::string out;
  const auto counter = [&](const char* name, const char* help, auto value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help, name);
    for (const auto& [key, c] : models_) out += fmt::format("{}{{{}}} {}\n", name, labels(key), value(c));
  };
  counter("nv_inference_request_success", "Number of successful inference requests, all batch sizes",
          [](const Counters& c) { return c.success; });
  counter("nv_inference_request_failure", "Number of failed inference requests, all batch sizes",
          [](const Counters& c) { return c.failure; });
  counter("nv_inference_count", "Number of inferences performed (a batch of n counts n)",
          [](const Counters& c) { return c.inferences; });
  counter("nv_inference_exec_count", "Number of model executions performed (a batch counts once)",
          [](const Counters& c) { return c.executions; });
  counter("nv_inference_request_duration_us", "Cumulative inference request duration in microseconds",
          [](const Counters& c) { return whole(c.request_us); });
  counter("nv_inference_queue_duration_us", "Cumulative inference queuing duration in microseconds",
          [](const Counters& c) { return whole(c.queue_us); });
  counter("nv_inference_compute_infer_duration_us", "Cumulative compute inference duration in microseconds",
          [](const Counters& c) { return whole(c.compute_us); });
  out += "# HELP splitpoint_batch_size Model executions by batch size (requests run at once)\n"
         "# TYPE splitpoint_batch_size histogram\n";
  for (const auto& [key, c] : models_) {
    const std::string l = labels(key);
    for (int i = 0; i < 7; ++i)
      out += fmt::format("splitpoint_batch_size_bucket{{{},le=\"{}\"}} {}\n", l, kBucketBounds[i], c.batch_buckets[i]);
    out += fmt::format("splitpoint_batch_size_bucket{{{},le=\"+Inf\"}} {}\n", l, c.executions);
    out += fmt::format("splitpoint_batch_size_sum{{{}}} {}\n", l, c.batch_sum);
    out += fmt::format("splitpoint_batch_size_count{{{}}} {}\n", l, c.executions);
  }
  return out;
}

}  // namespace splitpoint
