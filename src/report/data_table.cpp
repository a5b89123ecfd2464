#include "report/data_table.h"

#include <fmt/core.h>

#include <cmath>
#include <cctype>
#include <cstdlib>
#include <string_view>

#include "core/error.h"

namespace splitpoint {

void DataTable::add_row(std::vector<std::string> row) {
  if (row.size() != columns.size())
    throw Error(fmt::format("report: a row of {} cells for {} columns", row.size(), columns.size()));
  rows.push_back(std::move(row));
}

namespace {

// A whole number as strtod reads it ("-1.5", "1e-05", "-inf"), with nothing around it.
bool is_number(const std::string& s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s.front()))) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

}  // namespace

std::string csv_field(const std::string& text) {
  std::string s = text;
  // A spreadsheet takes a cell starting with = + - @ (or a tab or CR before one) for a formula: such a text cell
  // gets a leading ' (OWASP's advice), which spreadsheets show as text. A number ("-0.5") stays as it is.
  if (!s.empty() && std::string_view("=+-@\t\r").find(s.front()) != std::string_view::npos && !is_number(s))
    s = "'" + s;
  if (s.find_first_of(",\"\n\r\t") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

namespace {

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
