#pragma once
// DataTable: the numbers behind one chart, as named columns of text cells.
// Written beside the chart as CSV (RFC 4180: a header line, fields with a
// comma, quote, tab or line break quoted; a text cell that a
// spreadsheet would take for a formula, one starting with = + - @ tab or CR
// that is not a number, prefixed with ') and given to gnuplot as a data file
// (report/gnuplot_script.h).
#include <string>
#include <vector>

namespace splitpoint {

struct DataTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;

  // Throws Error (a bug) if a row's width differs from the header's.
  void add_row(std::vector<std::string> row);
  std::string to_csv() const;
  // The column's index; throws Error (a bug) if there is none.
  size_t column(const std::string& name) const;
};

// A number as a CSV cell: 9 significant digits ("0.154", "1.23456789e-05"),
// "NaN" for NaN (gnuplot's missing value; the CSV says so too).
std::string cell(double value);
// One CSV field: neutralised (a leading ' before = + - @ tab CR of a text) and quoted as above.
std::string csv_field(const std::string& text);
std::string cell(int64_t value);
inline std::string cell(int value) { return cell(static_cast<int64_t>(value)); }

}  // namespace splitpoint
