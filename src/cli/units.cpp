#include "cli/units.h"

#include <fmt/core.h>

#include <cmath>

namespace splitpoint::cli {

std::string grouped(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string bytes_iec(int64_t bytes) {
  static const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (std::llabs(bytes) < 1024) return fmt::format("{} B", bytes);
  double v = static_cast<double>(bytes);
  int u = -1;
  while (std::fabs(v) >= 1024.0 && u < 3) {
    v /= 1024.0;
    ++u;
  }
  return fmt::format("{:.2f} {}", v, kUnits[u]);
}

std::string si(double value, const std::string& unit) {
  static const char* kPrefixes[] = {"", "k", "M", "G", "T", "P"};
  int p = 0;
  while (std::fabs(value) >= 1000.0 && p < 5) {
    value /= 1000.0;
    ++p;
  }
  if (p == 0) return fmt::format("{:.0f} {}", value, unit);
  return fmt::format("{:.2f} {}{}", value, kPrefixes[p], unit);
}

std::string millis(double ms) { return ms >= 100 ? fmt::format("{:.0f}", ms) : fmt::format("{:.1f}", ms); }

}  // namespace splitpoint::cli
