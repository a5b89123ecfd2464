#include <nlohmann/json.hpp>

#include "plan/plan_report.h"

namespace splitpoint {
namespace {

using nlohmann::json;

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
json optional_int(const std::optional<int>& v) { return v ? json(*v) : json(nullptr); }

json device_json(const DeviceProfile& d) {
  json layers = json::array();
  for (size_t i = 0; i < d.layers.size(); ++i) {
    const LayerCost& c = d.layers[i];
    layers.push_back({{"index", i + 1}, {"time_ms", c.time_ms}, {"energy_j", c.energy_j},
                      {"source", cost_source_name(c.source)}});
  }
  json j = {{"name", d.name}, {"dtype", d.dtype}, {"layers", layers}, {"notes", d.notes}};
  if (!d.warnings.empty()) j["warnings"] = d.warnings;
  if (!d.cut_overhead_ms.empty()) j["cut_overhead_ms"] = d.cut_overhead_ms;
  if (!d.cut_overhead_j.empty()) j["cut_overhead_j"] = d.cut_overhead_j;
  return j;
}

json fits_json(const std::vector<TypeFit>& fits) {
  json list = json::array();
  for (const TypeFit& f : fits) {
    list.push_back({{"type", layer_type_name(f.type)},
                    {"inputs", f.input_names},
                    {"coefficients_ms", f.coefficients},
                    {"samples", f.samples},
                    {"mean_relative_error", f.mean_relative_error},
                    {"leave_one_out_relative_error", optional_number(f.leave_one_out_relative_error)}});
  }
  return list;
}

json link_json(const LinkProfile& l) {
  json j = {{"name", l.name}, {"uplink_mbps", l.uplink_mbps}, {"downlink_mbps", l.downlink_mbps},
            {"rtt_ms", l.rtt_ms}, {"upload_power_w", l.upload_power_w()}, {"download_power_w", l.download_power_w()}};
  j["radio"] = l.radio ? json{{"technology", l.radio->technology},
                              {"uplink_mw_per_mbps", l.radio->uplink_mw_per_mbps},
                              {"downlink_mw_per_mbps", l.radio->downlink_mw_per_mbps},
                              {"base_mw", l.radio->base_mw}}
                       : json(nullptr);
  return j;
}

json cut_json(const CutEstimate& c) {
  json j = {{"cut", c.cut},
            {"sent_bytes", c.sent_bytes},
            {"device_ms", c.device_ms},
            {"upload_ms", c.upload_ms},
            {"rtt_ms", c.rtt_ms},
            {"server_ms", c.server_ms},
            {"download_ms", c.download_ms},
            {"total_ms", c.total_ms},
            {"compute_j", c.compute_j},
            {"radio_j", c.radio_j},
            {"wait_j", c.wait_j},
            {"energy_j", c.energy_j},
            {"throughput_fps", c.throughput_fps},
            {"head_memory_bytes", c.head_memory_bytes},
            {"feasible", c.feasible}};
  if (!c.feasible) j["infeasible_reason"] = c.infeasible_reason;
  return j;
}

}  // namespace

std::string plan_to_json(const PlanReport& r) {
  json layers = json::array();
  for (const PlanLayer& l : r.layers) {
    layers.push_back({{"index", l.index}, {"name", l.name}, {"kind", l.kind}, {"device_source", l.device_source},
                      {"server_source", l.server_source}, {"cut_tensors", l.cut_tensors}});
  }
  json cuts = json::array();
  for (size_t i = 0; i < r.plan.cuts.size(); ++i) {
    json c = cut_json(r.plan.cuts[i]);
    c["score"] = r.plan.scores[i];
    if (i < r.cut_bytes_fp32.size()) c["fp32_bytes"] = r.cut_bytes_fp32[i];
    if (i < r.cut_bytes_uint8.size()) c["uint8_bytes"] = r.cut_bytes_uint8[i];
    cuts.push_back(c);
  }
  json j = {{"schema", kPlanSchema},
            {"schema_version", kPlanSchemaVersion},
            {"model", r.model},
            {"tool", r.tool},
            {"date", r.date},
            {"objective", objective_name(r.plan.objective)},
            {"constraints",
             {{"deadline_ms", optional_number(r.plan.constraints.deadline_ms)},
              {"device_memory_bytes", optional_number(r.plan.constraints.device_memory_bytes)}}},
            {"device", device_json(r.device)},
            {"server", device_json(r.server)},
            {"device_fits", fits_json(r.device_fits)},
            {"server_fits", fits_json(r.server_fits)},
            {"link", link_json(r.link)},
            {"codec", r.codec},
            {"input_sent_as_8bit_pixels", r.image_input},
            {"layers", layers},
            {"cuts", cuts},
            {"best_cut", optional_int(r.plan.best)},
            {"all_local_cut", r.plan.all_local},
            {"all_remote_cut", r.plan.all_remote},
            {"best_baseline_cut", optional_int(r.plan.best_baseline)},
            {"gain", optional_number(r.plan.gain)}};
  if (r.codec_measurement) {
    json per_cut = json::array();
    for (const auto& c : r.codec_measurement->cuts) {
      per_cut.push_back({{"cut", c.cut}, {"raw_bytes", c.raw_bytes}, {"encoded_bytes", c.encoded_bytes},
                         {"ratio", c.ratio}, {"max_abs_error", c.max_abs_error}, {"step", c.step}});
    }
    j["codec_measurement"] = {{"input", r.codec_measurement->input}, {"cuts", per_cut}};
  }
  if (r.jpeg) {
    json e = cut_json(r.jpeg->estimate);
    e["quality"] = r.jpeg->quality;
    j["jpeg_input"] = e;
  }
  if (r.accuracy) {
    const AccuracyBoundedPlan& a = *r.accuracy;
    json candidates = json::array();
    for (const AccuracyCandidate& c : a.candidates) {
      json e = cut_json(c.estimate);
      e["codec"] = c.option.codec;
      e["accuracy_percent"] = c.option.accuracy_percent;
      e["accuracy_drop_pp"] = c.drop_pp;
      e["mean_bytes"] = c.option.bytes;
      e["score"] = c.score;
      e["within_accuracy_bound"] = c.within_bound;
      candidates.push_back(e);
    }
    auto index = [](const std::optional<size_t>& i) { return i ? json(*i) : json(nullptr); };
    j["accuracy"] = {{"source", r.accuracy_source},
                     {"baseline_accuracy_percent", a.baseline_percent},
                     {"max_accuracy_drop_pp", optional_number(a.max_drop_pp)},
                     {"candidates", candidates},
                     {"best", index(a.best)},
                     {"best_without_bound", index(a.best_unbounded)}};
  }
  if (r.sweep) {
    json points = json::array();
    for (const SweepPoint& p : r.sweep->points) {
      points.push_back({{"uplink_mbps", p.uplink_mbps}, {"best_cut", optional_int(p.best)}, {"total_ms", p.total_ms},
                        {"energy_j", p.energy_j}, {"throughput_fps", p.throughput_fps}});
    }
    json ranges = json::array();
    for (const DecisionRange& d : r.sweep->ranges) {
      ranges.push_back({{"from_mbps", d.from_mbps}, {"to_mbps", d.to_mbps}, {"best_cut", optional_int(d.best)}});
    }
    j["bandwidth_sweep"] = {{"objective", objective_name(r.sweep->objective)}, {"points", points}, {"ranges", ranges}};
  }
  if (r.dag) {
    j["dag"] = {{"device_layers", r.dag->device_layers}, {"is_prefix", r.dag->is_prefix},
                {"prefix_cut", r.dag->prefix_cut}, {"cost", r.dag->cost},
                {"best_layer_cut_cost", r.dag->best_layer_cut_cost}};
  }
  if (!r.edgetpu_heads.empty()) {
    json heads = json::array();
    for (const EdgeTpuHead& h : r.edgetpu_heads) {
      heads.push_back({{"cut", h.cut}, {"cached_bytes", h.cached_bytes}, {"streamed_bytes", h.streamed_bytes},
                       {"tpu_layers", h.tpu_layers}, {"first_host_layer", h.first_host_layer},
                       {"usb_input_bytes", h.usb_input_bytes}, {"usb_output_bytes", h.usb_output_bytes}});
    }
    j["edgetpu_heads"] = heads;
    j["edgetpu_cache_usable_bytes"] = r.edgetpu_cache_usable_bytes;
  }
  if (r.tiers && r.edge && r.edge_link) {
    json options = json::array();
    for (const TierEstimate& t : r.tiers->options) {
      options.push_back({{"device_cut", t.device_cut}, {"edge_cut", t.edge_cut}, {"device_ms", t.device_ms},
                         {"link1_ms", t.link1_ms}, {"edge_ms", t.edge_ms}, {"link2_ms", t.link2_ms},
                         {"cloud_ms", t.cloud_ms}, {"return_ms", t.return_ms}, {"total_ms", t.total_ms},
                         {"energy_j", t.energy_j}, {"throughput_fps", t.throughput_fps}, {"feasible", t.feasible}});
    }
    j["multi_tier"] = {{"edge", device_json(*r.edge)},
                       {"edge_link", link_json(*r.edge_link)},
                       {"options", options},
                       {"best", r.tiers->best ? json(*r.tiers->best) : json(nullptr)}};
  }
  return j.dump(2) + "\n";
}

}  // namespace splitpoint
