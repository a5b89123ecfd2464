// `splitpoint run MODEL --server URL`: the device side of the live split. Runs
// the head, sends the cut tensor to the server's tail, prints per request where
// the time went and the device energy, re-planning the cut per request with
// --split auto (serve/live_split.h).
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "cli/commands.h"
#include "app/planner_inputs.h"
#include "cli/model_precision.h"
#include "app/model_source.h"
#include "cli/output_file.h"
#include "cli/units.h"
#include "core/version.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/image.h"
#include "core/npy.h"
#include "engine/random_inputs.h"
#include "engine/top_k.h"
#include "graph/cut.h"
#include "profile/machine_info.h"
#include "serve/link_emulator.h"
#include "serve/live_split.h"
#include "serve/run_report.h"

namespace splitpoint::cli {

namespace {

struct RunOptions {
  std::string model;
  std::string server;
  std::string server_model;
  std::string split = "auto";
  std::string objective = "latency";
  std::string codec = "fp32";
  std::string inputs_dir;
  int count = 0;
  std::string preprocess = "unit";
  std::string emulate_link;
  std::string link;
  std::string device = kThisMachineProfile;
  std::string device_host = kDefaultEdgeTpuHost;
  std::string server_profile = kThisMachineProfile;
  std::string backend;
  PrecisionOptions precision;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string token_file;
  std::string ca_cert;
  bool insecure = false;
  double timeout_s = 30;
  double retry_after_s = 2;
  uint64_t seed = 1;
  std::string output;
  std::string save_outputs;
  bool json = false;
  bool quiet = false;
};

struct NamedInput {
  std::string name;
  std::vector<Tensor> tensors;
};

std::vector<NamedInput> gather_inputs(const Graph& graph, const RunOptions& o) {
  std::vector<NamedInput> inputs;
  if (!o.inputs_dir.empty()) {
    if (graph.inputs().size() != 1) throw Error("--inputs DIR needs a model with one input");
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(o.inputs_dir)) {
      std::string ext = e.path().extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
      if (e.is_regular_file() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".ppm" ||
                                  ext == ".pgm" || ext == ".tga" || ext == ".gif"))
        files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw Error(fmt::format("--inputs {}: no images (.jpg, .png, .bmp, .ppm, ...)", o.inputs_dir));
    const Shape& shape = graph.tensor(graph.inputs()[0]).shape;
    const size_t n = o.count > 0 ? static_cast<size_t>(o.count) : files.size();
    for (size_t i = 0; i < n; ++i) {
      const auto& f = files[i % files.size()];
      inputs.push_back({f.filename().string(), {load_image(f.string(), shape, parse_preprocess(o.preprocess))}});
    }
  } else {
    const int n = o.count > 0 ? o.count : 10;
    for (int i = 0; i < n; ++i)
      inputs.push_back({fmt::format("random#{}", o.seed + static_cast<uint64_t>(i)),
                        random_inputs(graph, o.seed + static_cast<uint64_t>(i))});
  }
  return inputs;
}


int run_run(const RunOptions& o) {
  if (o.server.empty()) throw Error("give --server URL (http://HOST:PORT of `splitpoint serve`)");
  if (o.count < 0) throw Error(fmt::format("--count must be positive, is {}", o.count));
  if (o.threads < 1) throw Error(fmt::format("--threads must be at least 1, is {}", o.threads));
  if (!(o.timeout_s > 0)) throw Error(fmt::format("--timeout must be positive, is {}", o.timeout_s));
  if (!(o.retry_after_s >= 0)) throw Error(fmt::format("--retry-after must be 0 or more, is {}", o.retry_after_s));
  check_precision_options(o.precision);
  const Objective objective = parse_objective(o.objective);
  const CutCodec codec = parse_codec(o.codec);
  const ServerUrl url = parse_server_url(o.server);
  std::optional<LinkProfile> emulated;
  if (!o.emulate_link.empty()) emulated = parse_link(o.emulate_link);
  const LinkProfile prior = !o.link.empty() ? parse_link(o.link) : emulated ? *emulated : parse_link("wifi");
  check_output_file("-o", o.output);
  if (!o.save_outputs.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.save_outputs, ec);
    if (ec || !std::filesystem::is_directory(o.save_outputs))
      throw Error(fmt::format("--save-outputs {}: cannot create the directory{}", o.save_outputs,
                              ec ? ": " + ec.message() : ""));
  }

  if (!o.inputs_dir.empty() && !std::filesystem::is_directory(o.inputs_dir))
    throw Error(fmt::format("--inputs {}: not a directory", o.inputs_dir));
  ClientOptions client_options;
  client_options.timeout_s = o.timeout_s;
  client_options.ca_cert = o.ca_cert;
  client_options.insecure = o.insecure;
  if (!o.token_file.empty()) client_options.token = read_secret_file("--token-file", o.token_file);

  auto backend = make_backend(o.backend.empty() ? default_backend_name() : o.backend);
  Graph float_graph = load_model(o.model, /*with_weights=*/true);
  PreparedModel prepared = prepare_model(*backend, float_graph, o.precision, o.threads, o.quiet || o.json);
  Graph graph = std::move(prepared.graph);
  const std::string server_model = o.server_model.empty() ? graph.name : o.server_model;
  const std::vector<Layer> layers = group_layers(graph);
  std::optional<int> fixed_cut;
  if (o.split != "auto") fixed_cut = resolve_cut(graph, layers, o.split);

  const std::vector<NamedInput> inputs = gather_inputs(graph, o);

  ProfileSpecs spec{o.device, o.device_host, o.server_profile, model_name_of(o.model)};
  if (!o.quiet && !o.json) fmt::print(stderr, "run: measuring the codec's bytes per cut on {}\n", inputs.front().name);
  ChainInputs plan_inputs = live_chain_inputs(graph, spec, prior, codec, *backend, inputs.front().tensors, o.threads);

  std::unique_ptr<LinkEmulator> emulator;
  if (emulated) {
    emulator = std::make_unique<LinkEmulator>(url.host, url.port, link_shape(*emulated));
    client_options.via_port = emulator->port();
  }
  OipClient client(o.server, client_options);
  // The server must host this model (Error otherwise); an unreachable server
  // is not an error: every request will be finished here.
  try {
    client.metadata(server_model);
  } catch (const ServerUnavailable& e) {
    fmt::print(stderr, "run: warning: {} (requests will run locally until it answers)\n", e.what());
  }

  SplitRunnerOptions runner_options;
  runner_options.codec = codec;
  runner_options.threads = o.threads;
  runner_options.retry_after_s = o.retry_after_s;
  SplitRunner runner(graph, server_model, std::move(backend), runner_options, &client);
  LiveSplitOptions live_options;
  live_options.fixed_cut = fixed_cut;
  live_options.objective = objective;
  LiveSplit live(runner, plan_inputs, live_options);

  RunReport report;
  report.tool = kToolVersion;
  report.date = utc_iso8601(std::chrono::system_clock::now());
  report.model = graph.name;
  report.server = o.server;
  report.server_model = server_model;
  report.codec = codec_name(codec);
  report.split = o.split;
  report.objective = objective_name(objective);
  report.device_profile = plan_inputs.device.name;
  report.server_profile = plan_inputs.server.name;
  report.prior_link = prior;
  report.emulated_link = emulated;
  report.layers = runner.layer_count();
  for (const Layer& l : layers) report.layer_names.push_back(graph.node(l.main).name);

  const bool table = !o.json && !o.quiet;
  if (table) {
    fmt::print("{} over {}{}: split {}, objective {}, codec {}; device profile {}, server profile {}\n", graph.name,
               o.server, emulated ? fmt::format(" (emulated {}: up {:g} Mbps, down {:g} Mbps, RTT {:g} ms)", emulated->name,
                                                emulated->uplink_mbps, emulated->downlink_mbps, emulated->rtt_ms)
                                  : "",
               o.split, objective_name(objective), codec_name(codec), plan_inputs.device.name, plan_inputs.server.name);
    fmt::print("{:>4} {:<16} {:>4} {:<8} {:>8} {:>7} {:>8} {:>7} {:>8} {:>8} {:>7} {:>8} {:>9} {:>9} {:>8}  {}\n", "#",
               "input", "cut", "where", "head ms", "enc ms", "up ms", "RTT ms", "server", "down ms", "dec ms", "local",
               "total ms", "predicted", "device J", "top-1");
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<Tensor> outputs;
    LiveRecord r = live.step(inputs[i].tensors, &outputs);
    RunEntry entry{static_cast<int>(i), inputs[i].name, r, std::nullopt};
    if (outputs.size() == 1 && outputs[0].dtype() == DType::f32) entry.top1 = top_k(outputs[0], 1).front().index;
    if (!o.save_outputs.empty()) {
      for (size_t k = 0; k < outputs.size(); ++k) {
        std::string name = graph.tensor(graph.outputs()[k]).name;  // a file name: "a/b:0" becomes "a_b_0"
        for (char& ch : name)
          if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '.') ch = '_';
        const std::string stem = outputs.size() == 1 ? fmt::format("{:04d}", i + 1) : fmt::format("{:04d}-{}", i + 1, name);
        write_npy(std::filesystem::path(o.save_outputs) / (stem + ".npy"), outputs[k]);
      }
    }
    report.entries.push_back(entry);
    if (table) {
      const RequestRecord& q = r.request;
      const std::string where = q.remote ? (r.explored ? "explore" : "server") : q.fallback ? "FALLBACK" : "local";
      fmt::print("{:>4} {:<16} {:>4} {:<8} {:>8} {:>7} {:>8} {:>7} {:>8} {:>8} {:>7} {:>8} {:>9} {:>9} {:>8.3f}  {}\n", i + 1,
                 inputs[i].name.substr(0, 16), q.cut, where, millis(q.head_ms), millis(q.encode_ms), millis(r.upload_ms),
                 millis(r.rtt_ms), millis(q.server_ms), millis(r.download_ms), millis(q.decode_ms), millis(q.local_tail_ms),
                 millis(q.total_ms), millis(r.predicted.total_ms), r.energy_j,
                 entry.top1 ? std::to_string(*entry.top1) : "-");
      if (q.fallback) fmt::print("     finished here: {}\n", q.fallback_reason);
      std::fflush(stdout);
    }
  }
  const RunSummary s = summarize(report);
  if (!o.output.empty()) write_file_atomically(o.output, run_report_json(report));
  if (o.json) {
    fmt::print("{}", run_report_json(report));
    return 0;
  }
  fmt::print("\n{} requests: {} on the server, {} all local, {} finished locally after a server failure{}\n",
             s.requests, s.remote, s.local, s.fallbacks,
             s.fallback_inputs.empty() ? "" : fmt::format(" ({})", fmt::join(s.fallback_inputs, ", ")));
  fmt::print("end to end: median {} ms (p90 {} ms); predicted median {} ms; median |error| {:.1f}%; device energy "
             "median {:.3f} J\n",
             millis(s.median_total_ms), millis(s.p90_total_ms), millis(s.median_predicted_ms),
             100 * s.median_abs_error, s.median_energy_j);
  const LinkProfile est = live.estimator().estimate();
  fmt::print("link estimate now: up {:.3g} Mbps, down {:.3g} Mbps, RTT {:.3g} ms ({} bandwidth, {} RTT samples); "
             "server speed x{:.2f} its profile\n",
             est.uplink_mbps, est.downlink_mbps, est.rtt_ms, live.estimator().bandwidth_samples(),
             live.estimator().rtt_samples(), live.server_scale());
  if (!o.output.empty()) fmt::print("wrote {}\n", o.output);
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "run",
      "The device side of a live split: run layers 1..k here, send the cut tensor to `splitpoint serve` (or any\n"
      "Open Inference Protocol server hosting the tail as MODEL.tailK), get the result. Prints per request the\n"
      "head, encode, upload, RTT, server, download and decode times, the planner's prediction and the device\n"
      "energy (the device profile's compute energy plus the link's radio power x the measured transfer time).\n"
      "--split auto re-plans every request from a running estimate of the link and the server's reported time.\n"
      "A request the server cannot answer (refused, timeout, 5xx) is finished here and marked FALLBACK.");
  auto o = std::make_shared<RunOptions>();
  cmd->add_option("MODEL", o->model, "A zoo model name or a .tflite/.onnx file (the same the server hosts)")->required();
  cmd->add_option("--server", o->server, "The server: http://HOST:PORT or https://HOST:PORT")->required();
  cmd->add_option("--server-model", o->server_model, "The model's name on the server (default: MODEL's name)");
  cmd->add_option("--split", o->split, "auto, or a cut: layer number 0..L, layer name, 'input' or 'output'")
      ->capture_default_str();
  cmd->add_option("--objective", o->objective, "What auto minimizes: latency, energy, weighted[:W], throughput")
      ->capture_default_str();
  cmd->add_option("--codec", o->codec, fmt::format("Cut-tensor codec: {}", fmt::join(codec_names(), ", ")))
      ->capture_default_str();
  cmd->add_option("--inputs", o->inputs_dir, "A directory of images, each one request (sorted by name)");
  cmd->add_option("--count", o->count, "Requests: random inputs (default 10), or cycle through --inputs");
  cmd->add_option("--preprocess", o->preprocess, "How images are scaled: unit, caffe, torch, tf")->capture_default_str();
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
  cmd->add_option("--token-file", o->token_file, "Send `Authorization: Bearer TOKEN`, TOKEN the file's first line");
  cmd->add_option("--ca-cert", o->ca_cert, "HTTPS: trust this CA certificate (PEM)");
  cmd->add_flag("--insecure", o->insecure, "HTTPS: do not verify the server's certificate");
  cmd->add_option("--timeout", o->timeout_s, "Seconds to wait for the server before finishing a request here")
      ->capture_default_str();
  cmd->add_option("--retry-after", o->retry_after_s, "Seconds to run locally after a server failure before trying it again")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the first random input")->capture_default_str();
  cmd->add_option("-o,--output", o->output, "Write the run JSON here (docs/serve.md)");
  cmd->add_option("--save-outputs", o->save_outputs,
                  "Write each request's answer to DIR as NumPy .npy (NNNN.npy, request NNNN from 1; NNNN-OUTPUT.npy for "
                  "models with several outputs)");
  cmd->add_flag("--json", o->json, "Print the run JSON instead of the table");
  cmd->add_flag("--quiet", o->quiet, "Print only the summary");
  cmd->callback([o, &exit_code] { exit_code = run_run(*o); });
}

}  // namespace splitpoint::cli
