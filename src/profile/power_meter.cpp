#include "profile/power_meter.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "profile/constant_power_model.h"
#include "profile/hwmon_meter.h"
#include "profile/power_trace_meter.h"
#include "profile/powercap_meter.h"
#include "profile/um25c_meter.h"

namespace splitpoint {

namespace {

constexpr const char* kSpecForms =
    "model:IDLE_W,ACTIVE_W, rapl[:ZONE], hwmon[:NAME][,channel=C], um25c:DEVICE or trace:FILE[,offset=S]";

// KIND[:ARG,...,KEY=VALUE,...]: positional arguments, then options.
struct MeterSpec {
  std::string text;
  std::string kind;
  std::vector<std::string> arguments;
  std::map<std::string, std::string> options;

  [[noreturn]] void fail(const std::string& what) const {
    throw Error("meter spec '" + text + "': " + what);
  }

  void expect_options(const std::set<std::string>& allowed) const {
    for (const auto& [key, value] : options) {
      if (allowed.count(key)) continue;
      std::string names;
      for (const std::string& name : allowed) names += (names.empty() ? "" : ", ") + name;
      fail("unknown option '" + key + "' for " + kind +
           (names.empty() ? " (it takes none)" : " (options: " + names + ")"));
    }
  }

  void expect_arguments(size_t at_least, size_t at_most, const std::string& form) const {
    if (arguments.size() < at_least || arguments.size() > at_most)
      fail(fmt::format("{} argument(s), expected {}", arguments.size(), form));
  }

  double number(const std::string& text_value, const std::string& what) const {
    double value = 0;
    const char* begin = text_value.data();
    const char* end = begin + text_value.size();
    const auto [stop, error] = std::from_chars(begin, end, value);
    if (text_value.empty() || error != std::errc() || stop != end || !std::isfinite(value))
      fail("'" + text_value + "' is not a number (" + what + ")");
    return value;
  }

  std::optional<double> option_number(const std::string& key, const std::string& what) const {
    const auto found = options.find(key);
    if (found == options.end()) return std::nullopt;
    return number(found->second, key + ": " + what);
  }

  // interval_ms=N as seconds; `default_s` without it.
  double interval_s(double default_s) const {
    const std::optional<double> ms = option_number("interval_ms", "the sampling interval in ms");
    if (ms && *ms < 0) fail("interval_ms must not be negative");
    return ms ? *ms / 1000 : default_s;
  }
};

MeterSpec parse_spec(const std::string& text) {
  MeterSpec spec;
  spec.text = text;
  const size_t colon = text.find(':');
  spec.kind = text.substr(0, colon);
  if (spec.kind.empty()) spec.fail(std::string("no meter kind (expected ") + kSpecForms + ")");
  if (colon == std::string::npos) return spec;
  const std::string rest = text.substr(colon + 1);
  size_t begin = 0;
  for (;;) {
    const size_t comma = rest.find(',', begin);
    const std::string item = rest.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
    const size_t equals = item.find('=');
    if (equals != std::string::npos) {
      const std::string key = item.substr(0, equals);
      if (key.empty()) spec.fail("option '" + item + "' has no name");
      if (spec.options.count(key)) spec.fail("option '" + key + "' given twice");
      spec.options[key] = item.substr(equals + 1);
    } else if (!item.empty() || comma != std::string::npos) {
      if (!spec.options.empty()) spec.fail("argument '" + item + "' after the options");
      spec.arguments.push_back(item);
    }
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  return spec;
}

std::unique_ptr<PowerMeter> make_constant_power_model(const MeterSpec& spec) {
  spec.expect_options({});
  const std::string form = "model:IDLE_W,ACTIVE_W, e.g. model:2.7,5.1";
  for (const std::string& argument : spec.arguments) spec.number(argument, "expected " + form);
  spec.expect_arguments(2, 2, form);
  const double idle_w = spec.number(spec.arguments[0], "IDLE_W");
  const double active_w = spec.number(spec.arguments[1], "ACTIVE_W");
  if (idle_w < 0 || active_w < 0) spec.fail("powers must not be negative");
  return std::make_unique<ConstantPowerModel>(idle_w, active_w);
}

std::unique_ptr<PowerMeter> make_powercap_meter(const MeterSpec& spec, const std::filesystem::path& sysfs_root) {
  spec.expect_options({"interval_ms"});
  spec.expect_arguments(0, 1, "rapl or rapl:ZONE");
  const std::string zone = spec.arguments.empty() ? "" : spec.arguments[0];
  return std::make_unique<PowercapMeter>(sysfs_root, zone, spec.interval_s(0.010));
}

std::unique_ptr<PowerMeter> make_hwmon_meter(const MeterSpec& spec, const std::filesystem::path& sysfs_root) {
  spec.expect_options({"channel", "interval_ms"});
  spec.expect_arguments(0, 1, "hwmon or hwmon:NAME");
  const std::string device = spec.arguments.empty() ? "" : spec.arguments[0];
  const auto channel = spec.options.find("channel");
  return std::make_unique<HwmonMeter>(sysfs_root, device, channel == spec.options.end() ? "" : channel->second,
                                      spec.interval_s(0.010));
}

std::unique_ptr<PowerMeter> make_um25c_meter(const MeterSpec& spec) {
  spec.expect_options({"interval_ms", "timeout_ms"});
  if (spec.arguments.empty() || spec.arguments[0].empty())
    spec.fail("no device: expected um25c:DEVICE, e.g. um25c:/dev/rfcomm0 or um25c:/dev/ttyUSB0");
  spec.expect_arguments(1, 1, "um25c:DEVICE");
  const std::optional<double> timeout_ms = spec.option_number("timeout_ms", "the answer timeout in ms");
  if (timeout_ms && *timeout_ms <= 0) spec.fail("timeout_ms must be positive");
  return std::make_unique<Um25cMeter>(spec.arguments[0], spec.interval_s(0), timeout_ms ? *timeout_ms / 1000 : 1.0);
}

std::unique_ptr<PowerMeter> make_power_trace_meter(const MeterSpec& spec) {
  spec.expect_options({"offset", "idle_w"});
  if (spec.arguments.empty() || spec.arguments[0].empty())
    spec.fail("no file: expected trace:FILE[,offset=S], e.g. trace:power.csv");
  spec.expect_arguments(1, 1, "trace:FILE");
  const std::optional<double> offset_s = spec.option_number("offset", "the trace time of the run's start in s");
  const std::optional<double> idle_w = spec.option_number("idle_w", "the idle power in W");
  if (idle_w && *idle_w < 0) spec.fail("idle_w must not be negative");
  return std::make_unique<PowerTraceMeter>(spec.arguments[0], offset_s.value_or(0), idle_w);
}

}  // namespace

std::unique_ptr<PowerMeter> make_power_meter(const std::string& spec_text, const std::filesystem::path& sysfs_root) {
  const MeterSpec spec = parse_spec(spec_text);
  if (spec.kind == "model") return make_constant_power_model(spec);
  if (spec.kind == "rapl") return make_powercap_meter(spec, sysfs_root);
  if (spec.kind == "hwmon") return make_hwmon_meter(spec, sysfs_root);
  if (spec.kind == "um25c") return make_um25c_meter(spec);
  if (spec.kind == "trace") return make_power_trace_meter(spec);
  spec.fail("unknown meter kind '" + spec.kind + "' (expected " + kSpecForms + ")");
}

}  // namespace splitpoint
