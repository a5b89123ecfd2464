// `splitpoint validate MODEL --server URL`: measured vs predicted end-to-end
// latency of each cut over emulated links (serve/link_validation.h), then the
// server's throughput under concurrent clients (serve/load_test.h). The work is
// app/validate_request.h's; this file parses and prints as it goes.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>

#include "app/validate_request.h"
#include "cli/commands.h"
#include "cli/output_file.h"
#include "cli/units.h"
#include "core/file_io.h"

namespace splitpoint::cli {

namespace {

struct ValidateOptions {
  ValidateRequest request;
  std::string output;
};

void print_setup(const ValidateSetup& s, double max_upload_s) {
  if (!s.dropped_cuts.empty())
    fmt::print("cuts {} left out: their tensors take over {:g} s to upload over {} (--cuts all runs them)\n",
               fmt::join(s.dropped_cuts, ","), max_upload_s, s.slowest_link);
}

void print_runs_header(const ValidateSetup& s, int repeats) {
  fmt::print("{}: measured vs predicted end-to-end latency per cut ({} runs each, median; codec {}; device profile {}, "
             "server profile {})\n",
             s.model, repeats, s.codec, s.device_profile, s.server_profile);
  fmt::print("{:<10} {:>4} {:>11} {:>9} {:>9} {:>9} {:>10} {:>10} {:>8} {:>10} {:>9}\n", "link", "cut", "sent",
             "head ms", "server ms", "net ms", "measured", "predicted", "error", "expected", "overhead");
}

void print_point(const ValidationPoint& p) {
  fmt::print("{:<10} {:>4} {:>11} {:>9} {:>9} {:>9} {:>10} {:>10} {:>7.1f}% {:>10} {:>8.1f}%{}\n", p.link.substr(0, 10),
             p.cut, fmt::format("{} B", p.tensor_bytes), millis(p.head_ms), millis(p.server_ms), millis(p.network_ms),
             millis(p.measured_ms), millis(p.predicted_ms), 100 * p.prediction_error, millis(p.expected_ms),
             100 * p.overhead, p.fallbacks ? fmt::format("  ({} runs not answered)", p.fallbacks) : "");
  std::fflush(stdout);
}

void print_accuracy(const std::vector<LinkAccuracy>& per_link) {
  fmt::print("\nper link: median |measured - predicted| / measured, and median overhead beyond compute + bytes / "
             "bandwidth + RTT\n");
  for (const LinkAccuracy& a : per_link)
    fmt::print("  {:<10} (up {:g} Mbps, down {:g} Mbps, RTT {:g} ms): prediction error {:.1f}%, overhead {:.1f}%\n",
               a.link.name, a.link.uplink_mbps, a.link.downlink_mbps, a.link.rtt_ms,
               100 * a.median_abs_prediction_error, 100 * a.median_overhead);
}

void print_answers(const AnswerAccuracy& a) {
  fmt::print("  cut {:>3}: {} of {} answers right ({:.2f} %){}\n", a.cut, a.correct, a.images, a.percent(),
             a.fallbacks ? fmt::format(", {} finished on the device", a.fallbacks) : "");
}

void print_load_run(const LoadRun& run) {
  const LoadTestResult& r = run.result;
  const int n = run.clients;
  fmt::print("  {:>3} client{}: {:.2f} requests/s, latency p50 {} ms, p90 {} ms, p99 {} ms; {} requests, {} errors{}\n",
             n, n == 1 ? " " : "s", r.requests_per_s, millis(r.p50_ms), millis(r.p90_ms), millis(r.p99_ms), r.requests,
             r.errors, r.first_error.empty() ? "" : " (first: " + r.first_error + ")");
}

int run_validate(const ValidateOptions& o) {
  check_validate_request(o.request);
  check_output_file("-o", o.output);
  ValidateObserver observer;
  observer.note = [](const std::string& note) { fmt::print(stderr, "validate: {}\n", note); };
  observer.setup = [&](const ValidateSetup& s) { print_setup(s, o.request.max_upload_s); };
  observer.runs_start = [&](const ValidateSetup& s) { print_runs_header(s, o.request.repeats); };
  observer.point = print_point;
  observer.accuracy = print_accuracy;
  bool answers_header = false;
  observer.answers = [&answers_header](const AnswerAccuracy& a) {
    if (!answers_header) fmt::print("\ntop-1 accuracy of the live answers on the labelled images, per cut:\n");
    answers_header = true;
    print_answers(a);
  };
  observer.load_start = [](const std::string& model, int cut) {
    fmt::print("\nserver throughput on {} (cut {}), no link emulation:\n", model, cut);
  };
  observer.load_run = print_load_run;
  const ValidateReport report = execute_validate(o.request, observer);
  if (!o.output.empty()) {
    write_file_atomically(o.output, validate_report_json(report));
    fmt::print("wrote {}\n", o.output);
  }
  return 0;
}

}  // namespace

void add_validate_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "validate",
      "Check the planner against reality: run MODEL split at each cut against `splitpoint serve` over emulated\n"
      "links (a local proxy shaping rate and delay each way) and print measured vs predicted end-to-end latency,\n"
      "and the overhead beyond compute + bytes / bandwidth + RTT; then the server's throughput with 1 and N\n"
      "concurrent clients.");
  auto options = std::make_shared<ValidateOptions>();
  ValidateRequest* o = &options->request;
  o->threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cmd->add_option("MODEL", o->model, "A zoo model name or a .tflite/.onnx file (the same the server hosts)")->required();
  cmd->add_option("--server", o->server, "The server: http://HOST:PORT")->required();
  cmd->add_option("--server-model", o->server_model, "The model's name on the server (default: MODEL's name)");
  cmd->add_option("--links", o->links, "Links to emulate, comma-separated (';' if a custom one has commas)")
      ->capture_default_str();
  cmd->add_option("--cuts", o->cuts,
                  "Cuts to run: auto (those whose tensor uploads within --max-upload seconds on the slowest link), "
                  "all, or a comma-separated list of numbers or layer names")
      ->capture_default_str();
  cmd->add_option("--max-upload", o->max_upload_s, "With --cuts auto: the longest upload kept, s")->capture_default_str();
  cmd->add_option("--repeats", o->repeats, "Measured runs per link and cut (after one warm-up run)")->capture_default_str();
  cmd->add_option("--codec", o->codec, "Cut-tensor codec")->capture_default_str();
  cmd->add_option("--device", o->device, "Profile of this machine (the device) for the prediction")->capture_default_str();
  cmd->add_option("--device-host", o->device_host, "With --device edgetpu-usb2|3: the host's profile")
      ->capture_default_str();
  cmd->add_option("--server-profile", o->server_profile, "Profile of the server for the prediction")->capture_default_str();
  cmd->add_option("--backend", o->backend, "Backend for the head");
  cmd->add_option("--threads", o->threads, "Threads for the head")->capture_default_str();
  cmd->add_option("--clients", o->clients, "Concurrent clients for the throughput test (0: skip it)")->capture_default_str();
  cmd->add_option("--load-seconds", o->load_seconds, "Seconds per throughput run")->capture_default_str();
  cmd->add_option("--load-cut", o->load_cut, "The cut whose tail the throughput test sends (0: the whole model)")
      ->capture_default_str();
  cmd->add_option("--timeout", o->timeout_s, "Seconds to wait for the server per request")->capture_default_str();
  cmd->add_option("--data", o->data,
                  "Labelled images (an IDX directory, a folder per class, or an IDX/.npy images file with --labels): "
                  "the first --data-limit run split at each cut against the server; prints the answers' accuracy");
  cmd->add_option("--labels", o->labels, "With an IDX or .npy images file as --data: its labels file");
  cmd->add_option("--data-limit", o->data_limit, "Labelled images per cut")->capture_default_str();
  cmd->add_option("-o,--output", options->output, "Write the results as JSON here");
  cmd->callback([options, &exit_code] { exit_code = run_validate(*options); });
}

}  // namespace splitpoint::cli
