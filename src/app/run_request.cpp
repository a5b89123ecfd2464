#include "app/run_request.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <memory>

#include "app/model_source.h"
#include "app/planner_inputs.h"
#include "core/error.h"
#include "core/image.h"
#include "core/npy.h"
#include "core/version.h"
#include "engine/random_inputs.h"
#include "dataset/labelled_images.h"
#include "engine/top_k.h"
#include "graph/cut.h"
#include "profile/machine_info.h"
#include "serve/link_emulator.h"
#include "serve/live_split.h"

namespace splitpoint {

namespace {

struct NamedInput {
  std::string name;
  std::vector<Tensor> tensors;
  std::optional<int64_t> label;
};

std::vector<NamedInput> images_in(const Graph& graph, const RunRequest& o) {
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
  std::vector<int64_t> labels;
  if (!o.labels.empty()) {
    labels = read_labels(o.labels);
    if (labels.size() != files.size())
      throw Error(fmt::format("{}: {} labels, but --inputs {} has {} images", o.labels, labels.size(), o.inputs_dir,
                              files.size()));
  }
  const Shape& shape = graph.tensor(graph.inputs()[0]).shape;
  const size_t n = o.count > 0 ? static_cast<size_t>(o.count) : files.size();
  std::vector<NamedInput> inputs;
  for (size_t i = 0; i < n; ++i) {
    const size_t file = i % files.size();
    inputs.push_back({files[file].filename().string(),
                      {load_image(files[file].string(), shape, parse_preprocess(o.preprocess))},
                      labels.empty() ? std::nullopt : std::optional<int64_t>(labels[file])});
  }
  return inputs;
}

std::vector<NamedInput> gather_inputs(const Graph& graph, const RunRequest& o) {
  if (!o.inputs_dir.empty()) return images_in(graph, o);
  std::vector<NamedInput> inputs;
  const int n = o.count > 0 ? o.count : 10;
  for (int i = 0; i < n; ++i)
    inputs.push_back({fmt::format("random#{}", o.seed + static_cast<uint64_t>(i)),
                      random_inputs(graph, o.seed + static_cast<uint64_t>(i)), std::nullopt});
  return inputs;
}

// Request `index` (from 0)'s answer as NNNN.npy (NNNN-OUTPUT.npy for several outputs).
void save_outputs(const Graph& graph, const std::vector<Tensor>& outputs, size_t index, const std::string& dir) {
  for (size_t k = 0; k < outputs.size(); ++k) {
    std::string name = graph.tensor(graph.outputs()[k]).name;  // a file name: "a/b:0" becomes "a_b_0"
    for (char& ch : name)
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '.') ch = '_';
    const std::string stem =
        outputs.size() == 1 ? fmt::format("{:04d}", index + 1) : fmt::format("{:04d}-{}", index + 1, name);
    write_npy(std::filesystem::path(dir) / (stem + ".npy"), outputs[k]);
  }
}

ClientOptions client_options_of(const RunRequest& o) {
  ClientOptions c;
  c.timeout_s = o.timeout_s;
  c.ca_cert = o.ca_cert;
  c.insecure = o.insecure;
  c.token = o.token;
  return c;
}

std::optional<LinkProfile> emulated_link(const RunRequest& o) {
  if (o.emulate_link.empty()) return std::nullopt;
  return parse_link(o.emulate_link);
}

LinkProfile prior_link(const RunRequest& o) {
  const std::optional<LinkProfile> emulated = emulated_link(o);
  return !o.link.empty() ? parse_link(o.link) : emulated ? *emulated : parse_link("wifi");
}

RunReport report_head(const RunRequest& o, const Graph& graph, const std::vector<Layer>& layers,
                      const std::string& server_model, const ChainInputs& inputs) {
  RunReport report;
  report.tool = kToolVersion;
  report.date = utc_iso8601(std::chrono::system_clock::now());
  report.model = graph.name;
  report.server = o.server;
  report.server_model = server_model;
  report.codec = codec_name(parse_codec(o.codec));
  report.split = o.split;
  report.objective = objective_name(parse_objective(o.objective));
  report.device_profile = inputs.device.name;
  report.server_profile = inputs.server.name;
  report.prior_link = prior_link(o);
  report.emulated_link = emulated_link(o);
  report.layers = static_cast<int>(layers.size());
  for (const Layer& l : layers) report.layer_names.push_back(graph.node(l.main).name);
  return report;
}

struct ServerCheck {
  bool binary = true;                // the servers take binary tensors
  bool whole_model_refused = false;  // (--split auto) a server refused the whole model: cut 0 is dropped
  std::optional<nlohmann::json> metadata;  // of the tail asked for (the fixed cut's, or the whole model), first answer
};

// What the servers host and take, asked before the first request: with a fixed cut only its tail (Error when a server
// refuses it), with auto the whole model (a refusal drops cut 0); an unreachable server is a warning. Tensors go in
// binary unless asked otherwise or a server's metadata (GET /v2) does not list binary_tensor_data.
ServerCheck check_servers(const std::vector<std::unique_ptr<OipClient>>& clients, const RunRequest& o,
                          const std::string& server_model, std::optional<int> fixed_cut,
                          const std::vector<Layer>& layers, const RunObserver& observer) {
  ServerCheck check;
  check.binary = o.tensors != "json";
  const bool all_local = fixed_cut && *fixed_cut == static_cast<int>(layers.size());
  if (all_local) return check;
  const std::string model = fixed_cut ? tail_model_name(server_model, *fixed_cut, o.tail_name) : server_model;
  const auto warn = [&](const std::string& what) {
    if (observer.warning) observer.warning(fmt::format("{} (requests will run locally until it answers)", what));
  };
  for (const auto& client : clients) {
    try {
      nlohmann::json metadata = client->metadata(model);
      if (!check.metadata) check.metadata = std::move(metadata);
    } catch (const ServerUnavailable& e) {
      warn(e.what());
      continue;
    } catch (const ServerRefused& e) {
      if (fixed_cut || e.status() == 401 || e.status() == 403) throw;
      check.whole_model_refused = true;
      if (observer.warning)
        observer.warning(fmt::format("{}: cut 0 dropped; a tail the server refuses drops its cut", e.what()));
    }
    if (o.tensors != "auto") continue;
    try {
      const nlohmann::json meta = client->server_metadata();
      const auto extensions = meta.is_object() ? meta.find("extensions") : meta.end();
      bool lists_binary = false;
      if (extensions != meta.end() && extensions->is_array())
        for (const auto& e : *extensions) lists_binary = lists_binary || e == "binary_tensor_data";
      if (!lists_binary) check.binary = false;
    } catch (const ServerUnavailable& e) {
      warn(e.what());
    } catch (const ServerRefused&) {
      check.binary = false;  // no server metadata: no extension listed
    }
  }
  if (observer.note && o.tensors == "auto")
    observer.note(check.binary ? "tensors in binary (binary_tensor_data)"
                               : "tensors as JSON (a server does not list binary_tensor_data)");
  return check;
}

}  // namespace

std::vector<std::string> server_urls(const std::string& server) {
  if (server.empty()) throw Error("give --server URL (http://HOST:PORT of `splitpoint serve`)");
  std::vector<std::string> urls;
  size_t from = 0;
  while (true) {
    const size_t comma = server.find(',', from);
    const std::string url = server.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
    if (url.empty()) throw Error(fmt::format("--server '{}': an empty URL in the list", server));
    parse_server_url(url);
    if (std::find(urls.begin(), urls.end(), url) != urls.end())
      throw Error(fmt::format("--server '{}': {} is given twice", server, url));
    urls.push_back(url);
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  return urls;
}

void check_run_request(const RunRequest& o) {
  server_urls(o.server);
  check_tail_name_template(o.tail_name);
  if (o.tensors != "auto" && o.tensors != "binary" && o.tensors != "json")
    throw Error(fmt::format("--tensors must be auto, binary or json, is '{}'", o.tensors));
  if (o.nonfinite != "fallback" && o.nonfinite != "keep")
    throw Error(fmt::format("--nonfinite must be fallback or keep, is '{}'", o.nonfinite));
  if (o.count < 0) throw Error(fmt::format("--count must be positive, is {}", o.count));
  if (o.threads < 1) throw Error(fmt::format("--threads must be at least 1, is {}", o.threads));
  if (!(o.timeout_s > 0)) throw Error(fmt::format("--timeout must be positive, is {}", o.timeout_s));
  if (!(o.retry_after_s >= 0)) throw Error(fmt::format("--retry-after must be 0 or more, is {}", o.retry_after_s));
  check_precision_options(o.precision);
  if (!o.labels.empty() && o.inputs_dir.empty())
    throw Error("--labels needs --inputs DIR (the labels are those of its images, in name order)");
  parse_objective(o.objective);
  parse_codec(o.codec);
  prior_link(o);
}

RunOutcome execute_run(const RunRequest& o, const RunObserver& observer) {
  check_run_request(o);
  if (!o.save_outputs.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.save_outputs, ec);
    if (ec || !std::filesystem::is_directory(o.save_outputs))
      throw Error(fmt::format("--save-outputs {}: cannot create the directory{}", o.save_outputs,
                              ec ? ": " + ec.message() : ""));
  }
  if (!o.inputs_dir.empty() && !std::filesystem::is_directory(o.inputs_dir))
    throw Error(fmt::format("--inputs {}: not a directory", o.inputs_dir));
  const CutCodec codec = parse_codec(o.codec);
  const std::optional<LinkProfile> emulated = emulated_link(o);
  ClientOptions client_options = client_options_of(o);

  auto backend = make_backend(o.backend.empty() ? default_backend_name() : o.backend);
  PreparedModel prepared = prepare_model(*backend, load_model(o.model, /*with_weights=*/true), o.precision, o.threads,
                                         o.quiet);
  Graph graph = std::move(prepared.graph);
  const std::string server_model = o.server_model.empty() ? graph.name : o.server_model;
  const std::vector<Layer> layers = group_layers(graph);
  LiveSplitOptions live_options;
  if (o.split != "auto") live_options.fixed_cut = resolve_cut(graph, layers, o.split);
  live_options.objective = parse_objective(o.objective);

  const std::vector<NamedInput> inputs = gather_inputs(graph, o);
  if (observer.note) observer.note(fmt::format("measuring the codec's bytes per cut on {}", inputs.front().name));
  const ChainInputs plan_inputs =
      live_chain_inputs(graph, ProfileSpecs{o.device, o.device_host, o.server_profile, model_name_of(o.model)},
                        prior_link(o), codec, *backend, inputs.front().tensors, o.threads);

  std::vector<std::unique_ptr<LinkEmulator>> emulators;
  std::vector<std::unique_ptr<OipClient>> clients;
  std::vector<OipClient*> client_pointers;
  for (const std::string& url : server_urls(o.server)) {
    ClientOptions c = client_options;
    if (emulated) {
      const ServerUrl parsed = parse_server_url(url);
      emulators.push_back(std::make_unique<LinkEmulator>(parsed.host, parsed.port, link_shape(*emulated)));
      c.via_port = emulators.back()->port();
    }
    clients.push_back(std::make_unique<OipClient>(url, c));
    client_pointers.push_back(clients.back().get());
  }
  SplitRunnerOptions runner_options{codec, o.threads, SplitRunnerOptions{}.cache_capacity, o.retry_after_s};
  runner_options.tail_name_template = o.tail_name;
  runner_options.nonfinite_falls_back = o.nonfinite == "fallback";
  const ServerCheck check = check_servers(clients, o, server_model, live_options.fixed_cut, layers, observer);
  runner_options.binary_tensors = check.binary;
  if (!check.binary && codec.compression != Compression::none)
    throw Error(fmt::format("--codec {}: a compressed cut tensor travels as binary BYTES, and the server takes JSON "
                            "tensors only (--tensors, docs/serve.md): use fp32, fp16 or uint8",
                            codec_name(codec)));
  SplitRunner runner(graph, server_model, std::move(backend), runner_options, nullptr);
  runner.set_servers(client_pointers);
  if (check.metadata) runner.set_tail_metadata(live_options.fixed_cut.value_or(0), *check.metadata);
  LiveSplit live(runner, plan_inputs, live_options);
  if (check.whole_model_refused) live.drop_cut(0);

  RunOutcome outcome;
  outcome.report = report_head(o, graph, layers, server_model, plan_inputs);
  if (observer.start) observer.start(outcome.report);
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<Tensor> outputs;
    RunEntry entry{static_cast<int>(i), inputs[i].name, live.step(inputs[i].tensors, &outputs), std::nullopt,
                   inputs[i].label};
    if (outputs.size() == 1 && outputs[0].dtype() == DType::f32) entry.top1 = top_k(outputs[0], 1).front().index;
    if (!o.save_outputs.empty()) save_outputs(graph, outputs, i, o.save_outputs);
    outcome.report.entries.push_back(entry);
    if (observer.entry) observer.entry(entry);
  }
  outcome.link_estimate = live.estimator().estimate();
  outcome.bandwidth_samples = live.estimator().bandwidth_samples();
  outcome.rtt_samples = live.estimator().rtt_samples();
  outcome.server_scale = live.server_scale();
  return outcome;
}

}  // namespace splitpoint
