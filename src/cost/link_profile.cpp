#include "cost/link_profile.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "core/error.h"

namespace splitpoint {

// Radio power while transferring, from Huang et al., "A Close Examination of
// Performance and Power Characteristics of 4G LTE Networks", MobiSys 2012
// (the model Neurosurgeon, ASPLOS 2017, uses): P = alpha * Mbps + beta, mW.
// The uplink alphas and the betas are those listed in docs/architecture.md; the
// downlink alphas are the same paper's (they matter little here: a CNN's
// result is a few bytes).
RadioPowerModel radio_power_model(const std::string& technology) {
  if (technology == "wifi") return {"wifi", 283.17, 137.01, 132.86};
  if (technology == "lte") return {"lte", 438.39, 51.97, 1288.04};
  if (technology == "3g") return {"3g", 868.98, 122.12, 817.88};
  throw Error(fmt::format("unknown radio technology '{}' (known: wifi, lte, 3g)", technology));
}

namespace {

// Typical uplinks from docs/architecture.md (Neurosurgeon's measured averages:
// 3G 1.1, LTE 5.85, Wi-Fi 18.88 Mbps). Downlinks: LTE 13 Mbps is the median
// Huang et al. measured; Wi-Fi and 3G downlinks and all RTTs are assumptions
// of this project (typical values, documented in docs/plan.md): override them
// with up=, down=, rtt= when you know your link.
struct Preset {
  const char* name;
  double up, down, rtt;
  const char* radio;  // nullptr: wired
};
constexpr Preset kPresets[] = {
    {"3g", 1.1, 2.0, 150.0, "3g"},
    {"lte", 5.85, 13.0, 60.0, "lte"},
    {"wifi", 18.88, 50.0, 10.0, "wifi"},
    {"ethernet", 1000.0, 1000.0, 0.5, nullptr},
};

LinkProfile from_preset(const Preset& p) {
  LinkProfile link;
  link.name = p.name;
  link.uplink_mbps = p.up;
  link.downlink_mbps = p.down;
  link.rtt_ms = p.rtt;
  if (p.radio) link.radio = radio_power_model(p.radio);
  return link;
}

const Preset* find_preset(const std::string& name) {
  for (const Preset& p : kPresets) {
    if (name == p.name) return &p;
  }
  return nullptr;
}

double parse_number(const std::string& text, const std::string& spec, const char* what, bool allow_zero) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value) || value < 0 ||
      (!allow_zero && value == 0)) {
    throw Error(fmt::format("link '{}': {} '{}' is not a {} number", spec, what, text,
                            allow_zero ? "non-negative" : "positive"));
  }
  return value;
}

std::string known_links() {
  std::string names;
  for (const Preset& p : kPresets) names += std::string(names.empty() ? "" : ", ") + p.name;
  return names;
}

}  // namespace

double LinkProfile::upload_ms(int64_t bytes) const {
  return static_cast<double>(bytes) * 8.0 / (uplink_mbps * 1e6) * 1e3;
}

double LinkProfile::download_ms(int64_t bytes) const {
  return static_cast<double>(bytes) * 8.0 / (downlink_mbps * 1e6) * 1e3;
}

double LinkProfile::upload_power_w() const {
  return radio ? (radio->uplink_mw_per_mbps * uplink_mbps + radio->base_mw) / 1e3 : 0.0;
}

double LinkProfile::download_power_w() const {
  return radio ? (radio->downlink_mw_per_mbps * downlink_mbps + radio->base_mw) / 1e3 : 0.0;
}

double LinkProfile::upload_energy_j(int64_t bytes) const { return upload_power_w() * upload_ms(bytes) / 1e3; }

double LinkProfile::download_energy_j(int64_t bytes) const {
  return download_power_w() * download_ms(bytes) / 1e3;
}

LinkProfile LinkProfile::with_uplink(double mbps) const {
  LinkProfile link = *this;
  link.downlink_mbps = downlink_mbps * (mbps / uplink_mbps);
  link.uplink_mbps = mbps;
  return link;
}

std::vector<std::string> link_preset_names() {
  std::vector<std::string> names;
  for (const Preset& p : kPresets) names.emplace_back(p.name);
  return names;
}

LinkProfile parse_link(const std::string& spec) {
  if (spec.empty()) throw Error("link: empty (known: " + known_links() + ", or MBPS[,RTT_MS], or up=,down=,rtt=,radio=)");
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t comma = spec.find(',', start);
    parts.push_back(spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  LinkProfile link;
  size_t next = 0;
  bool has_up = false;
  if (const Preset* preset = find_preset(parts[0])) {
    link = from_preset(*preset);
    next = 1;
    has_up = true;
  } else if (parts[0].find('=') == std::string::npos) {
    // "MBPS[,RTT_MS]": a symmetric wired link.
    if (parts.size() > 2) throw Error(fmt::format("link '{}': expected MBPS[,RTT_MS]", spec));
    double ignored = 0;
    auto [ptr, ec] = std::from_chars(parts[0].data(), parts[0].data() + parts[0].size(), ignored);
    if (parts[0].empty() || ec != std::errc() || ptr != parts[0].data() + parts[0].size()) {
      throw Error(fmt::format("link '{}': unknown link '{}' (known: {}, or MBPS[,RTT_MS], or up=,down=,rtt=,radio=)",
                              spec, parts[0], known_links()));
    }
    link.uplink_mbps = link.downlink_mbps = parse_number(parts[0], spec, "bandwidth (Mbps)", false);
    link.rtt_ms = parts.size() == 2 ? parse_number(parts[1], spec, "RTT (ms)", true) : 0.0;
    link.name = spec;
    return link;
  }
  link.name = spec;
  bool has_down = link.downlink_mbps > 0;
  for (size_t i = next; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    size_t eq = part.find('=');
    if (eq == std::string::npos) {
      throw Error(fmt::format("link '{}': '{}' is not key=value (keys: up, down, rtt, radio)", spec, part));
    }
    std::string key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "up") {
      link.uplink_mbps = parse_number(value, spec, "up (Mbps)", false);
      has_up = true;
    } else if (key == "down") {
      link.downlink_mbps = parse_number(value, spec, "down (Mbps)", false);
      has_down = true;
    } else if (key == "rtt") {
      link.rtt_ms = parse_number(value, spec, "rtt (ms)", true);
    } else if (key == "radio") {
      if (value == "none") {
        link.radio.reset();
      } else {
        link.radio = radio_power_model(value);
      }
    } else {
      throw Error(fmt::format("link '{}': unknown key '{}' (keys: up, down, rtt, radio)", spec, key));
    }
  }
  if (!has_up) throw Error(fmt::format("link '{}': no uplink bandwidth (give up=MBPS or a preset)", spec));
  if (!has_down) link.downlink_mbps = link.uplink_mbps;
  return link;
}

}  // namespace splitpoint
