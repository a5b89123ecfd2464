#pragma once
// A chart of the report: its data (written as ID.csv), the gnuplot script that
// draws it (SVG terminal) with the data files it reads, and the words around it; and a
// section, one per kind of chart, with the charts the inputs gave or the
// reason there are none.
#include <map>
#include <string>
#include <vector>

#include "report/data_table.h"

namespace splitpoint {

struct Chart {
  std::string id;  // file stem of its CSV and its SVG element's id: "cut-costs-rpi3bplus-cpu-f32"
  std::string title;
  std::string caption;  // plain text: what is drawn, from which inputs
  DataTable data;
  std::string script;  // a complete gnuplot script writing SVG to stdout, reading plot_data as data files
  std::map<std::string, DataTable> plot_data;  // name -> the table gnuplot reads as gnuplot::data_ref(name)
  std::vector<std::string> notes;  // plain text: what is missing or approximated
};

struct ChartSection {
  int number = 0;
  std::string title;
  std::string description;
  std::vector<Chart> charts;
  std::string missing;  // no charts: which input would give them
};

}  // namespace splitpoint
