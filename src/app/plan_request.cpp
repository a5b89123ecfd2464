#include "app/plan_request.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>

#include "plan/accuracy_json.h"
#include "app/model_source.h"
#include "app/planner_inputs.h"
#include "core/error.h"
#include "core/image.h"
#include "core/version.h"
#include "cost/cut_sizes.h"
#include "cost/jpeg_codec.h"
#include "engine/random_inputs.h"
#include "graph/cut.h"
#include "plan/accuracy_bound.h"
#include "plan/bandwidth_sweep.h"
#include "plan/chain_search.h"
#include "plan/dag_plan.h"
#include "plan/multi_tier.h"
#include "profile/machine_info.h"

namespace splitpoint {

void check_plan_request(const PlanRequest& o) {
  if (o.device.empty()) throw Error("give --device PROFILE (a name from data/profiles or a .json file)");
  parse_objective(o.objective);
  parse_link(o.link);
  if (o.deadline_ms < 0) throw Error(fmt::format("--deadline must be positive, is {}", o.deadline_ms));
  if (o.device_memory_mb < 0) throw Error(fmt::format("--device-memory must be positive, is {}", o.device_memory_mb));
  if (!(o.device_idle_w >= 0)) throw Error(fmt::format("--device-idle-w must be 0 or more, is {}", o.device_idle_w));
  if (o.jpeg_quality != 0 && (o.jpeg_quality < 1 || o.jpeg_quality > 100))
    throw Error(fmt::format("--jpeg-quality must be 1..100, is {}", o.jpeg_quality));
  if (o.jpeg_quality != 0 && o.input.empty()) throw Error("--jpeg-quality needs --input IMAGE (the image to compress)");
  if (o.edge.empty() != o.edge_link.empty()) throw Error("--edge and --edge-link go together");
  if (o.threads < 1) throw Error(fmt::format("--threads must be at least 1, is {}", o.threads));
  if (!o.sweep.empty()) parse_sweep_range(o.sweep);
  if (o.max_accuracy_drop && o.accuracy.empty())
    throw Error("--max-accuracy-drop needs --accuracy FILE (the JSON of `splitpoint accuracy --json`)");
  if (o.max_accuracy_drop && !(*o.max_accuracy_drop >= 0))
    throw Error(fmt::format("--max-accuracy-drop must be 0 or more percentage points, is {}", *o.max_accuracy_drop));
}

namespace {

Constraints constraints_of(const PlanRequest& o) {
  Constraints constraints;
  if (o.deadline_ms > 0) constraints.deadline_ms = o.deadline_ms;
  if (o.device_memory_mb > 0) constraints.device_memory_bytes = o.device_memory_mb * 1048576.0;
  return constraints;
}

// The image given, or (to measure a codec without one) a random input.
std::vector<Tensor> codec_sample(const PlanRequest& o, const Graph& graph, const CutCodec& codec, bool needs_values) {
  std::vector<Tensor> sample;
  if (!o.input.empty()) {
    if (graph.inputs().size() != 1) throw Error("--input: the model has more than one input");
    sample.push_back(load_image(o.input, graph.tensor(graph.inputs()[0]).shape, parse_preprocess(o.preprocess)));
  }
  if (needs_values && sample.empty()) {
    if (o.note) o.note(fmt::format("measuring {} on a random input (give --input IMAGE for a real image)", codec_name(codec)));
    sample = random_inputs(graph, 1);
  }
  return sample;
}

std::vector<PlanLayer> plan_layers(const Graph& graph, const std::vector<Layer>& layers, const std::vector<Cut>& cuts,
                                   const PlannerProfiles& profiles) {
  std::vector<PlanLayer> out;
  for (size_t i = 0; i < layers.size(); ++i) {
    PlanLayer l;
    l.index = static_cast<int>(i) + 1;
    l.name = graph.node(layers[i].main).name;
    l.kind = graph.op_label(layers[i].main);
    l.device_source = cost_source_name(profiles.device.profile.layers[i].source);
    l.server_source = cost_source_name(profiles.server.profile.layers[i].source);
    l.cut_tensors = static_cast<int>(cuts[i + 1].tensors.size());
    out.push_back(l);
  }
  return out;
}

CodecMeasurement codec_measurement_of(const PlanRequest& o, const std::vector<CutCompression>& measured) {
  CodecMeasurement measurement;
  measurement.input = o.input.empty() ? "random" : model_name_of(o.input);
  for (const CutCompression& c : measured)
    measurement.cuts.push_back({c.cut, c.raw_bytes, c.encoded_bytes, c.ratio, c.error.max_abs_error, c.error.step});
  return measurement;
}

// The report's fixed part: what was compared, before any plan.
PlanReport report_head(const PlanRequest& o, const Graph& graph, const std::vector<Layer>& layers,
                       const PlannerProfiles& profiles, const CutCodec& codec) {
  const std::vector<Cut> cuts = enumerate_cuts(graph, layers);
  PlanReport report;
  report.model = model_name_of(o.model);
  report.tool = kToolVersion;
  report.date = utc_iso8601(std::chrono::system_clock::now());
  report.device = profiles.device.profile;
  report.server = profiles.server.profile;
  report.link = parse_link(o.link);
  report.codec = codec_name(codec);
  report.edgetpu_heads = profiles.device.edgetpu_heads;
  report.edgetpu_cache_usable_bytes = profiles.device.edgetpu_cache_usable_bytes;
  report.cut_bytes_fp32 = cut_send_bytes(graph, cuts, DType::f32);
  report.cut_bytes_uint8 = cut_send_bytes(graph, cuts, DType::u8);
  report.device_fits = profiles.device.fits;
  report.server_fits = profiles.server.fits;
  report.layers = plan_layers(graph, layers, cuts, profiles);
  return report;
}

// Device -> edge -> cloud, the server being the cloud.
void plan_tiers(const PlanRequest& o, const Graph& graph, const std::vector<Layer>& layers,
                const PlannerProfiles& profiles, const ChainInputs& inputs, const Objective& objective,
                const Constraints& constraints, PlanReport& report) {
  LoadedDevice edge = load_device(o.edge, graph, layers, report.model);
  drop_energy(edge.profile);
  TierInputs tiers;
  tiers.device = profiles.device.profile;
  tiers.edge = edge.profile;
  tiers.cloud = profiles.server.profile;
  tiers.device_to_edge = inputs.link;
  tiers.edge_to_cloud = parse_link(o.edge_link);
  tiers.cut_bytes = inputs.cut_bytes;
  tiers.result_bytes = inputs.result_bytes;
  report.edge = edge.profile;
  report.edge_link = tiers.edge_to_cloud;
  report.tiers = plan_multi_tier(tiers, objective, constraints);
}

// Every (cut, codec) and JPEG quality of the accuracy JSON, planned with its bytes.
AccuracyBoundedPlan plan_accuracy(const PlanRequest& o, const std::string& model, const std::vector<Layer>& layers,
                                  const ChainInputs& inputs, const Objective& objective,
                                  const Constraints& constraints) {
  const AccuracyReport measured = read_accuracy_json(o.accuracy);
  if (measured.model != model)
    throw Error(fmt::format("{}: measured on model '{}', not '{}'", o.accuracy, measured.model, model));
  if (measured.layers != static_cast<int>(layers.size()))
    throw Error(fmt::format("{}: {} layers, but {} has {}", o.accuracy, measured.layers, model, layers.size()));
  const auto f32 = std::find_if(measured.whole.begin(), measured.whole.end(),
                                [](const WholeAccuracy& w) { return w.dtype == "f32"; });
  if (f32 == measured.whole.end()) throw Error(fmt::format("{}: no accuracy of the whole f32 model", o.accuracy));
  std::vector<SendOption> options;
  for (const SplitAccuracy& s : measured.splits)
    options.push_back({s.cut, s.codec, s.count.percent(), s.mean_bytes});
  for (const JpegAccuracy& j : measured.jpeg)
    options.push_back({0, fmt::format("jpeg:{}", j.quality), j.count.percent(), j.mean_bytes});
  return plan_with_accuracy(inputs, objective, constraints, options, f32->count.percent(), o.max_accuracy_drop);
}

}  // namespace

PlanReport execute_plan(const PlanRequest& o) {
  check_plan_request(o);
  const Objective objective = parse_objective(o.objective);
  const Constraints constraints = constraints_of(o);
  std::optional<CutCodec> codec_choice;
  if (!o.codec.empty()) codec_choice = parse_codec(o.codec);
  const bool needs_values =
      (codec_choice && codec_choice->compression != Compression::none) || (!o.input.empty() && o.measure_codec);
  const Graph graph = load_model(o.model, /*with_weights=*/needs_values, o.image_size);
  const std::vector<Layer> layers = group_layers(graph);
  const PlannerProfiles profiles =
      resolve_profiles(graph, layers, ProfileSpecs{o.device, o.device_host, o.server, model_name_of(o.model)});
  const CutCodec codec =
      codec_choice.value_or(CutCodec{codec_element_for(profiles.device.profile.dtype), Compression::none, 0});

  const std::vector<Tensor> sample = codec_sample(o, graph, codec, needs_values);
  std::unique_ptr<Backend> backend;
  PlannerInputsRequest request{parse_link(o.link), codec, InputSent::camera_pixels, o.device_idle_w, std::nullopt};
  if (needs_values) {
    backend = make_backend(o.backend.empty() ? default_backend_name() : o.backend);
    request.measure = CodecSample{backend.get(), sample, o.threads};
  }
  const PlannerInputs planner = build_planner_inputs(graph, layers, profiles, request);
  const ChainInputs& inputs = planner.chain;

  PlanReport report = report_head(o, graph, layers, profiles, codec);
  if (!planner.measured.empty()) report.codec_measurement = codec_measurement_of(o, planner.measured);
  report.image_input = planner.image_input;
  report.plan = plan_chain(inputs, objective, constraints);
  if (o.jpeg_quality > 0) {
    ChainInputs jpeg_inputs = inputs;
    jpeg_inputs.cut_bytes[0] = jpeg_input_bytes(sample.front(), o.jpeg_quality, parse_preprocess(o.preprocess));
    report.jpeg = JpegBaseline{o.jpeg_quality, estimate_cut(jpeg_inputs, 0)};
  }
  if (!o.accuracy.empty()) {
    report.accuracy = plan_accuracy(o, report.model, layers, inputs, objective, constraints);
    report.accuracy_source = o.accuracy;
  }
  if (!o.sweep.empty()) {
    const SweepRange range = parse_sweep_range(o.sweep);
    report.sweep = sweep_bandwidth(inputs, objective, constraints, range.min_mbps, range.max_mbps, range.points);
  }
  // A model whose cuts carry several tensors: the DAG planner may find a
  // placement that is not a prefix of the layer order.
  if (has_multi_tensor_cuts(graph, layers)) report.dag = plan_dag(graph, layers, inputs, codec.element, objective);
  if (!o.edge.empty()) plan_tiers(o, graph, layers, profiles, inputs, objective, constraints, report);
  return report;
}

}  // namespace splitpoint
