#include "serve/link_validation.h"

#include <fmt/core.h>

#include <cmath>

#include "core/error.h"
#include "serve/run_report.h"

namespace splitpoint {

ValidationPoint summarize_point(const LinkProfile& link, int cut, double predicted_ms,
                                const std::vector<RequestRecord>& runs, int64_t result_bytes) {
  ValidationPoint p;
  p.link = link.name;
  p.cut = cut;
  p.predicted_ms = predicted_ms;
  std::vector<double> measured, expected, overheads, head, server, network;
  for (const RequestRecord& r : runs) {
    ++p.runs;
    if (r.fallback) {
      ++p.fallbacks;
      continue;
    }
    measured.push_back(r.total_ms);
    head.push_back(r.head_ms);
    server.push_back(r.server_ms);
    network.push_back(r.network_ms);
    p.tensor_bytes = r.tensor_bytes;
    double e = r.head_ms;
    if (r.remote) {
      e += r.encode_ms + r.decode_ms + r.server_ms + link.upload_ms(r.tensor_bytes) + link.rtt_ms +
           link.download_ms(result_bytes);
    }
    expected.push_back(e);
    overheads.push_back((r.total_ms - e) / r.total_ms);
  }
  p.measured_ms = median_of(measured);
  p.expected_ms = median_of(expected);
  p.head_ms = median_of(head);
  p.server_ms = median_of(server);
  p.network_ms = median_of(network);
  if (p.measured_ms > 0) p.prediction_error = (p.measured_ms - p.predicted_ms) / p.measured_ms;
  p.overhead = median_of(overheads);
  return p;
}

LinkValidationSummary summarize_link(const std::vector<ValidationPoint>& points, const std::string& link,
                                     int layer_count) {
  std::vector<double> errors, overheads;
  for (const ValidationPoint& p : points) {
    if (p.link != link || p.measured_ms <= 0) continue;
    errors.push_back(std::abs(p.prediction_error));
    if (p.cut < layer_count) overheads.push_back(p.overhead);
  }
  return {median_of(errors), median_of(overheads)};
}

std::vector<ValidationPoint> validate_cuts(SplitRunner& runner, const ChainInputs& plan_inputs,
                                           const std::vector<Tensor>& input, const ValidationOptions& options,
                                           const std::function<OipClient*(const LinkProfile&)>& client_for,
                                           const std::function<void(const ValidationPoint&)>& progress) {
  if (options.repeats < 1) throw Error(fmt::format("repeats must be at least 1, is {}", options.repeats));
  if (options.warmup < 0) throw Error(fmt::format("warm-up runs must be 0 or more, is {}", options.warmup));
  check_chain_inputs(plan_inputs);
  std::vector<ValidationPoint> points;
  for (const LinkProfile& link : options.links) {
    runner.set_client(client_for(link));
    ChainInputs inputs = plan_inputs;
    inputs.link = link;
    for (int cut : options.cuts) {
      if (cut < 0 || cut > runner.layer_count())
        throw Error(fmt::format("cut {} is not one of 0..{}", cut, runner.layer_count()));
      RequestRecord r;
      for (int i = 0; i < options.warmup; ++i) runner.run(input, cut, r);
      std::vector<RequestRecord> runs;
      for (int i = 0; i < options.repeats; ++i) {
        runner.run(input, cut, r);
        runs.push_back(r);
      }
      const ValidationPoint p =
          summarize_point(link, cut, estimate_cut(inputs, cut).total_ms, runs, plan_inputs.result_bytes);
      if (progress) progress(p);
      points.push_back(p);
    }
  }
  runner.set_client(nullptr);
  return points;
}

}  // namespace splitpoint
