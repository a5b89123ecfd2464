#include "plan/plan_json_reader.h"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file_io.h"
#include "core/json_field.h"

namespace splitpoint {
namespace {

int as_int(const JsonField& f, int64_t minimum) { return f.int32(minimum); }

std::optional<int> optional_cut(const JsonField& f, const char* key) {
  if (!f.has(key)) {
    f.at(key);  // missing (not null) is an error
    return std::nullopt;
  }
  return as_int(f.at(key), 0);
}

Objective read_objective(const JsonField& f) {
  try {
    return parse_objective(f.string());
  } catch (const Error& e) {
    f.fail(e.what());
  }
}

CostSource read_source(const JsonField& f) {
  const std::string s = f.one_of({"measured", "fitted", "fallback", "model"});
  if (s == "measured") return CostSource::measured;
  if (s == "fitted") return CostSource::fitted;
  if (s == "fallback") return CostSource::fallback;
  return CostSource::model;
}

std::vector<double> number_list(const JsonField& f) {
  std::vector<double> v;
  for (size_t i = 0; i < f.array_size(); ++i) v.push_back(f.at(i).number());
  return v;
}

DeviceProfile read_device(const JsonField& f) {
  f.require_object();
  DeviceProfile d;
  d.name = f.at("name").string();
  d.dtype = f.at("dtype").string();
  const JsonField layers = f.at("layers");
  for (size_t i = 0; i < layers.array_size(); ++i) {
    const JsonField l = layers.at(i);
    l.require_object();
    if (l.at("index").integer(1) != static_cast<int64_t>(i) + 1) l.at("index").fail(fmt::format("expected {}", i + 1));
    d.layers.push_back({l.at("time_ms").number(), l.at("energy_j").number(), read_source(l.at("source"))});
  }
  if (f.has("warnings")) {
    const JsonField warnings = f.at("warnings");
    for (size_t i = 0; i < warnings.array_size(); ++i) d.warnings.push_back(warnings.at(i).string());
  }
  if (f.has("cut_overhead_ms")) d.cut_overhead_ms = number_list(f.at("cut_overhead_ms"));
  if (f.has("cut_overhead_j")) d.cut_overhead_j = number_list(f.at("cut_overhead_j"));
  return d;
}

LinkProfile read_link(const JsonField& f) {
  f.require_object();
  LinkProfile l;
  l.name = f.at("name").string();
  l.uplink_mbps = f.at("uplink_mbps").nonnegative_number();
  l.downlink_mbps = f.at("downlink_mbps").nonnegative_number();
  l.rtt_ms = f.at("rtt_ms").nonnegative_number();
  if (f.has("radio")) {
    const JsonField r = f.at("radio");
    r.require_object();
    l.radio = RadioPowerModel{r.at("technology").string(), r.at("uplink_mw_per_mbps").number(),
                              r.at("downlink_mw_per_mbps").number(), r.at("base_mw").number()};
  }
  return l;
}

CutEstimate read_cut(const JsonField& f) {
  f.require_object();
  CutEstimate c;
  c.cut = as_int(f.at("cut"), 0);
  c.sent_bytes = f.at("sent_bytes").integer(0);
  c.device_ms = f.at("device_ms").number();
  c.upload_ms = f.at("upload_ms").number();
  c.rtt_ms = f.at("rtt_ms").number();
  c.server_ms = f.at("server_ms").number();
  c.download_ms = f.at("download_ms").number();
  c.total_ms = f.at("total_ms").number();
  c.compute_j = f.at("compute_j").number();
  c.radio_j = f.at("radio_j").number();
  c.wait_j = f.at("wait_j").number();
  c.energy_j = f.at("energy_j").number();
  c.throughput_fps = f.at("throughput_fps").number();
  c.head_memory_bytes = f.at("head_memory_bytes").number();
  c.feasible = f.at("feasible").boolean();
  if (!c.feasible && f.has("infeasible_reason")) c.infeasible_reason = f.at("infeasible_reason").string();
  return c;
}

}  // namespace

PlanReport read_plan_json_text(std::string_view text, const std::string& source) {
  return read_plan_json_document(parse_json_document(text, source), source);
}

PlanReport read_plan_json_document(const nlohmann::json& document, const std::string& source) {
  const JsonField top(document, source, "");
  top.require_schema(kPlanSchema, kPlanSchemaVersion);
  PlanReport r;
  r.model = top.at("model").string();
  r.tool = top.at("tool").string();
  r.date = top.at("date").string();
  r.plan.objective = read_objective(top.at("objective"));
  if (top.has("constraints")) {
    const JsonField c = top.at("constraints");
    r.plan.constraints.deadline_ms = c.optional_number("deadline_ms");
    r.plan.constraints.device_memory_bytes = c.optional_number("device_memory_bytes");
  }
  r.device = read_device(top.at("device"));
  r.server = read_device(top.at("server"));
  r.link = read_link(top.at("link"));
  r.codec = top.at("codec").string();
  r.image_input = top.at("input_sent_as_8bit_pixels").boolean();

  const JsonField layers = top.at("layers");
  for (size_t i = 0; i < layers.array_size(); ++i) {
    const JsonField l = layers.at(i);
    l.require_object();
    PlanLayer p;
    p.index = as_int(l.at("index"), 1);
    if (p.index != static_cast<int>(i) + 1) l.at("index").fail(fmt::format("expected {}", i + 1));
    p.name = l.at("name").string();
    p.kind = l.at("kind").string();
    p.device_source = l.at("device_source").string();
    p.server_source = l.at("server_source").string();
    p.cut_tensors = as_int(l.at("cut_tensors"), 0);
    r.layers.push_back(p);
  }
  const size_t layer_count = r.layers.size();
  if (r.device.layers.size() != layer_count)
    top.at("device").at("layers").fail(fmt::format("{} layers, but the plan has {}", r.device.layers.size(), layer_count));

  const JsonField cuts = top.at("cuts");
  if (cuts.array_size() != layer_count + 1)
    cuts.fail(fmt::format("expected {} cuts (0..{}), found {}", layer_count + 1, layer_count, cuts.array_size()));
  bool any_fp32 = false, any_uint8 = false;
  for (size_t i = 0; i < cuts.array_size(); ++i) {
    const JsonField c = cuts.at(i);
    CutEstimate e = read_cut(c);
    if (e.cut != static_cast<int>(i)) c.at("cut").fail(fmt::format("expected {}", i));
    r.plan.cuts.push_back(e);
    r.plan.scores.push_back(c.at("score").number());
    if (c.has("fp32_bytes")) any_fp32 = true;
    if (c.has("uint8_bytes")) any_uint8 = true;
  }
  // fp32_bytes / uint8_bytes: all cuts or none.
  for (size_t i = 0; i < cuts.array_size(); ++i) {
    if (any_fp32) r.cut_bytes_fp32.push_back(cuts.at(i).at("fp32_bytes").integer(0));
    if (any_uint8) r.cut_bytes_uint8.push_back(cuts.at(i).at("uint8_bytes").integer(0));
  }
  r.plan.best = optional_cut(top, "best_cut");
  r.plan.all_local = as_int(top.at("all_local_cut"), 0);
  r.plan.all_remote = as_int(top.at("all_remote_cut"), 0);
  r.plan.best_baseline = optional_cut(top, "best_baseline_cut");
  r.plan.gain = top.optional_number("gain");
  for (const char* key : {"best_cut", "all_local_cut", "all_remote_cut", "best_baseline_cut"}) {
    if (top.has(key) && top.at(key).integer(0) > static_cast<int64_t>(layer_count))
      top.at(key).fail(fmt::format("cut {} out of range 0..{}", top.at(key).integer(0), layer_count));
  }

  if (top.has("jpeg_input")) {
    const JsonField f = top.at("jpeg_input");
    r.jpeg = JpegBaseline{as_int(f.at("quality"), 1), read_cut(f)};
  }
  if (top.has("bandwidth_sweep")) {
    const JsonField f = top.at("bandwidth_sweep");
    f.require_object();
    BandwidthSweep s{read_objective(f.at("objective")), {}, {}};
    const JsonField points = f.at("points");
    for (size_t i = 0; i < points.array_size(); ++i) {
      const JsonField p = points.at(i);
      p.require_object();
      SweepPoint sp;
      sp.uplink_mbps = p.at("uplink_mbps").nonnegative_number();
      sp.best = optional_cut(p, "best_cut");
      sp.total_ms = p.at("total_ms").number();
      sp.energy_j = p.at("energy_j").number();
      sp.throughput_fps = p.at("throughput_fps").number();
      s.points.push_back(sp);
    }
    const JsonField ranges = f.at("ranges");
    for (size_t i = 0; i < ranges.array_size(); ++i) {
      const JsonField d = ranges.at(i);
      d.require_object();
      s.ranges.push_back({d.at("from_mbps").number(), d.at("to_mbps").number(), optional_cut(d, "best_cut")});
    }
    r.sweep = s;
  }
  if (top.has("edgetpu_heads")) {
    const JsonField heads = top.at("edgetpu_heads");
    for (size_t i = 0; i < heads.array_size(); ++i) {
      const JsonField h = heads.at(i);
      h.require_object();
      EdgeTpuHead e;
      e.cut = as_int(h.at("cut"), 0);
      if (e.cut > static_cast<int>(layer_count))
        h.at("cut").fail(fmt::format("cut {} out of range 0..{}", e.cut, layer_count));
      e.cached_bytes = h.at("cached_bytes").integer(0);
      e.streamed_bytes = h.at("streamed_bytes").integer(0);
      e.tpu_layers = as_int(h.at("tpu_layers"), 0);
      e.first_host_layer = as_int(h.at("first_host_layer"), 0);
      e.usb_input_bytes = h.at("usb_input_bytes").integer(0);
      e.usb_output_bytes = h.at("usb_output_bytes").integer(0);
      r.edgetpu_heads.push_back(e);
    }
    if (top.has("edgetpu_cache_usable_bytes"))
      r.edgetpu_cache_usable_bytes = top.at("edgetpu_cache_usable_bytes").integer(0);
  }
  return r;
}

PlanReport read_plan_json(const std::filesystem::path& path) {
  return read_plan_json_document(read_json_document(path, kMaxPlanJsonBytes, "a plan JSON"), path.string());
}

}  // namespace splitpoint
