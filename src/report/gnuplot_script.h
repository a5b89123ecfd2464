#pragma once
// Pieces of the gnuplot scripts the charts are drawn with: the SVG terminal
// (1200 px wide, fonts by name only: nothing is fetched), data inlined as
// datablocks, strings quoted, and the colours every chart shares.
#include <string>
#include <vector>

#include "report/data_table.h"

namespace splitpoint::gnuplot {

// The terminal and common settings; `height` in px.
std::string header(int height);
// "$NAME << EOD" + the table's rows as CSV (no header) + "EOD".
std::string datablock(const std::string& name, const DataTable& table);
// A gnuplot string literal: "..." with \ and " escaped.
std::string quote(const std::string& text);

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
