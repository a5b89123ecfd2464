#include "profile/profile_json.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <type_traits>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_field.h"
#include "core/file_io.h"

namespace splitpoint {

namespace {

using nlohmann::json;
// Written with the documented field order.
using nlohmann::ordered_json;

const std::vector<std::string> kDTypes = {"f32", "f16", "u8", "i8"};
const std::vector<std::string> kMethods = {"layer", "prefix", "both", "study"};

// ---------------------------------------------------------------- writing

// Measured numbers are written with 9 significant digits (far beyond what a
// measurement resolves), so files read "1.23456789", not "1.2345678900000001".
double rounded(double value) {
  if (!std::isfinite(value)) throw Error(fmt::format("profile: cannot write the non-finite number {}", value));
  const std::string text = fmt::format("{:.9g}", value);
  double result = value;
  std::from_chars(text.data(), text.data() + text.size(), result);
  return result;
}
ordered_json number(double value) { return rounded(value); }
ordered_json number(int64_t value) { return value; }
ordered_json number(int value) { return value; }

template <typename T>
ordered_json optional_value(const std::optional<T>& value) {
  if constexpr (std::is_arithmetic_v<T>)
    return value ? number(*value) : ordered_json(nullptr);
  else
    return value ? ordered_json(*value) : ordered_json(nullptr);
}

ordered_json stats_to_json(const TimeStats& s) {
  return {{"median", number(s.median)}, {"p10", optional_value(s.p10)}, {"p90", optional_value(s.p90)},
          {"min", optional_value(s.min)}, {"spread", optional_value(s.spread)},
          {"samples", optional_value(s.samples)}};
}

ordered_json layer_to_json(const LayerProfile& l) {
  ordered_json j = {{"index", l.index},
                    {"name", l.name},
                    {"kind", l.kind},
                    {"macs", l.macs},
                    {"parameters", l.parameters},
                    {"weight_bytes", l.weight_bytes},
                    {"output_shape", l.output_shape},
                    {"output_bytes", l.output_bytes},
                    {"time_ms", stats_to_json(l.time_ms)}};
  if (l.prefix_time_ms) j["prefix_time_ms"] = stats_to_json(*l.prefix_time_ms);
  if (l.cumulative_ms) j["cumulative_ms"] = number(*l.cumulative_ms);
  if (l.power_w) j["power_w"] = number(*l.power_w);
  if (l.energy_j) {
    j["energy_j"] = {{"gross", number(l.energy_j->gross)}};
    if (l.energy_j->net) j["energy_j"]["net"] = number(*l.energy_j->net);
  }
  return j;
}

// ---------------------------------------------------------------- reading

using Field = JsonField;

TimeStats read_stats(const Field& f) {
  f.expect_object({"median", "p10", "p90", "min", "spread", "samples"});
  TimeStats s;
  s.median = f.at("median").number();
  s.p10 = f.optional_number("p10");
  s.p90 = f.optional_number("p90");
  s.min = f.optional_number("min");
  s.spread = f.optional_nonnegative("spread");
  s.samples = f.optional_integer("samples", 0);
  return s;
}

MachineInfo read_machine(const Field& f) {
  MachineInfo m;
  if (f.is_null()) return m;
  f.expect_object({"cpu", "cores", "os"});
  m.cpu = f.optional_string("cpu");
  if (f.has("cores")) m.cores = f.at("cores").int32(1);
  m.os = f.optional_string("os");
  return m;
}

std::optional<int> optional_int(const Field& f, const char* key, int64_t minimum) {
  if (f.has(key)) return f.at(key).int32(minimum);
  return std::nullopt;
}

Measurement read_measurement(const Field& f) {
  f.expect_object({"backend", "dtype", "threads", "warmup", "repeats", "rounds", "method", "date", "tool"});
  Measurement m;
  m.backend = f.at("backend").nonempty_string();
  m.dtype = f.at("dtype").one_of(kDTypes);
  m.threads = optional_int(f, "threads", 1);
  m.warmup = optional_int(f, "warmup", 0);
  m.repeats = optional_int(f, "repeats", 1);
  m.rounds = optional_int(f, "rounds", 1);
  m.method = f.at("method").one_of(kMethods);
  m.date = f.optional_string("date");
  m.tool = f.optional_string("tool");
  return m;
}

MeterInfo read_meter(const Field& f) {
  f.expect_object({"name", "sample_rate_hz", "idle_power_w"});
  MeterInfo m;
  m.name = f.at("name").nonempty_string();
  m.sample_rate_hz = f.optional_nonnegative("sample_rate_hz");
  m.idle_power_w = f.optional_nonnegative("idle_power_w");
  return m;
}

LayerProfile read_layer(const Field& f, int expected_index) {
  f.expect_object({"index", "name", "kind", "macs", "parameters", "weight_bytes", "output_shape", "output_bytes",
                   "time_ms", "prefix_time_ms", "cumulative_ms", "power_w", "energy_j"});
  LayerProfile l;
  l.index = f.at("index").int32(1);
  if (l.index != expected_index)
    f.at("index").fail(fmt::format("expected {} (layers are numbered 1..L in order), found {}", expected_index,
                                   l.index));
  l.name = f.at("name").nonempty_string();
  l.kind = f.at("kind").nonempty_string();
  l.macs = f.at("macs").integer(0);
  l.parameters = f.at("parameters").integer(0);
  l.weight_bytes = f.at("weight_bytes").integer(0);
  const Field shape = f.at("output_shape");
  const size_t rank = shape.array_size();
  if (rank == 0) shape.fail("expected at least one dimension");
  for (size_t i = 0; i < rank; ++i) l.output_shape.push_back(shape.at(i).integer(1));
  l.output_bytes = f.at("output_bytes").integer(0);
  l.time_ms = read_stats(f.at("time_ms"));
  if (f.has("prefix_time_ms")) l.prefix_time_ms = read_stats(f.at("prefix_time_ms"));
  l.cumulative_ms = f.optional_number("cumulative_ms");
  l.power_w = f.optional_nonnegative("power_w");
  if (f.has("energy_j")) {
    const Field e = f.at("energy_j");
    e.expect_object({"gross", "net"});
    l.energy_j = LayerEnergy{e.at("gross").number(), e.optional_number("net")};
  }
  return l;
}

ContentionReport read_contention(const Field& f) {
  f.expect_object({"contended", "reasons", "other_cpus", "involuntary_switches_per_s", "own_cpu_over_wall",
                   "own_cpu_share", "runqueue_wait_share", "load_average_1m", "stall_ratio"});
  ContentionReport c;
  c.contended = f.at("contended").boolean();
  if (f.has("reasons")) {
    const Field reasons = f.at("reasons");
    const size_t n = reasons.array_size();
    if (n > 16) reasons.fail(fmt::format("at most 16 reasons, found {}", n));
    for (size_t i = 0; i < n; ++i) c.reasons.push_back(reasons.at(i).string());
  }
  c.other_cpus = f.optional_nonnegative("other_cpus");
  c.involuntary_switches_per_s = f.optional_nonnegative("involuntary_switches_per_s");
  c.own_cpu_over_wall = f.optional_nonnegative("own_cpu_over_wall");
  c.own_cpu_share = f.optional_nonnegative("own_cpu_share");
  c.runqueue_wait_share = f.optional_nonnegative("runqueue_wait_share");
  c.load_average_1m = f.optional_nonnegative("load_average_1m");
  c.stall_ratio = f.optional_nonnegative("stall_ratio");
  return c;
}

ModelProfile read_profile(const Field& root) {
  root.expect_object({"schema", "schema_version", "model", "device", "machine", "measurement", "meter", "layers",
                      "whole_model_ms", "sum_of_layers_ms", "sum_over_whole", "provenance", "contention"});
  const std::string schema = root.at("schema").string();
  if (schema != kProfileSchema)
    root.at("schema").fail(fmt::format("expected \"{}\", found \"{}\"", kProfileSchema, schema));
  const int64_t version = root.at("schema_version").integer(1);
  if (version != kProfileSchemaVersion)
    root.at("schema_version")
        .fail(fmt::format("version {} is not supported; this build reads version {}", version, kProfileSchemaVersion));
  ModelProfile p;
  p.model = root.at("model").nonempty_string();
  p.device = root.at("device").nonempty_string();
  p.machine = read_machine(root.at("machine"));
  p.measurement = read_measurement(root.at("measurement"));
  if (root.has("meter")) p.meter = read_meter(root.at("meter"));
  const Field layers = root.at("layers");
  const size_t count = layers.array_size();
  if (count == 0) layers.fail("expected at least one layer");
  for (size_t i = 0; i < count; ++i) p.layers.push_back(read_layer(layers.at(i), static_cast<int>(i) + 1));
  if (root.has("whole_model_ms")) p.whole_model_ms = read_stats(root.at("whole_model_ms"));
  p.sum_of_layers_ms = root.at("sum_of_layers_ms").number();
  p.sum_over_whole = root.optional_number("sum_over_whole");
  p.provenance = root.at("provenance").string();
  if (root.has("contention")) p.contention = read_contention(root.at("contention"));
  return p;
}

}  // namespace

std::string profile_to_json(const ModelProfile& p) {
  ordered_json machine = {{"cpu", optional_value(p.machine.cpu)},
                          {"cores", optional_value(p.machine.cores)},
                          {"os", optional_value(p.machine.os)}};
  const Measurement& m = p.measurement;
  ordered_json measurement = {{"backend", m.backend},
                              {"dtype", m.dtype},
                              {"threads", optional_value(m.threads)},
                              {"warmup", optional_value(m.warmup)},
                              {"repeats", optional_value(m.repeats)},
                              {"rounds", optional_value(m.rounds)},
                              {"method", m.method},
                              {"date", optional_value(m.date)},
                              {"tool", optional_value(m.tool)}};
  ordered_json meter = nullptr;
  if (p.meter)
    meter = {{"name", p.meter->name},
             {"sample_rate_hz", optional_value(p.meter->sample_rate_hz)},
             {"idle_power_w", optional_value(p.meter->idle_power_w)}};
  ordered_json layers = ordered_json::array();
  for (const auto& l : p.layers) layers.push_back(layer_to_json(l));
  ordered_json j;
  j["schema"] = kProfileSchema;
  j["schema_version"] = kProfileSchemaVersion;
  j["model"] = p.model;
  j["device"] = p.device;
  j["machine"] = machine;
  j["measurement"] = measurement;
  j["meter"] = meter;
  j["layers"] = layers;
  j["whole_model_ms"] = p.whole_model_ms ? stats_to_json(*p.whole_model_ms) : ordered_json(nullptr);
  j["sum_of_layers_ms"] = number(p.sum_of_layers_ms);
  j["sum_over_whole"] = optional_value(p.sum_over_whole);
  j["provenance"] = p.provenance;
  if (p.contention) {
    const ContentionReport& c = *p.contention;
    j["contention"] = {{"contended", c.contended},
                       {"reasons", c.reasons},
                       {"other_cpus", optional_value(c.other_cpus)},
                       {"involuntary_switches_per_s", optional_value(c.involuntary_switches_per_s)},
                       {"own_cpu_over_wall", optional_value(c.own_cpu_over_wall)},
                       {"own_cpu_share", optional_value(c.own_cpu_share)},
                       {"runqueue_wait_share", optional_value(c.runqueue_wait_share)},
                       {"load_average_1m", optional_value(c.load_average_1m)},
                       {"stall_ratio", optional_value(c.stall_ratio)}};
  }
  return j.dump(2) + "\n";
}

ModelProfile read_profile_json_text(std::string_view text, const std::string& source) {
  return read_profile_json_document(parse_json_document(text, source), source);
}

ModelProfile read_profile_json_document(const json& document, const std::string& source) {
  return read_profile(Field(document, source, ""));
}

ModelProfile read_profile_json(const std::filesystem::path& path) {
  return read_profile_json_document(read_json_document(path, kMaxProfileJsonBytes, "a profile JSON"), path.string());
}

}  // namespace splitpoint
