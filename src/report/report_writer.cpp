#include "report/report_writer.h"

#include <fmt/core.h>

#include <map>
#include <set>

#include "core/error.h"
#include "core/file_io.h"
#include "report/charts.h"
#include "report/gnuplot_runner.h"
#include "report/gnuplot_script.h"
#include "report/html_report.h"

namespace splitpoint {

WrittenReport write_report(const ReportInputs& inputs, const ReportOptions& options) {
  std::vector<ChartSection> sections = {profile_charts(inputs),      cut_size_charts(inputs),
                                        cut_cost_charts(inputs),     decision_map_charts(inputs),
                                        edgetpu_cache_charts(inputs), live_run_charts(inputs),
                                        rate_accuracy_charts(inputs)};
  WrittenReport written;
  // Ids are file names and element ids: unique (two profiles of one device and model get -2).
  std::set<std::string> ids;
  for (ChartSection& section : sections) {
    for (Chart& chart : section.charts) {
      std::string id = chart.id;
      for (int n = 2; ids.count(id); ++n) id = fmt::format("{}-{}", chart.id, n);
      chart.id = id;
      ids.insert(id);
    }
  }
  std::map<std::string, std::string> svgs, raw_svgs;
  for (const ChartSection& section : sections) {
    if (section.charts.empty()) written.left_out.push_back(fmt::format("{}. {}: {}", section.number, section.title,
                                                                       section.missing));
    for (const Chart& chart : section.charts) {
      std::map<std::string, std::string> files;
      for (const auto& [name, table] : chart.plot_data) files[gnuplot::data_file_name(name)] = gnuplot::data_file(table);
      const std::string svg = run_gnuplot(chart.script, files, fmt::format("chart {} ({})", section.number, chart.id),
                                          options.gnuplot_timeout_s);
      svgs[chart.id] = inline_svg(svg, chart.id, chart.title);
      raw_svgs[chart.id] = svg;
      ++written.charts;
    }
  }
  written.summary = summarize_plans(inputs);
  const std::string html = html_report(inputs, sections, svgs, written.summary, options.tool, options.date);

  std::error_code ec;
  std::filesystem::create_directories(options.directory, ec);
  if (ec) throw Error(fmt::format("{}: cannot create the directory: {}", options.directory.string(), ec.message()));
  if (!std::filesystem::is_directory(options.directory))
    throw Error(fmt::format("{}: not a directory", options.directory.string()));
  auto put = [&](const std::string& name, const std::string& text) {
    const auto path = options.directory / name;
    write_file_atomically(path, text);
    written.files.push_back(path);
  };
  for (const ChartSection& section : sections)
    for (const Chart& chart : section.charts) {
      put(chart.id + ".csv", chart.data.to_csv());
      put(chart.id + ".svg", raw_svgs[chart.id]);
    }
  put("summary.csv", summary_data(written.summary).to_csv());
  put("report.html", html);
  written.html = options.directory / "report.html";
  return written;
}

}  // namespace splitpoint
