// `splitpoint report INPUTS... -o DIR`: profile, plan, run and accuracy JSONs to an HTML
// page with charts (drawn by gnuplot), the CSV behind each chart, and a
// summary table printed here and written as DIR/summary.csv.
#include <fmt/core.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "core/version.h"
#include "core/error.h"
#include "profile/machine_info.h"
#include "report/report_inputs.h"
#include "report/report_writer.h"

namespace splitpoint::cli {

namespace {

struct ReportCommandOptions {
  std::vector<std::string> inputs;
  std::string directory;
  double timeout_s = 30;
  bool quiet = false;
};

int run_report(const ReportCommandOptions& o) {
  if (o.directory.empty()) throw Error("give -o DIR, the directory to write report.html into");
  if (!(o.timeout_s > 0)) throw Error(fmt::format("--gnuplot-timeout must be positive, is {}", o.timeout_s));
  std::vector<std::filesystem::path> files(o.inputs.begin(), o.inputs.end());
  const ReportInputs inputs = read_report_inputs(files);
  fmt::print("report: {} profile{}, {} plan{}, {} run{}\n", inputs.profiles.size(),
             inputs.profiles.size() == 1 ? "" : "s", inputs.plans.size(), inputs.plans.size() == 1 ? "" : "s",
             inputs.runs.size(), inputs.runs.size() == 1 ? "" : "s");
  for (const auto& s : inputs.skipped) fmt::print("  skipped {}\n", s);
  ReportOptions options;
  options.directory = o.directory;
  options.tool = kToolVersion;
  options.date = utc_iso8601(std::chrono::system_clock::now());
  options.gnuplot_timeout_s = o.timeout_s;
  const WrittenReport written = write_report(inputs, options);
  if (!o.quiet && !written.summary.empty())
    fmt::print("\nbest cut per device, link and objective (predicted per inference; measured: median of matching live "
               "runs; gain in the objective over all local / all remote):\n\n{}",
               summary_text(written.summary));
  fmt::print("\n{} chart{} drawn", written.charts, written.charts == 1 ? "" : "s");
  if (written.left_out.empty()) fmt::print("\n");
  else fmt::print("; left out for lack of inputs:\n");
  for (const auto& l : written.left_out) fmt::print("  {}\n", l);
  fmt::print("wrote {} files (per chart its CSV and SVG; summary.csv; report.html) to {}\n", written.files.size(), o.directory);
  fmt::print("{}\n", written.html.string());
  return 0;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "report",
      "Write an HTML report (DIR/report.html: self-contained, viewable offline) from profile, plan, run and accuracy\n"
      "JSONs, told apart by their \"schema\" field (splitpoint-profile, -plan, -run, -accuracy):\n"
      "  profiles (splitpoint profile -o, data/profiles/*.json) -> 1. time per layer and cumulative energy\n"
      "  plans (splitpoint plan -o)                           -> 2. cut-tensor size per layer (fp32, uint8, input, JPEG)\n"
      "                                                          3. latency and energy per cut, stacked, per link\n"
      "    with --sweep-bandwidth                             -> 4. decision map: best cut against bandwidth\n"
      "    with --device edgetpu-usb2|edgetpu-usb3            -> 5. Edge TPU cache fit per head\n"
      "  runs (splitpoint run -o)                             -> 6. predicted against measured latency\n"
      "  accuracy (splitpoint accuracy --json)                -> 7. accuracy against bytes per cut and codec, JPEG\n"
      "Charts are drawn by gnuplot (Debian's gnuplot-nox) as SVG inside the page; the data behind each is written\n"
      "beside it as CSV. A chart whose inputs are missing is left out with a line saying which input gives it.\n"
      "Prints, and writes as DIR/summary.csv, the best cut per device x link x objective with its predicted latency\n"
      "and energy, the measured ones when a run matches, and the gain over all local and all remote.\n"
      "Example: splitpoint report build/demo/*.json -o build/demo/report");
  auto o = std::make_shared<ReportCommandOptions>();
  cmd->add_option("INPUTS", o->inputs, "Profile, plan, run and accuracy JSON files (a splitpoint-validate JSON is skipped)")
      ->required();
  cmd->add_option("-o,--output", o->directory, "Directory to write report.html, the CSVs and summary.csv into "
                                               "(created if missing)")
      ->required();
  cmd->add_option("--gnuplot-timeout", o->timeout_s, "Seconds gnuplot may take per chart")->capture_default_str();
  cmd->add_flag("--quiet", o->quiet, "Do not print the summary table");
  cmd->callback([o, &exit_code] { exit_code = run_report(*o); });
}

}  // namespace splitpoint::cli
