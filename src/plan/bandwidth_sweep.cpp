#include "plan/bandwidth_sweep.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "core/error.h"

namespace splitpoint {

BandwidthSweep sweep_bandwidth(const ChainInputs& inputs, const Objective& objective, const Constraints& constraints,
                               double min_mbps, double max_mbps, int points) {
  if (!(min_mbps > 0) || !(max_mbps >= min_mbps) || !std::isfinite(max_mbps) || points < 1 ||
      (points == 1 && min_mbps != max_mbps)) {
    throw Error(fmt::format("bandwidth sweep {:g}:{:g}:{}: need 0 < MIN <= MAX and at least 2 points", min_mbps,
                            max_mbps, points));
  }
  check_chain_inputs(inputs);
  BandwidthSweep sweep;
  sweep.objective = objective;
  ChainInputs at = inputs;
  int layers = inputs.device.layer_count();
  // Device and server times do not depend on the link: only the network terms change.
  std::vector<CutEstimate> cuts(static_cast<size_t>(layers) + 1);
  double ratio = points > 1 ? std::log(max_mbps / min_mbps) / (points - 1) : 0.0;
  for (int i = 0; i < points; ++i) {
    double mbps = i == points - 1 ? max_mbps : min_mbps * std::exp(ratio * i);
    at.link = inputs.link.with_uplink(mbps);
    for (int k = 0; k <= layers; ++k) cuts[static_cast<size_t>(k)] = estimate_cut(at, k);
    apply_constraints(constraints, cuts);
    SweepPoint p;
    p.uplink_mbps = mbps;
    p.best = best_cut(objective, cuts);
    if (p.best) {
      const CutEstimate& c = cuts[static_cast<size_t>(*p.best)];
      p.total_ms = c.total_ms;
      p.energy_j = c.energy_j;
      p.throughput_fps = c.throughput_fps;
    }
    if (sweep.ranges.empty() || sweep.ranges.back().best != p.best) {
      sweep.ranges.push_back({mbps, mbps, p.best});
    } else {
      sweep.ranges.back().to_mbps = mbps;
    }
    sweep.points.push_back(p);
  }
  return sweep;
}

SweepRange parse_sweep_range(const std::string& spec) {
  SweepRange range;
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  auto number = [&](const std::string& text, const char* what) {
    double value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value) || value <= 0) {
      throw Error(fmt::format("--sweep-bandwidth '{}': {} '{}' is not a positive number (want MIN:MAX[:POINTS] in Mbps)",
                              spec, what, text));
    }
    return value;
  };
  if (parts.size() < 2 || parts.size() > 3) {
    throw Error(fmt::format("--sweep-bandwidth '{}': want MIN:MAX[:POINTS] in Mbps, e.g. 0.1:1000", spec));
  }
  range.min_mbps = number(parts[0], "MIN");
  range.max_mbps = number(parts[1], "MAX");
  if (range.max_mbps < range.min_mbps) {
    throw Error(fmt::format("--sweep-bandwidth '{}': MAX is below MIN", spec));
  }
  if (parts.size() == 3) {
    double points = number(parts[2], "POINTS");
    if (points != std::floor(points) || points < 2 || points > 100000) {
      throw Error(fmt::format("--sweep-bandwidth '{}': POINTS must be a whole number from 2 to 100000", spec));
    }
    range.points = static_cast<int>(points);
  }
  return range;
}

}  // namespace splitpoint
