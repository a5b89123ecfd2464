#pragma once
// Printing numbers with their units: "138,357,544", "15.47 G", "7.28 MiB".
#include <cstdint>
#include <string>

namespace splitpoint::cli {

// Thousands separated: 138357544 -> "138,357,544".
std::string grouped(int64_t value);
// Binary units: 1536 -> "1.50 KiB"; below 1 KiB "512 B".
std::string bytes_iec(int64_t bytes);
// Decimal SI with a unit suffix: (15470264320, "MAC") -> "15.47 GMAC".
std::string si(double value, const std::string& unit);
// Milliseconds for a table column, without the unit: "12.3", "123" (from 100 on).
std::string millis(double ms);

}  // namespace splitpoint::cli
