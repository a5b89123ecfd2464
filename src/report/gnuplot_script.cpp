#include "report/gnuplot_script.h"

#include <fmt/core.h>

namespace splitpoint::gnuplot {

std::string header(int height) {
  return fmt::format(
      "set terminal svg size 1200,{} fixed font \"Helvetica,15\" background rgb \"white\"\n"
      "set termoption noenhanced\n"
      "set datafile separator comma\n"
      "set datafile missing \"NaN\"\n"
      "set style fill solid 0.85 border rgb \"#333333\"\n"
      "set grid ytics lc rgb \"#dddddd\"\n"
      "set key noautotitle\n",
      height);
}

std::string datablock(const std::string& name, const DataTable& table) {
  std::string csv = table.to_csv();
  csv = csv.substr(csv.find('\n') + 1);  // no header line
  return "$" + name + " << EOD\n" + csv + "EOD\n";
}

std::string quote(const std::string& text) {
  std::string q = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') q += '\\';
    if (c == '\n') {
      q += "\\n";
      continue;
    }
    q += c;
  }
  return q + "\"";
}

const char* series_colour(size_t i) {
  static const char* colours[] = {"#cc3311", "#0077bb", "#009988", "#ee7733", "#aa3377", "#33bbee", "#555555"};
  return colours[i % (sizeof(colours) / sizeof(colours[0]))];
}

}  // namespace splitpoint::gnuplot
