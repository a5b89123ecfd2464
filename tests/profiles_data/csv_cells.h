#pragma once
// The cells of a CSV file (the study's sheets in data/seed), read
// independently of scripts/seed-profiles: comma-separated, double quotes
// around cells that hold commas ("(None, 112,112,64)"), "" for a quote.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace splitpoint::testing {

class CsvCells {
 public:
  explicit CsvCells(const std::string& path) : path_(path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      ADD_FAILURE() << "cannot open " << path;
      return;
    }
    std::stringstream text;
    text << in.rdbuf();
    parse(text.str());
  }

  // Cell `column` (0-based) of line `line` (1-based, as an editor numbers them).
  std::string text(size_t line, size_t column) const {
    if (line == 0 || line > rows_.size() || column >= rows_[line - 1].size()) {
      ADD_FAILURE() << path_ << ": no cell at line " << line << ", column " << column;
      return {};
    }
    return rows_[line - 1][column];
  }
  double number(size_t line, size_t column) const {
    const std::string cell = text(line, column);
    try {
      size_t used = 0;
      const double value = std::stod(cell, &used);
      if (used == cell.size()) return value;
    } catch (const std::exception&) {
    }
    ADD_FAILURE() << path_ << ": line " << line << ", column " << column << ": '" << cell << "' is not a number";
    return 0;
  }

 private:
  void parse(const std::string& s) {
    std::vector<std::string> row;
    std::string cell;
    bool quoted = false;
    for (size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (quoted) {
        if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
          cell += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.push_back(cell);
        cell.clear();
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
        row.push_back(cell);
        cell.clear();
        rows_.push_back(row);
        row.clear();
      } else {
        cell += c;
      }
    }
    if (!cell.empty() || !row.empty()) {
      row.push_back(cell);
      rows_.push_back(row);
    }
  }

  std::string path_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace splitpoint::testing
