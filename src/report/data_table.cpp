#include "report/data_table.h"

#include <fmt/core.h>

#include <cmath>

#include "core/error.h"

namespace splitpoint {

void DataTable::add_row(std::vector<std::string> row) {
  if (row.size() != columns.size())
    throw Error(fmt::format("report: a row of {} cells for {} columns", row.size(), columns.size()));
  rows.push_back(std::move(row));
}

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + csv_field(fields[i]);
  return line + "\n";
}

}  // namespace

std::string DataTable::to_csv() const {
  std::string text = csv_line(columns);
  for (const auto& row : rows) text += csv_line(row);
  return text;
}

size_t DataTable::column(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name) return i;
  throw Error(fmt::format("report: no column '{}'", name));
}

std::string cell(double value) {
  if (std::isnan(value)) return "NaN";
  return fmt::format("{:.9g}", value);
}

std::string cell(int64_t value) { return fmt::format("{}", value); }

}  // namespace splitpoint
