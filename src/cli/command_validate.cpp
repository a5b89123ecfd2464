// `splitpoint validate MODEL --server URL`: measured vs predicted end-to-end
// latency of each cut over emulated links (serve/link_validation.h), then the
// server's throughput under concurrent clients (serve/load_test.h).
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/device_profiles.h"
#include "cli/live_plan_inputs.h"
#include "cli/model_source.h"
#include "cli/output_file.h"
#include "cli/units.h"
#include "cli/version.h"
#include "core/error.h"
#include "core/file_io.h"
#include "engine/random_inputs.h"
#include "graph/cut.h"
#include "profile/machine_info.h"
#include "serve/link_emulator.h"
#include "serve/link_validation.h"
#include "serve/load_test.h"
#include "serve/model_naming.h"
#include "serve/run_report.h"

namespace splitpoint::cli {

namespace {

struct ValidateOptions {
  std::string model;
  std::string server;
  std::string server_model;
  std::string links = "wifi,lte,3g";
  std::string cuts = "auto";
  double max_upload_s = 3;
  int repeats = 5;
  std::string codec = "fp32";
  std::string device = kThisMachineProfile;
  std::string server_profile = kThisMachineProfile;
  std::string backend;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int clients = 8;
  double load_seconds = 10;
  std::string load_cut = "0";
  double timeout_s = 60;
  std::string output;
};

std::vector<std::string> split_list(const std::string& text, char separator = ',') {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    if (end > start) parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}


int run_validate(const ValidateOptions& o) {
  if (o.repeats < 1) throw Error(fmt::format("--repeats must be at least 1, is {}", o.repeats));
  if (o.clients < 0) throw Error(fmt::format("--clients must be 0 or more, is {}", o.clients));
  if (o.clients > 0 && !(o.load_seconds > 0))
    throw Error(fmt::format("--load-seconds must be positive, is {}", o.load_seconds));
  if (o.threads < 1) throw Error(fmt::format("--threads must be at least 1, is {}", o.threads));
  const CutCodec codec = parse_codec(o.codec);
  const ServerUrl url = parse_server_url(o.server);
  // Links are separated by ';' when a custom one has commas ("lte;10,20").
  std::vector<LinkProfile> links;
  for (const std::string& l : split_list(o.links, o.links.find(';') != std::string::npos ? ';' : ','))
    links.push_back(parse_link(l));
  if (links.empty()) throw Error("--links: give at least one link");
  check_output_file("-o", o.output);

  auto backend = make_backend(o.backend.empty() ? default_backend_name() : o.backend);
  Graph graph = load_model(o.model, /*with_weights=*/true);
  const std::string server_model = o.server_model.empty() ? graph.name : o.server_model;
  const std::vector<Layer> layers = group_layers(graph);
  std::vector<int> cuts;
  if (o.cuts == "all" || o.cuts == "auto") {
    for (int k = 0; k <= static_cast<int>(layers.size()); ++k) cuts.push_back(k);
  } else {
    for (const std::string& c : split_list(o.cuts)) cuts.push_back(resolve_cut(graph, layers, c));
  }
  const int load_cut = resolve_cut(graph, layers, o.load_cut);
  if (o.clients > 0 && load_cut == static_cast<int>(layers.size()))
    throw Error("--load-cut: the last cut runs nothing on the server; choose an earlier one");

  const std::vector<Tensor> input = random_inputs(graph, 1);
  fmt::print(stderr, "validate: measuring the codec's bytes per cut\n");
  ChainInputs plan_inputs = live_chain_inputs(graph, LivePlanSpec{o.device, "rpi3bplus-cpu-f32", o.server_profile,
                                                                  model_name_of(o.model)},
                                              links.front(), codec, *backend, input, o.threads);

  if (o.cuts == "auto") {
    // Cuts whose tensor takes more than --max-upload seconds on the slowest
    // link would make the run long without saying more: left out, and said so.
    const LinkProfile* slowest = &links.front();
    for (const LinkProfile& l : links) {
      if (l.uplink_mbps < slowest->uplink_mbps) slowest = &l;
    }
    std::vector<int> kept, dropped;
    for (int k : cuts) {
      const bool slow = k < static_cast<int>(layers.size()) &&
                        slowest->upload_ms(plan_inputs.cut_bytes[static_cast<size_t>(k)]) > 1000 * o.max_upload_s;
      (slow ? dropped : kept).push_back(k);
    }
    cuts = kept;
    if (!dropped.empty())
      fmt::print("cuts {} left out: their tensors take over {:g} s to upload over {} (--cuts all runs them)\n",
                 fmt::join(dropped, ","), o.max_upload_s, slowest->name);
  }
  ClientOptions client_options;
  client_options.timeout_s = o.timeout_s;
  {
    OipClient probe(o.server, client_options);
    probe.metadata(server_model);  // the server must be up and host the model
  }
  SplitRunnerOptions runner_options;
  runner_options.codec = codec;
  runner_options.threads = o.threads;
  runner_options.cache_capacity = layers.size() + 1;
  runner_options.retry_after_s = 0;
  SplitRunner runner(graph, server_model, make_backend(backend->name()), runner_options, nullptr);

  std::vector<std::unique_ptr<LinkEmulator>> emulators;
  std::vector<std::unique_ptr<OipClient>> clients;
  auto client_for = [&](const LinkProfile& link) {
    emulators.push_back(std::make_unique<LinkEmulator>(url.host, url.port, link_shape(link)));
    ClientOptions c = client_options;
    c.via_port = emulators.back()->port();
    clients.push_back(std::make_unique<OipClient>(o.server, c));
    return clients.back().get();
  };
  fmt::print("{}: measured vs predicted end-to-end latency per cut ({} runs each, median; codec {}; device profile {}, "
             "server profile {})\n",
             graph.name, o.repeats, codec_name(codec), plan_inputs.device.name, plan_inputs.server.name);
  fmt::print("{:<10} {:>4} {:>11} {:>9} {:>9} {:>9} {:>10} {:>10} {:>8} {:>10} {:>9}\n", "link", "cut", "sent",
             "head ms", "server ms", "net ms", "measured", "predicted", "error", "expected", "overhead");
  ValidationOptions options;
  options.links = links;
  options.cuts = cuts;
  options.repeats = o.repeats;
  const auto points = validate_cuts(runner, plan_inputs, input, options, client_for, [](const ValidationPoint& p) {
    fmt::print("{:<10} {:>4} {:>11} {:>9} {:>9} {:>9} {:>10} {:>10} {:>7.1f}% {:>10} {:>8.1f}%{}\n", p.link.substr(0, 10),
               p.cut, fmt::format("{} B", p.tensor_bytes), millis(p.head_ms), millis(p.server_ms), millis(p.network_ms),
               millis(p.measured_ms), millis(p.predicted_ms), 100 * p.prediction_error, millis(p.expected_ms),
               100 * p.overhead, p.fallbacks ? fmt::format("  ({} runs not answered)", p.fallbacks) : "");
    std::fflush(stdout);
  });

  nlohmann::json j;
  j["schema"] = "splitpoint-validate";
  j["schema_version"] = 1;
  j["tool"] = kToolVersion;
  j["date"] = utc_iso8601(std::chrono::system_clock::now());
  j["model"] = graph.name;
  j["server"] = o.server;
  j["codec"] = codec_name(codec);
  j["device_profile"] = plan_inputs.device.name;
  j["server_profile"] = plan_inputs.server.name;
  j["repeats"] = o.repeats;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& p : points)
    rows.push_back({{"link", p.link}, {"cut", p.cut}, {"runs", p.runs}, {"fallbacks", p.fallbacks},
                    {"tensor_bytes", p.tensor_bytes}, {"measured_ms", p.measured_ms}, {"predicted_ms", p.predicted_ms},
                    {"expected_ms", p.expected_ms}, {"head_ms", p.head_ms}, {"server_ms", p.server_ms},
                    {"network_ms", p.network_ms}, {"prediction_error", p.prediction_error}, {"overhead", p.overhead}});
  j["points"] = rows;

  fmt::print("\nper link: median |measured - predicted| / measured, and median overhead beyond compute + bytes / "
             "bandwidth + RTT\n");
  nlohmann::json per_link = nlohmann::json::array();
  for (const LinkProfile& l : links) {
    const LinkValidationSummary summary = summarize_link(points, l.name, static_cast<int>(layers.size()));
    const double e = summary.median_abs_prediction_error, h = summary.median_overhead;
    fmt::print("  {:<10} (up {:g} Mbps, down {:g} Mbps, RTT {:g} ms): prediction error {:.1f}%, overhead {:.1f}%\n",
               l.name, l.uplink_mbps, l.downlink_mbps, l.rtt_ms, 100 * e, 100 * h);
    per_link.push_back({{"link", l.name}, {"uplink_mbps", l.uplink_mbps}, {"downlink_mbps", l.downlink_mbps},
                        {"rtt_ms", l.rtt_ms}, {"median_abs_prediction_error", e}, {"median_overhead", h}});
  }
  j["per_link"] = per_link;

  if (o.clients > 0) {
    // The cut tensor of the load cut, encoded once: the clients only send.
    const InferRequest request = runner.make_request(runner.run_head(input, load_cut));
    const std::string model = tail_model_name(server_model, load_cut);
    fmt::print("\nserver throughput on {} (cut {}), no link emulation:\n", model, load_cut);
    nlohmann::json load = nlohmann::json::array();
    for (int n : {1, o.clients}) {
      LoadTestOptions lo;
      lo.clients = n;
      lo.seconds = o.load_seconds;
      const LoadTestResult r = run_load_test(o.server, client_options, model, request, lo);
      fmt::print("  {:>3} client{}: {:.2f} requests/s, latency p50 {} ms, p90 {} ms, p99 {} ms; {} requests, {} errors{}\n",
                 n, n == 1 ? " " : "s", r.requests_per_s, millis(r.p50_ms), millis(r.p90_ms), millis(r.p99_ms),
                 r.requests, r.errors, r.first_error.empty() ? "" : " (first: " + r.first_error + ")");
      load.push_back({{"clients", n}, {"seconds", r.seconds}, {"requests", r.requests}, {"errors", r.errors},
                      {"requests_per_s", r.requests_per_s}, {"p50_ms", r.p50_ms}, {"p90_ms", r.p90_ms},
                      {"p99_ms", r.p99_ms}, {"max_ms", r.max_ms}});
      if (n == o.clients) break;
    }
    j["load"] = {{"model", model}, {"cut", load_cut}, {"runs", load}};
  }
  if (!o.output.empty()) {
    write_file_atomically(o.output, j.dump(2) + "\n");
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
  auto o = std::make_shared<ValidateOptions>();
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
  cmd->add_option("--server-profile", o->server_profile, "Profile of the server for the prediction")->capture_default_str();
  cmd->add_option("--backend", o->backend, "Backend for the head");
  cmd->add_option("--threads", o->threads, "Threads for the head")->capture_default_str();
  cmd->add_option("--clients", o->clients, "Concurrent clients for the throughput test (0: skip it)")->capture_default_str();
  cmd->add_option("--load-seconds", o->load_seconds, "Seconds per throughput run")->capture_default_str();
  cmd->add_option("--load-cut", o->load_cut, "The cut whose tail the throughput test sends (0: the whole model)")
      ->capture_default_str();
  cmd->add_option("--timeout", o->timeout_s, "Seconds to wait for the server per request")->capture_default_str();
  cmd->add_option("-o,--output", o->output, "Write the results as JSON here");
  cmd->callback([o, &exit_code] { exit_code = run_validate(*o); });
}

}  // namespace splitpoint::cli
