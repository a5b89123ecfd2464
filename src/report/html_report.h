#pragma once
// The report page: one self-contained HTML file (inline CSS, the charts as
// inline SVG, no script, nothing fetched), with the inputs, the summary table
// and one section per kind of chart, each chart followed by a link to its CSV.
#include <map>
#include <string>
#include <vector>

#include "report/chart.h"
#include "report/report_inputs.h"
#include "report/summary_table.h"

namespace splitpoint {

// gnuplot's SVG made fit to sit inline: no XML declaration, every id and
// reference prefixed with `id` + "-" (several charts on one page share
// gnuplot's ids), and the <svg> element given id=`id`, class "chart" and an
// aria-label (`title`).
std::string inline_svg(const std::string& svg, const std::string& id, const std::string& title);

// `svgs`: chart id -> inline SVG. `tool`: "splitpoint 0.1.0"; `date`: UTC.
std::string html_report(const ReportInputs& inputs, const std::vector<ChartSection>& sections,
                        const std::map<std::string, std::string>& svgs, const std::vector<SummaryRow>& summary,
                        const std::string& tool, const std::string& date);

// &, <, >, " escaped; text between backticks becomes <code>.
std::string html_text(const std::string& text);

}  // namespace splitpoint
