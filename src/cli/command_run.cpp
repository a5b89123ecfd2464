// `splitpoint run MODEL --server URL`: the device side of the live split. Runs
// the head, sends the cut tensor to the server's tail, prints per request where
// the time went and the device energy, re-planning the cut per request with
// --split auto (serve/live_split.h). The work is app/run_request.h's; this file
// parses and prints as it goes.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>

#include "app/run_request.h"
#include "cli/commands.h"
#include "cli/model_precision.h"
#include "cli/output_file.h"
#include "cli/units.h"
#include "core/file_io.h"
#include "cost/cut_codec.h"

namespace splitpoint::cli {

namespace {

struct RunOptions {
  RunRequest request;
  std::string token_file;
  std::string output;
  bool json = false;
};

void print_header(const RunReport& r) {
  const std::optional<LinkProfile>& e = r.emulated_link;
  fmt::print("{} over {}{}: split {}, objective {}, codec {}; device profile {}, server profile {}\n", r.model,
             r.server, e ? fmt::format(" (emulated {}: up {:g} Mbps, down {:g} Mbps, RTT {:g} ms)", e->name,
                                       e->uplink_mbps, e->downlink_mbps, e->rtt_ms)
                         : "",
             r.split, r.objective, r.codec, r.device_profile, r.server_profile);
  fmt::print("{:>4} {:<16} {:>4} {:<8} {:>8} {:>7} {:>8} {:>7} {:>8} {:>8} {:>7} {:>8} {:>9} {:>9} {:>8}  {}\n", "#",
             "input", "cut", "where", "head ms", "enc ms", "up ms", "RTT ms", "server", "down ms", "dec ms", "local",
             "total ms", "predicted", "device J", "top-1");
}

void print_entry(const RunEntry& entry) {
  const LiveRecord& r = entry.record;
  const RequestRecord& q = r.request;
  const std::string where = q.remote ? (r.explored ? "explore" : "server") : q.fallback ? "FALLBACK" : "local";
  fmt::print("{:>4} {:<16} {:>4} {:<8} {:>8} {:>7} {:>8} {:>7} {:>8} {:>8} {:>7} {:>8} {:>9} {:>9} {:>8.3f}  {}\n",
             entry.index + 1, entry.input.substr(0, 16), q.cut, where, millis(q.head_ms), millis(q.encode_ms),
             millis(r.upload_ms), millis(r.rtt_ms), millis(q.server_ms), millis(r.download_ms), millis(q.decode_ms),
             millis(q.local_tail_ms), millis(q.total_ms), millis(r.predicted.total_ms), r.energy_j,
             entry.top1 ? std::to_string(*entry.top1) : "-");
  if (q.fallback) fmt::print("     finished here: {}\n", q.fallback_reason);
  std::fflush(stdout);
}

void print_summary(const RunOutcome& outcome) {
  const RunSummary s = summarize(outcome.report);
  fmt::print("\n{} requests: {} on the server, {} all local, {} finished locally after a server failure{}\n",
             s.requests, s.remote, s.local, s.fallbacks,
             s.fallback_inputs.empty() ? "" : fmt::format(" ({})", fmt::join(s.fallback_inputs, ", ")));
  fmt::print("end to end: median {} ms (p90 {} ms); predicted median {} ms; median |error| {:.1f}%; device energy "
             "median {:.3f} J\n",
             millis(s.median_total_ms), millis(s.p90_total_ms), millis(s.median_predicted_ms),
             100 * s.median_abs_error, s.median_energy_j);
  if (s.labelled > 0)
    fmt::print("accuracy of the answers: {} of {} labelled requests right ({:.2f} %)\n", s.correct, s.labelled,
               100.0 * s.correct / s.labelled);
  const LinkProfile& est = outcome.link_estimate;
  fmt::print("link estimate now: up {:.3g} Mbps, down {:.3g} Mbps, RTT {:.3g} ms ({} bandwidth, {} RTT samples); "
             "server speed x{:.2f} its profile\n",
             est.uplink_mbps, est.downlink_mbps, est.rtt_ms, outcome.bandwidth_samples, outcome.rtt_samples,
             outcome.server_scale);
}

int run_run(RunOptions o) {
  RunRequest& request = o.request;
  request.quiet = request.quiet || o.json;
  check_run_request(request);
  check_output_file("-o", o.output);
  if (!o.token_file.empty()) request.token = read_secret_file("--token-file", o.token_file);
  const bool table = !o.json && !request.quiet;
  RunObserver observer;
  if (table) {
    observer.note = [](const std::string& note) { fmt::print(stderr, "run: {}\n", note); };
    observer.start = print_header;
    observer.entry = print_entry;
  }
  observer.warning = [](const std::string& warning) { fmt::print(stderr, "run: warning: {}\n", warning); };
  const RunOutcome outcome = execute_run(request, observer);
  if (!o.output.empty()) write_file_atomically(o.output, run_report_json(outcome.report));
  if (o.json) {
    fmt::print("{}", run_report_json(outcome.report));
    return 0;
  }
  print_summary(outcome);
  if (!o.output.empty()) fmt::print("wrote {}\n", o.output);
  return 0;
}

// What each request sends: images (with their labels) or random inputs.
void add_input_options(CLI::App& cmd, RunRequest& o) {
  cmd.add_option("--inputs", o.inputs_dir, "A directory of images, each one request (sorted by name)");
  cmd.add_option("--labels", o.labels,
                 "With --inputs: each image's class in name order (IDX labels, .npy integers, or one per line); "
                 "prints the answers' top-1 accuracy");
  cmd.add_option("--count", o.count, "Requests: random inputs (default 10), or cycle through --inputs");
  cmd.add_option("--preprocess", o.preprocess, "How images are scaled: unit, caffe, torch, tf")->capture_default_str();
  cmd.add_option("--seed", o.seed, "Seed of the first random input")->capture_default_str();
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "run",
      "The device side of a live split: run layers 1..k here, send the cut tensor to `splitpoint serve` (or any\n"
      "Open Inference Protocol server hosting the tail as MODEL.tailK, or as --tail-name says), get the result.\n"
      "Prints per request the head, encode, upload, RTT, server, download and decode times, the planner's\n"
      "prediction and the device energy (the device profile's compute energy plus the link's radio power x the\n"
      "measured transfer time).\n"
      "--split auto re-plans every request from a running estimate of the link and the server's reported time.\n"
      "A request the server cannot answer (refused, timeout, 5xx, an oversized or malformed answer, NaN/Inf) is\n"
      "finished here and marked FALLBACK; under --split auto a tail the server refuses (4xx) drops its cut.");
  auto options = std::make_shared<RunOptions>();
  RunRequest* o = &options->request;
  o->threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cmd->add_option("MODEL", o->model, "A zoo model name or a .tflite/.onnx file (the same the server hosts)")->required();
  cmd->add_option("--server", o->server,
                  "The server: http://HOST:PORT or https://HOST:PORT; several separated by commas, in order of "
                  "preference (a failed one is replaced by the next that answers GET /v2/health/ready)")
      ->required();
  cmd->add_option("--server-model", o->server_model, "The model's name on the server (default: MODEL's name)");
  cmd->add_option("--tail-name", o->tail_name,
                  "Template of the tails' names on the server: {model} and {cut}, e.g. {model}_tail{cut} for a Triton "
                  "repository (the tail from cut 0 is the whole model)")
      ->capture_default_str();
  cmd->add_option("--tensors", o->tensors,
                  "binary, json, or auto: binary when the server's metadata lists binary_tensor_data")
      ->capture_default_str();
  cmd->add_option("--nonfinite", o->nonfinite,
                  "NaN/Inf in the server's answer: fallback (finish the request here) or keep (use it, counted)")
      ->capture_default_str();
  cmd->add_option("--split", o->split, "auto, or a cut: layer number 0..L, layer name, 'input' or 'output'")
      ->capture_default_str();
  cmd->add_option("--objective", o->objective, "What auto minimizes: latency, energy, weighted[:W], throughput")
      ->capture_default_str();
  cmd->add_option("--codec", o->codec, fmt::format("Cut-tensor codec: {}", fmt::join(codec_names(), ", ")))
      ->capture_default_str();
  add_input_options(*cmd, *o);
  cmd->add_option("--emulate-link", o->emulate_link,
                  "Shape this client's traffic like a link: wifi, lte, 3g, MBPS[,RTT_MS] or up=,down=,rtt= "
                  "(a local proxy: rate and delay each way)");
  cmd->add_option("--link", o->link, "The link auto assumes before it has measured any (default: the emulated one, "
                                     "else wifi)");
  cmd->add_option("--device", o->device, "Profile of this device for the planner")->capture_default_str();
  cmd->add_option("--device-host", o->device_host, "With --device edgetpu-usb2|3: the host's profile")
      ->capture_default_str();
  cmd->add_option("--server-profile", o->server_profile, "Profile of the server for the planner")->capture_default_str();
  cmd->add_option("--backend", o->backend, "Backend for the head (default: onednn on x86-64, xnnpack on arm64)");
  add_precision_options(*cmd, o->precision);
  cmd->add_option("--threads", o->threads, "Threads for the head")->capture_default_str();
  cmd->add_option("--token-file", options->token_file, "Send `Authorization: Bearer TOKEN`, TOKEN the file's first line");
  cmd->add_option("--ca-cert", o->ca_cert, "HTTPS: trust this CA certificate (PEM)");
  cmd->add_flag("--insecure", o->insecure, "HTTPS: do not verify the server's certificate");
  cmd->add_option("--timeout", o->timeout_s,
                  "Seconds a request may take on the server, whole (sending, waiting, reading), before it is finished "
                  "here")
      ->capture_default_str();
  cmd->add_option("--retry-after", o->retry_after_s, "Seconds to run locally after a server failure before trying it again")
      ->capture_default_str();
  cmd->add_option("-o,--output", options->output, "Write the run JSON here (docs/serve.md)");
  cmd->add_option("--save-outputs", o->save_outputs,
                  "Write each request's answer to DIR as NumPy .npy (NNNN.npy, request NNNN from 1; NNNN-OUTPUT.npy for "
                  "models with several outputs)");
  cmd->add_flag("--json", options->json, "Print the run JSON instead of the table");
  cmd->add_flag("--quiet", o->quiet, "Print only the summary");
  cmd->callback([options, &exit_code] { exit_code = run_run(*options); });
}

}  // namespace splitpoint::cli
