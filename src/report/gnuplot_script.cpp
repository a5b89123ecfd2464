#include "report/gnuplot_script.h"

#include <fmt/core.h>

#include "core/error.h"

namespace splitpoint::gnuplot {

std::string header(int height) {
  return fmt::format(
      "set terminal svg size 1200,{} fixed font \"Helvetica,15\" background rgb \"white\"\n"
      "set termoption noenhanced\n"
      "set datafile separator \"\\t\"\n"
      "set datafile missing \"NaN\"\n"
      "set style fill solid 0.85 border rgb \"#333333\"\n"
      "set grid ytics lc rgb \"#dddddd\"\n"
      "set key noautotitle\n",
      height);
}

namespace {

// The length of the UTF-8 sequence at text[i] and its code point, or 0 if it is not a valid one.
size_t utf8_sequence(const std::string& text, size_t i, char32_t& code) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b = byte(i);
  size_t n = 0;
  char32_t minimum = 0;
  if (b < 0x80) {
    code = b;
    return 1;
  } else if ((b & 0xE0) == 0xC0) {
    n = 2, code = b & 0x1F, minimum = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3, code = b & 0x0F, minimum = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4, code = b & 0x07, minimum = 0x10000;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return n;
}

bool is_control(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029;
}

}  // namespace

std::string display_text(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    char32_t code = 0;
    const size_t n = utf8_sequence(text, i, code);
    std::string piece;
    if (n == 0) piece = "?";
    else if (is_control(code)) piece = " ";
    else if (code == '`') piece = "'";
    else piece = text.substr(i, n);
    if (out.size() + piece.size() > kMaxLabelBytes - 3) {
      out += "...";
      break;
    }
    out += piece;
    i += n == 0 ? 1 : n;
  }
  return out;
}

std::string data_file(const DataTable& table) {
  std::string text;
  for (const auto& row : table.rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      std::string cell = display_text(row[i]);
      for (char& c : cell)
        if (c == '"') c = '\'';
      if (cell.empty()) cell = "-";  // an empty field would shift gnuplot's columns
      text += (i ? "\t" : "") + cell;
    }
    text += "\n";
  }
  return text;
}

std::string data_file_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
    throw Error(ErrorKind::kInternal, fmt::format("report: '{}' is not a data file name of the charts", name));
  return name + ".tsv";
}

std::string data_ref(const std::string& name) { return "'" + data_file_name(name) + "'"; }

std::string quote(const std::string& text) {
  std::string q = "'";
  for (char c : display_text(text)) q += c == '\'' ? std::string("\u2019") : std::string(1, c);
  return q + "'";
}

const char* series_colour(size_t i) {
  static const char* colours[] = {"#cc3311", "#0077bb", "#009988", "#ee7733", "#aa3377", "#33bbee", "#555555"};
  return colours[i % (sizeof(colours) / sizeof(colours[0]))];
}

}  // namespace splitpoint::gnuplot
