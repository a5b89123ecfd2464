// `splitpoint plan MODEL --device P --link L --objective O`: the predicted
// cost of every cut and the best one, from device and server profiles, a link
// and a codec for the cut tensor; the decision map over bandwidth; the DAG
// min-cut for models with skip connections; device -> edge -> cloud.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "cli/device_profiles.h"
#include "cli/model_source.h"
#include "cli/output_file.h"
#include "cli/units.h"
#include "cli/version.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/image.h"
#include "cost/codec_measurement.h"
#include "cost/cut_codec.h"
#include "cost/cut_sizes.h"
#include "cost/edgetpu_model.h"
#include "cost/head_memory.h"
#include "cost/jpeg_codec.h"
#include "cost/link_profile.h"
#include "cost/measured_device_profile.h"
#include "cost/profile_library.h"
#include "engine/backend.h"
#include "engine/random_inputs.h"
#include "graph/counting.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "plan/bandwidth_sweep.h"
#include "plan/chain_search.h"
#include "plan/dag_plan.h"
#include "plan/multi_tier.h"
#include "plan/plan_report.h"
#include "profile/machine_info.h"

namespace splitpoint::cli {

namespace {

struct PlanOptions {
  std::string model;
  std::string device;
  std::string device_host = "rpi3bplus-cpu-f32";
  std::string server = "x86-server-onednn-f32";
  std::string link = "wifi";
  std::string objective = "latency";
  std::string codec;
  double deadline_ms = 0;
  double device_memory_mb = 0;
  double device_idle_w = 0;
  std::string input;
  std::string preprocess = "unit";
  int jpeg_quality = 0;
  std::string sweep;
  std::string edge;
  std::string edge_link;
  int64_t image_size = 0;
  std::string backend;
  int threads = 2;
  std::string output;
  bool json = false;
  bool measure_codec = true;
};

std::string joules(double v) { return fmt::format("{:.3f}", v); }

void print_plan(const PlanReport& r, const std::vector<std::string>& device_fit, const std::vector<std::string>& server_fit) {
  const ChainPlan& p = r.plan;
  fmt::print("{}: plan for {} — device {} ({}), server {}, link {} (up {:g} Mbps, down {:g} Mbps, RTT {:g} ms{}), "
             "codec {}\n",
             r.model, objective_name(p.objective), r.device.name, r.device.dtype, r.server.name, r.link.name,
             r.link.uplink_mbps, r.link.downlink_mbps, r.link.rtt_ms,
             r.link.radio ? fmt::format(", {} radio {:.2f} W sending", r.link.radio->technology, r.link.upload_power_w())
                          : ", no radio energy",
             r.codec);
  for (const auto& n : r.device.notes) fmt::print("  device: {}\n", n);
  if (r.plan.cuts.size() > 1 && r.image_input) fmt::print("  cut 0 sends the input image's 8-bit pixels\n");
  for (const auto& f : device_fit) fmt::print("  device fit: {}\n", f);
  for (const auto& n : r.server.notes) fmt::print("  server: {}\n", n);
  for (const auto& f : server_fit) fmt::print("  server fit: {}\n", f);
  fmt::print("\n{:>4} {:<18} {:>4} {:>11} {:>10} {:>10} {:>8} {:>10} {:>10} {:>9} {:>9} {:>9}  {}\n", "cut", "after layer",
             "src", "sent", "device ms", "upload ms", "RTT ms", "server ms", "total ms", "compute J", "radio J",
             "device J", "");
  for (size_t i = 0; i < p.cuts.size(); ++i) {
    const CutEstimate& c = p.cuts[i];
    std::string name = c.cut == 0 ? "(input)" : r.layers[static_cast<size_t>(c.cut - 1)].name;
    std::string source = c.cut == 0 ? "" : r.layers[static_cast<size_t>(c.cut - 1)].device_source.substr(0, 4);
    std::string mark;
    if (p.best && *p.best == c.cut) mark = "<== best";
    if (c.cut == p.all_local) mark += (mark.empty() ? "" : ", ") + std::string("all local");
    if (c.cut == p.all_remote) mark += (mark.empty() ? "" : ", ") + std::string("all remote");
    if (!c.feasible) mark += (mark.empty() ? "" : "; ") + c.infeasible_reason;
    fmt::print("{:>4} {:<18} {:>4} {:>11} {:>10} {:>10} {:>8} {:>10} {:>10} {:>9} {:>9} {:>9}  {}\n", c.cut,
               name.substr(0, 18), source, c.cut == p.all_local ? "-" : bytes_iec(c.sent_bytes), millis(c.device_ms),
               millis(c.upload_ms), millis(c.rtt_ms), millis(c.server_ms), millis(c.total_ms), joules(c.compute_j),
               joules(c.radio_j + c.wait_j), joules(c.energy_j), mark);
  }
  if (r.jpeg) {
    const CutEstimate& c = r.jpeg->estimate;
    fmt::print("{:>4} {:<18} {:>4} {:>11} {:>10} {:>10} {:>8} {:>10} {:>10} {:>9} {:>9} {:>9}  {}\n", "0j",
               fmt::format("input as JPEG q{}", r.jpeg->quality), "", bytes_iec(c.sent_bytes), millis(c.device_ms),
               millis(c.upload_ms), millis(c.rtt_ms), millis(c.server_ms), millis(c.total_ms), joules(c.compute_j),
               joules(c.radio_j + c.wait_j), joules(c.energy_j), "baseline (not a cut of the model)");
  }
  if (r.codec_measurement && !r.codec_measurement->cuts.empty()) {
    double low = INFINITY, high = 0, worst_steps = 0, worst_error = 0;
    for (const auto& c : r.codec_measurement->cuts) {
      if (c.cut == 0 || c.raw_bytes < 64) continue;  // the input is sent as pixels; tiny outputs do not compress
      low = std::min(low, c.ratio);
      high = std::max(high, c.ratio);
      worst_error = std::max(worst_error, c.max_abs_error);
      if (c.step > 0) worst_steps = std::max(worst_steps, c.max_abs_error / c.step);
    }
    if (high > 0) {
      fmt::print("codec {} measured on {}: {:.2f}x to {:.2f}x smaller than float32 over the cuts; max abs error {:.3g}{}\n",
                 r.codec, r.codec_measurement->input, low, high, worst_error,
                 worst_steps > 0 ? fmt::format(" ({:.2f} of the rounding step)", worst_steps) : " (lossless)");
    }
  }
  fmt::print("src: meas = measured, fitt = per-type fit, fall = device-rate fallback, mode = cost model\n\n");
  if (!p.best) {
    fmt::print("no cut meets the constraints\n");
  } else {
    const CutEstimate& b = p.cuts[static_cast<size_t>(*p.best)];
    const CutEstimate& base = p.cuts[static_cast<size_t>(p.best_baseline.value_or(p.all_local))];
    fmt::print("best cut for {}: {} ({}) — {} ms end to end, {} J on the device, {:.2f} frames/s pipelined\n",
               objective_name(p.objective), b.cut,
               b.cut == 0 ? "send the input" : b.cut == p.all_local ? "all local" : "after " + r.layers[static_cast<size_t>(b.cut - 1)].name,
               millis(b.total_ms), joules(b.energy_j), b.throughput_fps);
    if (p.best_baseline && p.gain) {
      fmt::print("better baseline: {} ({} ms, {} J); gain over it: {:.1f}%\n",
                 base.cut == 0 ? "all remote" : "all local", millis(base.total_ms), joules(base.energy_j),
                 100 * *p.gain);
    }
  }
  if (r.dag) {
    const DagPlanSummary& d = *r.dag;
    if (d.is_prefix) {
      fmt::print("DAG min-cut: the best placement is the layer cut {} ({:.4g} in the objective's unit)\n", d.prefix_cut,
                 d.cost);
    } else {
      fmt::print("DAG min-cut: {} layers on the device, not a prefix of the layer order: {:.4g} vs {:.4g} for the best "
                 "layer cut (RTT and per-head overheads not in either)\n",
                 d.device_layers.size(), d.cost, d.best_layer_cut_cost);
    }
  }
  if (r.sweep) {
    fmt::print("\ndecision map ({}, uplink swept {:g}..{:g} Mbps, {} points; downlink scaled alike):\n",
               objective_name(r.sweep->objective), r.sweep->points.front().uplink_mbps,
               r.sweep->points.back().uplink_mbps, r.sweep->points.size());
    for (const DecisionRange& d : r.sweep->ranges) {
      std::string what = !d.best ? "no feasible cut"
                         : *d.best == p.all_local ? fmt::format("cut {} (all local)", *d.best)
                         : *d.best == 0           ? "cut 0 (send the input)"
                                                  : fmt::format("cut {} (after {})", *d.best,
                                                                r.layers[static_cast<size_t>(*d.best - 1)].name);
      fmt::print("  {:>9.4g} .. {:<9.4g} Mbps: {}\n", d.from_mbps, d.to_mbps, what);
    }
  }
  if (!r.edgetpu_heads.empty()) {
    fmt::print("\nEdge TPU parameter cache per head (cached / streamed over USB every inference):\n");
    const auto& heads = r.edgetpu_heads;
    for (size_t k = 1; k < heads.size(); ++k) {
      const EdgeTpuHead& h = heads[k];
      bool last_fully_cached = h.streamed_bytes == 0 && (k + 1 == heads.size() || heads[k + 1].streamed_bytes > 0);
      if (h.streamed_bytes == 0 && !last_fully_cached) continue;
      fmt::print("  head 1..{:<3} {:>10} cached, {:>10} streamed{}\n", h.cut, bytes_iec(h.cached_bytes),
                 bytes_iec(h.streamed_bytes),
                 h.first_host_layer > 0 ? fmt::format(" (layers {}.. on the host CPU)", h.first_host_layer)
                 : h.streamed_bytes == 0 ? " (the longest head whose parameters all fit)" : "");
    }
  }
  if (r.tiers && r.tiers->best) {
    const TierEstimate& t = r.tiers->options[*r.tiers->best];
    fmt::print("\nthree tiers (device -> edge {} over {} -> cloud {} over {}): best device 1..{}, edge {}..{}, cloud {}..{}"
               " — {} ms, {} J on the device, {:.2f} frames/s\n",
               r.edge->name, r.link.name, r.server.name, r.edge_link->name, t.device_cut, t.device_cut + 1, t.edge_cut,
               t.edge_cut + 1, p.all_local, millis(t.total_ms), joules(t.energy_j), t.throughput_fps);
  }
}

int run_plan(const PlanOptions& o) {
  if (o.device.empty()) throw Error("give --device PROFILE (a name from data/profiles or a .json file)");
  const Objective objective = parse_objective(o.objective);
  LinkProfile link = parse_link(o.link);
  Constraints constraints;
  if (o.deadline_ms < 0) throw Error(fmt::format("--deadline must be positive, is {}", o.deadline_ms));
  if (o.deadline_ms > 0) constraints.deadline_ms = o.deadline_ms;
  if (o.device_memory_mb < 0) throw Error(fmt::format("--device-memory must be positive, is {}", o.device_memory_mb));
  if (o.device_memory_mb > 0) constraints.device_memory_bytes = o.device_memory_mb * 1048576.0;
  if (!(o.device_idle_w >= 0)) throw Error(fmt::format("--device-idle-w must be 0 or more, is {}", o.device_idle_w));
  if (o.jpeg_quality != 0 && (o.jpeg_quality < 1 || o.jpeg_quality > 100))
    throw Error(fmt::format("--jpeg-quality must be 1..100, is {}", o.jpeg_quality));
  if (o.jpeg_quality != 0 && o.input.empty()) throw Error("--jpeg-quality needs --input IMAGE (the image to compress)");
  if (o.edge.empty() != o.edge_link.empty()) throw Error("--edge and --edge-link go together");
  if (o.threads < 1) throw Error(fmt::format("--threads must be at least 1, is {}", o.threads));
  std::optional<SweepRange> sweep_range;
  if (!o.sweep.empty()) sweep_range = parse_sweep_range(o.sweep);
  check_output_file("-o", o.output);

  const std::string model_name = model_name_of(o.model);
  LoadedDevice device_holder;
  // The codec decides whether the model must run (to measure compression).
  std::optional<CutCodec> codec_choice;
  if (!o.codec.empty()) codec_choice = parse_codec(o.codec);
  // The model runs once to measure the codec on real activations when
  // compression is asked for (its bytes depend on the values), or when an
  // image is given (then the quantization error is reported too).
  const bool needs_values =
      (codec_choice && codec_choice->compression != Compression::none) || (!o.input.empty() && o.measure_codec);
  Graph graph = load_model(o.model, /*with_weights=*/needs_values, o.image_size);
  const std::vector<Layer> layers = group_layers(graph);
  const std::vector<Cut> cuts = enumerate_cuts(graph, layers);

  LoadedDevice device = load_any_device(o.device, o.device_host, graph, layers, model_name);
  LoadedDevice server = load_device(o.server, graph, layers, model_name);
  drop_energy(server.profile);

  const CutCodec codec = codec_choice.value_or(CutCodec{codec_element_for(device.profile.dtype), Compression::none, 0});
  ChainInputs inputs;
  inputs.device = device.profile;
  inputs.server = server.profile;
  inputs.link = link;
  inputs.device_idle_w = o.device_idle_w;
  inputs.head_memory_bytes = head_memory_bytes(graph, layers, codec_element_for(device.profile.dtype));
  for (TensorId id : graph.outputs()) inputs.result_bytes += tensor_bytes(graph, id, DType::f32);

  std::optional<CodecMeasurement> codec_measured;
  std::vector<Tensor> sample;
  if (!o.input.empty()) {
    if (graph.inputs().size() != 1) throw Error("--input: the model has more than one input");
    sample.push_back(load_image(o.input, graph.tensor(graph.inputs()[0]).shape, parse_preprocess(o.preprocess)));
  }
  if (needs_values) {
    if (sample.empty()) {
      fmt::print(stderr, "plan: measuring {} on a random input (give --input IMAGE for a real image)\n",
                 codec_name(codec));
      sample = random_inputs(graph, 1);
    }
    auto backend = make_backend(o.backend.empty() ? default_backend_name() : o.backend);
    CodecMeasurement measurement;
    measurement.input = o.input.empty() ? "random" : model_name_of(o.input);
    for (const CutCompression& c : measure_cut_compression(graph, layers, *backend, sample, codec, o.threads)) {
      inputs.cut_bytes.push_back(c.encoded_bytes);
      measurement.cuts.push_back({c.cut, c.raw_bytes, c.encoded_bytes, c.ratio, c.error.max_abs_error, c.error.step});
    }
    codec_measured = measurement;
  } else {
    inputs.cut_bytes = cut_send_bytes(graph, cuts, codec.element);
  }
  // Cut 0 sends what the camera gave: an image input (N,H,W,3) goes as its
  // 8-bit pixels (or smaller, if the codec compressed them further).
  const bool image_input = graph.inputs().size() == 1 && is_image_input(graph, graph.inputs().front());
  if (image_input) {
    inputs.cut_bytes[0] = std::min(inputs.cut_bytes[0], tensor_send_bytes(graph, graph.inputs().front(), codec.element));
  }

  PlanReport report;
  report.model = model_name;
  report.tool = kToolVersion;
  report.date = utc_iso8601(std::chrono::system_clock::now());
  report.device = device.profile;
  report.server = server.profile;
  report.link = link;
  report.codec = codec_name(codec);
  report.edgetpu_heads = device.edgetpu_heads;
  report.edgetpu_cache_usable_bytes = device.edgetpu_cache_usable_bytes;
  report.cut_bytes_fp32 = cut_send_bytes(graph, cuts, DType::f32);
  report.cut_bytes_uint8 = cut_send_bytes(graph, cuts, DType::u8);
  report.codec_measurement = codec_measured;
  report.device_fits = device.fits;
  report.server_fits = server.fits;
  report.image_input = image_input;
  for (size_t i = 0; i < layers.size(); ++i) {
    PlanLayer l;
    l.index = static_cast<int>(i) + 1;
    l.name = graph.node(layers[i].main).name;
    l.kind = graph.op_label(layers[i].main);
    l.device_source = cost_source_name(device.profile.layers[i].source);
    l.server_source = cost_source_name(server.profile.layers[i].source);
    l.cut_tensors = static_cast<int>(cuts[i + 1].tensors.size());
    report.layers.push_back(l);
  }
  report.plan = plan_chain(inputs, objective, constraints);

  if (o.jpeg_quality > 0) {
    ChainInputs jpeg_inputs = inputs;
    jpeg_inputs.cut_bytes[0] = jpeg_input_bytes(sample.front(), o.jpeg_quality, parse_preprocess(o.preprocess));
    report.jpeg = JpegBaseline{o.jpeg_quality, estimate_cut(jpeg_inputs, 0)};
  }
  if (sweep_range) {
    report.sweep = sweep_bandwidth(inputs, objective, constraints, sweep_range->min_mbps, sweep_range->max_mbps,
                                   sweep_range->points);
  }
  // A model whose cuts carry several tensors: the DAG planner may find a
  // placement that is not a prefix of the layer order.
  if (has_multi_tensor_cuts(graph, layers)) {
    report.dag = plan_dag(graph, layers, inputs, codec.element, objective);
  }
  if (!o.edge.empty()) {
    LoadedDevice edge = load_device(o.edge, graph, layers, model_name);
    drop_energy(edge.profile);
    TierInputs tiers;
    tiers.device = device.profile;
    tiers.edge = edge.profile;
    tiers.cloud = server.profile;
    tiers.device_to_edge = link;
    tiers.edge_to_cloud = parse_link(o.edge_link);
    tiers.cut_bytes = inputs.cut_bytes;
    tiers.result_bytes = inputs.result_bytes;
    report.edge = edge.profile;
    report.edge_link = tiers.edge_to_cloud;
    report.tiers = plan_multi_tier(tiers, objective, constraints);
  }

  if (!o.output.empty()) write_file_atomically(o.output, plan_to_json(report));
  if (o.json) {
    fmt::print("{}", plan_to_json(report));
  } else {
    print_plan(report, device.fit_lines, server.fit_lines);
    if (!o.output.empty()) fmt::print("\nwrote {}\n", o.output);
  }
  return 0;
}

}  // namespace

void add_plan_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "plan",
      "Predict the cost of every cut of a model and choose the best: the device runs layers 1..k (its profile),\n"
      "sends the cut tensor over the link (bandwidth, RTT, radio power), the server runs the rest (its profile).\n"
      "Prints per cut: device, upload, RTT and server time, total latency, device energy (compute + radio), the\n"
      "best cut for the objective, the all-local and all-remote baselines and the gain over the better one.\n"
      "Layers a profile did not measure are predicted by a per-layer-type fit to the layers it did (marked).\n"
      "Profiles: data/profiles (rpi3bplus-cpu-f32, rpi3bplus-coral-usb2-u8, jetson-nano-f32: the study's devices;\n"
      "x86-server-onednn-f32: this project's server), any `splitpoint profile -o` file, or a directory of them.");
  auto o = std::make_shared<PlanOptions>();
  cmd->add_option("MODEL", o->model, "A zoo model name (see `splitpoint models`) or a .tflite/.onnx file")->required();
  cmd->add_option("--device", o->device,
                  "Device profile: a name in data/profiles, a .json file, or a directory; or edgetpu-usb2 / "
                  "edgetpu-usb3: a Coral USB Accelerator predicted by the Edge TPU cost model")
      ->required();
  cmd->add_option("--device-host", o->device_host,
                  "With --device edgetpu-usb2|edgetpu-usb3: the host CPU's profile, for layers the Edge TPU cannot run")
      ->capture_default_str();
  cmd->add_option("--server", o->server, "Server profile (same forms as --device)")->capture_default_str();
  cmd->add_option("--link", o->link,
                  fmt::format("Link: {} (presets), MBPS[,RTT_MS], or up=MBPS,down=MBPS,rtt=MS,radio=wifi|lte|3g|none "
                              "(after a preset to change it: lte,up=10)",
                              fmt::join(link_preset_names(), ", ")))
      ->capture_default_str();
  cmd->add_option("--objective", o->objective,
                  "latency (ms), energy (device J), weighted[:W] (W x latency + (1-W) x energy, each relative to "
                  "all local), throughput (frames/s of a pipelined stream)")
      ->capture_default_str();
  cmd->add_option("--codec", o->codec,
                  fmt::format("Cut-tensor codec: {} (default: fp32 for a float device, uint8 for an 8-bit one); "
                              "+zstd/+lz4 run the model once to measure the compression on real activations",
                              fmt::join(codec_names(), ", ")));
  cmd->add_option("--deadline", o->deadline_ms, "Latency limit, ms: slower cuts are infeasible");
  cmd->add_option("--device-memory", o->device_memory_mb,
                  "Device memory for the head, MiB (weights + the largest layer's activations)");
  cmd->add_option("--device-idle-w", o->device_idle_w,
                  "Device power while it waits for the network and the server, W (default 0: not counted, as the "
                  "study did)");
  cmd->add_option("--input", o->input, "An image: measures compression on it, and sizes the JPEG baseline");
  cmd->add_flag("!--no-measure-codec", o->measure_codec,
                "With --input: do not run the model to measure the codec (sizes from element counts)");
  cmd->add_option("--preprocess", o->preprocess, "How --input is scaled: unit, caffe, torch, tf")->capture_default_str();
  cmd->add_option("--jpeg-quality", o->jpeg_quality, "Add the baseline 'send the input as JPEG at this quality' (1..100)");
  cmd->add_option("--sweep-bandwidth", o->sweep, "Decision map: best cut over uplink MIN:MAX[:POINTS] Mbps (log-spaced, "
                                                 "200 points by default), e.g. 0.1:1000");
  cmd->add_option("--edge", o->edge, "Three tiers: the edge server's profile (the --server is then the cloud)");
  cmd->add_option("--edge-link", o->edge_link, "Three tiers: the link from the edge to the cloud");
  cmd->add_option("--image-size", o->image_size, "Zoo models: input height and width (default: the model's own)");
  cmd->add_option("--backend", o->backend, "Backend that runs the model to measure compression");
  cmd->add_option("--threads", o->threads, "Threads for that run")->capture_default_str();
  cmd->add_option("-o,--output", o->output, "Write the plan JSON here (docs/plan.md)");
  cmd->add_flag("--json", o->json, "Print the plan JSON instead of the table");
  cmd->callback([o, &exit_code] { exit_code = run_plan(*o); });
}

}  // namespace splitpoint::cli
