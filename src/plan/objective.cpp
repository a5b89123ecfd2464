#include "plan/objective.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "core/error.h"

namespace splitpoint {

std::vector<std::string> objective_names() { return {"latency", "energy", "weighted[:W]", "throughput"}; }

Objective parse_objective(const std::string& spec) {
  if (spec == "latency") return {ObjectiveKind::latency};
  if (spec == "energy") return {ObjectiveKind::energy};
  if (spec == "throughput") return {ObjectiveKind::throughput};
  if (spec == "weighted") return {ObjectiveKind::weighted, 0.5};
  if (spec.rfind("weighted:", 0) == 0) {
    std::string text = spec.substr(9);
    double w = -1;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), w);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !(w >= 0 && w <= 1)) {
      throw Error(fmt::format("objective '{}': the latency weight '{}' must be a number in [0, 1]", spec, text));
    }
    return {ObjectiveKind::weighted, w};
  }
  throw Error(fmt::format("unknown objective '{}' (valid: latency, energy, weighted, weighted:W with W in [0, 1], "
                          "throughput)", spec));
}

std::string objective_name(const Objective& objective) {
  switch (objective.kind) {
    case ObjectiveKind::latency: return "latency";
    case ObjectiveKind::energy: return "energy";
    case ObjectiveKind::throughput: return "throughput";
    case ObjectiveKind::weighted: return fmt::format("weighted:{:g}", objective.latency_weight);
  }
  return "?";
}

}  // namespace splitpoint
