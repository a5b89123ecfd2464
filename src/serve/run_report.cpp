#include "serve/run_report.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace splitpoint {

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double quantile_of(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

RunSummary summarize(const RunReport& report) {
  RunSummary s;
  std::vector<double> total, predicted, error, energy;
  for (const RunEntry& e : report.entries) {
    const RequestRecord& q = e.record.request;
    ++s.requests;
    if (q.remote) ++s.remote;
    else if (q.fallback) {
      ++s.fallbacks;
      s.fallback_inputs.push_back(e.input);
    } else {
      ++s.local;
    }
    total.push_back(q.total_ms);
    energy.push_back(e.record.energy_j);
    if (e.label) {
      ++s.labelled;
      if (e.top1 == e.label) ++s.correct;
    }
    if (!q.fallback) {
      predicted.push_back(e.record.predicted.total_ms);
      if (q.total_ms > 0) error.push_back(std::abs(q.total_ms - e.record.predicted.total_ms) / q.total_ms);
    }
  }
  s.median_total_ms = median_of(total);
  s.p90_total_ms = quantile_of(total, 0.9);
  s.median_predicted_ms = median_of(predicted);
  s.median_abs_error = median_of(error);
  s.median_energy_j = median_of(energy);
  return s;
}

namespace {

nlohmann::json link_json(const LinkProfile& l) {
  return {{"name", l.name}, {"uplink_mbps", l.uplink_mbps}, {"downlink_mbps", l.downlink_mbps}, {"rtt_ms", l.rtt_ms},
          {"radio", l.radio ? nlohmann::json(l.radio->technology) : nlohmann::json(nullptr)}};
}

}  // namespace

std::string run_report_json(const RunReport& r) {
  nlohmann::json j;
  j["schema"] = "splitpoint-run";
  j["schema_version"] = 1;
  j["tool"] = r.tool;
  j["date"] = r.date;
  j["model"] = r.model;
  j["server"] = {{"url", r.server}, {"model", r.server_model}};
  j["codec"] = r.codec;
  j["split"] = r.split;
  j["objective"] = r.objective;
  j["device_profile"] = r.device_profile;
  j["server_profile"] = r.server_profile;
  j["prior_link"] = link_json(r.prior_link);
  j["emulated_link"] = r.emulated_link ? link_json(*r.emulated_link) : nlohmann::json(nullptr);
  j["layers"] = r.layers;
  j["layer_names"] = r.layer_names;
  nlohmann::json requests = nlohmann::json::array();
  for (const RunEntry& e : r.entries) {
    const RequestRecord& q = e.record.request;
    const LiveRecord& l = e.record;
    requests.push_back({
        {"index", e.index},
        {"input", e.input},
        {"cut", q.cut},
        {"where", q.remote ? "server" : q.fallback ? "fallback" : "local"},
        {"explored", l.explored},
        {"fallback_reason", q.fallback ? nlohmann::json(q.fallback_reason) : nlohmann::json(nullptr)},
        {"server", q.server.empty() ? nlohmann::json(nullptr) : nlohmann::json(q.server)},
        {"failovers", q.failovers},
        {"server_nonfinite", q.server_nonfinite},
        {"refused_status", q.refused_status == 0 ? nlohmann::json(nullptr) : nlohmann::json(q.refused_status)},
        {"dropped_cut", l.dropped_cut},
        {"ms",
         {{"head", q.head_ms}, {"encode", q.encode_ms}, {"upload", l.upload_ms}, {"rtt", l.rtt_ms},
          {"server", q.server_ms}, {"server_wait", q.server_wait_ms}, {"download", l.download_ms}, {"network", q.network_ms}, {"decode", q.decode_ms},
          {"local_tail", q.local_tail_ms}, {"total", q.total_ms}}},
        {"bytes", {{"tensor", q.tensor_bytes}, {"request", q.request_bytes}, {"response", q.response_bytes}}},
        {"energy_j", {{"compute", l.compute_j}, {"radio", l.radio_j}, {"total", l.energy_j}}},
        {"predicted",
         {{"total_ms", l.predicted.total_ms}, {"device_ms", l.predicted.device_ms}, {"upload_ms", l.predicted.upload_ms},
          {"rtt_ms", l.predicted.rtt_ms}, {"server_ms", l.predicted.server_ms},
          {"download_ms", l.predicted.download_ms}, {"energy_j", l.predicted.energy_j}}},
        {"link_estimate", link_json(l.link_estimate)},
        {"server_scale", l.server_scale},
        {"top1", e.top1 ? nlohmann::json(*e.top1) : nlohmann::json(nullptr)},
        {"label", e.label ? nlohmann::json(*e.label) : nlohmann::json(nullptr)},
    });
  }
  j["requests"] = requests;
  const RunSummary s = summarize(r);
  j["summary"] = {{"requests", s.requests},
                  {"remote", s.remote},
                  {"local", s.local},
                  {"fallbacks", s.fallbacks},
                  {"fallback_inputs", s.fallback_inputs},
                  {"median_total_ms", s.median_total_ms},
                  {"p90_total_ms", s.p90_total_ms},
                  {"median_predicted_ms", s.median_predicted_ms},
                  {"median_abs_error", s.median_abs_error},
                  {"median_energy_j", s.median_energy_j}};
  if (s.labelled > 0)
    j["summary"]["accuracy"] = {{"labelled", s.labelled},
                                {"correct", s.correct},
                                {"accuracy_percent", 100.0 * s.correct / s.labelled}};
  return j.dump(2) + "\n";
}

}  // namespace splitpoint
