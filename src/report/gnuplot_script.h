#pragma once
// Pieces of the gnuplot scripts the charts are drawn with: the SVG terminal
// (1200 px wide, fonts by name only: nothing is fetched), data files, strings,
// and the colours every chart shares.
//
// No text from an input is ever gnuplot code. The numbers and labels behind a
// chart reach gnuplot as data files it reads as data (`data_file`, referred to
// by `data_ref`: a fixed name in gnuplot's private working directory, see
// report/gnuplot_runner.h); labels in them are read with strcol(). Text that
// must be in the script (titles, keys, labels) goes through `quote` only: a
// single-quoted literal (gnuplot expands neither backquotes, macros nor
// backslashes inside one) of text with every control character, quote and
// backquote replaced, so it can neither end the literal nor the line.
#include <string>
#include <vector>

#include "report/data_table.h"

namespace splitpoint::gnuplot {

// The terminal and common settings (data files are tab-separated); `height` in px.
std::string header(int height);
// The table's rows (no header) as gnuplot reads them: tab-separated, one line
// per row; text cells as `display_text`, with no tab, line break or double
// quote left (a double quote becomes '; gnuplot would take it for a string
// delimiter).
std::string data_file(const DataTable& table);
// The data file `name` as the script refers to it: 'name.tsv'. `name` is the
// script's own ([a-z0-9_]+); any other name is a bug (Error, kInternal).
std::string data_ref(const std::string& name);
// The file name of data file `name` ("name.tsv"), for the runner.
std::string data_file_name(const std::string& name);
// A gnuplot string literal of `text` as display_text, single-quoted, with '
// shown as ’ (U+2019): no quote of any kind is left inside the literal.
std::string quote(const std::string& text);
// Text safe to show in a chart: valid UTF-8 with every control character (C0,
// DEL, C1, line and paragraph separators) replaced by a space, a backquote by
// ', and cut to kMaxLabelBytes bytes (ending in "..."). Invalid UTF-8 bytes
// become '?'.
std::string display_text(const std::string& text);
inline constexpr size_t kMaxLabelBytes = 200;

// Colours: device compute, transfer, server; energy line; the best cut's band.
inline constexpr const char* kDevice = "#4477aa";
inline constexpr const char* kTransfer = "#ee7733";
inline constexpr const char* kServer = "#999999";
inline constexpr const char* kWait = "#ccbb44";
inline constexpr const char* kEnergy = "#cc3311";
inline constexpr const char* kBest = "#ffd24d";
inline constexpr const char* kBestBorder = "#b8860b";
// A series colour by index (objectives, links, runs).
const char* series_colour(size_t i);

}  // namespace splitpoint::gnuplot
