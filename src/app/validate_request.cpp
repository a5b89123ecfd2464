#include "app/validate_request.h"

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/accuracy_request.h"
#include "app/model_source.h"
#include "app/planner_inputs.h"
#include "core/error.h"
#include "core/version.h"
#include "dataset/labelled_images.h"
#include "engine/random_inputs.h"
#include "engine/top_k.h"
#include "graph/cut.h"
#include "profile/machine_info.h"
#include "serve/link_emulator.h"
#include "serve/model_naming.h"
#include "serve/run_report.h"

namespace splitpoint {

namespace {

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

// Links are separated by ';' when a custom one has commas ("lte;10,20").
std::vector<LinkProfile> parse_links(const std::string& text) {
  std::vector<LinkProfile> links;
  for (const std::string& l : split_list(text, text.find(';') != std::string::npos ? ';' : ','))
    links.push_back(parse_link(l));
  if (links.empty()) throw Error("--links: give at least one link");
  return links;
}

std::vector<int> requested_cuts(const ValidateRequest& o, const Graph& graph, const std::vector<Layer>& layers) {
  std::vector<int> cuts;
  if (o.cuts == "all" || o.cuts == "auto") {
    for (int k = 0; k <= static_cast<int>(layers.size()); ++k) cuts.push_back(k);
  } else {
    for (const std::string& c : split_list(o.cuts)) cuts.push_back(resolve_cut(graph, layers, c));
  }
  return cuts;
}

// Cuts whose tensor takes more than max_upload_s on the slowest link would
// make the run long without saying more: left out, and said so.
void drop_slow_cuts(ValidateSetup& setup, const ChainInputs& inputs, double max_upload_s) {
  const LinkProfile* slowest = &setup.links.front();
  for (const LinkProfile& l : setup.links) {
    if (l.uplink_mbps < slowest->uplink_mbps) slowest = &l;
  }
  std::vector<int> kept;
  for (int k : setup.cuts) {
    const bool slow = k < setup.layers && slowest->upload_ms(inputs.cut_bytes[static_cast<size_t>(k)]) > 1000 * max_upload_s;
    (slow ? setup.dropped_cuts : kept).push_back(k);
  }
  setup.cuts = kept;
  setup.slowest_link = slowest->name;
}

std::vector<LinkAccuracy> accuracy_per_link(const ValidateSetup& setup, const std::vector<ValidationPoint>& points) {
  std::vector<LinkAccuracy> out;
  for (const LinkProfile& l : setup.links) {
    const LinkValidationSummary summary = summarize_link(points, l.name, setup.layers);
    out.push_back({l, summary.median_abs_prediction_error, summary.median_overhead});
  }
  return out;
}

// The server's throughput on the tail after `load_cut`, with 1 and then N clients, no link emulation.
void run_load(const ValidateRequest& o, const ClientOptions& client_options, SplitRunner& runner,
              const std::vector<Tensor>& input, const std::string& server_model, int load_cut,
              const ValidateObserver& observer, ValidateReport& report) {
  // The cut tensor of the load cut, encoded once: the clients only send.
  const InferRequest request = runner.make_request(runner.run_head(input, load_cut));
  report.load_model = tail_model_name(server_model, load_cut);
  report.load_cut = load_cut;
  if (observer.load_start) observer.load_start(report.load_model, load_cut);
  for (int n : {1, o.clients}) {
    LoadTestOptions lo;
    lo.clients = n;
    lo.seconds = o.load_seconds;
    report.load.push_back({n, run_load_test(o.server, client_options, report.load_model, request, lo)});
    if (observer.load_run) observer.load_run(report.load.back());
    if (n == o.clients) break;
  }
}

// The first `data_limit` labelled images run split at each of setup.cuts through `client` (no emulated link).
std::vector<AnswerAccuracy> answer_accuracy(const ValidateRequest& o, const Graph& graph, const LabelledImages& data,
                                            const std::vector<int>& cuts, SplitRunner& runner, OipClient& client,
                                            const ValidateObserver& observer) {
  const Shape shape = image_input(graph, data).shape;
  const int64_t images = std::min(o.data_limit, data.count);
  runner.set_client(&client);
  std::vector<AnswerAccuracy> out;
  for (int cut : cuts) {
    if (observer.note) observer.note(fmt::format("cut {}: answers on {} labelled images of {}", cut, images, data.source));
    AnswerAccuracy a{cut, 0, 0, 0};
    for (int64_t i = 0; i < images; ++i) {
      RequestRecord record;
      const std::vector<Tensor> outputs = runner.run({unit_tensor(data.image(i), shape)}, cut, record);
      ++a.images;
      if (record.fallback) ++a.fallbacks;
      if (top_k(outputs.at(0), 1).front().index == data.labels[static_cast<size_t>(i)]) ++a.correct;
    }
    out.push_back(a);
    if (observer.answers) observer.answers(a);
  }
  return out;
}

}  // namespace

void check_validate_request(const ValidateRequest& o) {
  if (o.repeats < 1) throw Error(fmt::format("--repeats must be at least 1, is {}", o.repeats));
  if (o.clients < 0) throw Error(fmt::format("--clients must be 0 or more, is {}", o.clients));
  if (o.clients > 0 && !(o.load_seconds > 0))
    throw Error(fmt::format("--load-seconds must be positive, is {}", o.load_seconds));
  if (o.threads < 1) throw Error(fmt::format("--threads must be at least 1, is {}", o.threads));
  parse_codec(o.codec);
  parse_server_url(o.server);
  parse_links(o.links);
  if (!o.labels.empty() && o.data.empty()) throw Error("--labels needs --data (the images file it labels)");
  if (o.data_limit < 1) throw Error(fmt::format("--data-limit must be at least 1, is {}", o.data_limit));
}

ValidateReport execute_validate(const ValidateRequest& o, const ValidateObserver& observer) {
  check_validate_request(o);
  const CutCodec codec = parse_codec(o.codec);
  const ServerUrl url = parse_server_url(o.server);
  ValidateReport report;
  report.tool = kToolVersion;
  report.server = o.server;
  report.repeats = o.repeats;
  ValidateSetup& setup = report.setup;
  setup.links = parse_links(o.links);

  auto backend = make_backend(o.backend.empty() ? default_backend_name() : o.backend);
  Graph graph = load_model(o.model, /*with_weights=*/true);
  const std::string server_model = o.server_model.empty() ? graph.name : o.server_model;
  const std::vector<Layer> layers = group_layers(graph);
  setup.model = graph.name;
  setup.codec = codec_name(codec);
  setup.layers = static_cast<int>(layers.size());
  setup.cuts = requested_cuts(o, graph, layers);
  const int load_cut = resolve_cut(graph, layers, o.load_cut);
  std::optional<DataSource> data;
  if (!o.data.empty()) {  // read and checked against the model before any long work
    data = open_data_source(o.data, o.labels.empty() ? std::nullopt : std::optional<std::filesystem::path>(o.labels));
    image_input(graph, data->test);
    report.data = data->test.source;
  }
  if (o.clients > 0 && load_cut == setup.layers)
    throw Error("--load-cut: the last cut runs nothing on the server; choose an earlier one");

  const std::vector<Tensor> input = random_inputs(graph, 1);
  if (observer.note) observer.note("measuring the codec's bytes per cut");
  const ChainInputs plan_inputs =
      live_chain_inputs(graph, ProfileSpecs{o.device, o.device_host, o.server_profile, model_name_of(o.model)},
                        setup.links.front(), codec, *backend, input, o.threads);
  setup.device_profile = plan_inputs.device.name;
  setup.server_profile = plan_inputs.server.name;
  if (o.cuts == "auto") drop_slow_cuts(setup, plan_inputs, o.max_upload_s);
  if (observer.setup) observer.setup(setup);

  ClientOptions client_options;
  client_options.timeout_s = o.timeout_s;
  OipClient(o.server, client_options).metadata(server_model);  // the server must be up and host the model
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
  if (observer.runs_start) observer.runs_start(setup);
  ValidationOptions options;
  options.links = setup.links;
  options.cuts = setup.cuts;
  options.repeats = o.repeats;
  report.points = validate_cuts(runner, plan_inputs, input, options, client_for, observer.point);
  report.date = utc_iso8601(std::chrono::system_clock::now());
  report.per_link = accuracy_per_link(setup, report.points);
  if (observer.accuracy) observer.accuracy(report.per_link);
  std::unique_ptr<OipClient> direct;  // lives as long as the runner may use it
  if (data) {
    direct = std::make_unique<OipClient>(o.server, client_options);
    report.answers = answer_accuracy(o, graph, data->test, setup.cuts, runner, *direct, observer);
  }
  if (o.clients > 0) run_load(o, client_options, runner, input, server_model, load_cut, observer, report);
  return report;
}

std::string validate_report_json(const ValidateReport& r) {
  nlohmann::json j;
  j["schema"] = "splitpoint-validate";
  j["schema_version"] = 1;
  j["tool"] = r.tool;
  j["date"] = r.date;
  j["model"] = r.setup.model;
  j["server"] = r.server;
  j["codec"] = r.setup.codec;
  j["device_profile"] = r.setup.device_profile;
  j["server_profile"] = r.setup.server_profile;
  j["repeats"] = r.repeats;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& p : r.points)
    rows.push_back({{"link", p.link}, {"cut", p.cut}, {"runs", p.runs}, {"fallbacks", p.fallbacks},
                    {"tensor_bytes", p.tensor_bytes}, {"measured_ms", p.measured_ms}, {"predicted_ms", p.predicted_ms},
                    {"expected_ms", p.expected_ms}, {"head_ms", p.head_ms}, {"server_ms", p.server_ms},
                    {"network_ms", p.network_ms}, {"prediction_error", p.prediction_error}, {"overhead", p.overhead}});
  j["points"] = rows;
  nlohmann::json per_link = nlohmann::json::array();
  for (const LinkAccuracy& a : r.per_link)
    per_link.push_back({{"link", a.link.name}, {"uplink_mbps", a.link.uplink_mbps},
                        {"downlink_mbps", a.link.downlink_mbps}, {"rtt_ms", a.link.rtt_ms},
                        {"median_abs_prediction_error", a.median_abs_prediction_error},
                        {"median_overhead", a.median_overhead}});
  j["per_link"] = per_link;
  if (!r.data.empty()) {
    nlohmann::json answers = nlohmann::json::array();
    for (const AnswerAccuracy& a : r.answers)
      answers.push_back({{"cut", a.cut}, {"correct", a.correct}, {"images", a.images}, {"fallbacks", a.fallbacks},
                         {"accuracy_percent", a.percent()}});
    j["answers"] = {{"data", r.data}, {"cuts", answers}};
  }
  if (!r.load_model.empty()) {
    nlohmann::json load = nlohmann::json::array();
    for (const LoadRun& run : r.load) {
      const LoadTestResult& t = run.result;
      load.push_back({{"clients", run.clients}, {"seconds", t.seconds}, {"requests", t.requests}, {"errors", t.errors},
                      {"requests_per_s", t.requests_per_s}, {"p50_ms", t.p50_ms}, {"p90_ms", t.p90_ms},
                      {"p99_ms", t.p99_ms}, {"max_ms", t.max_ms}});
    }
    j["load"] = {{"model", r.load_model}, {"cut", r.load_cut}, {"runs", load}};
  }
  return j.dump(2) + "\n";
}

}  // namespace splitpoint
