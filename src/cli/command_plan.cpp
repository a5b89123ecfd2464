// `splitpoint plan MODEL --device P --link L --objective O`: the predicted
// cost of every cut and the best one (app/plan_request.h), printed as a table
// or as the plan JSON.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <cmath>
#include <memory>

#include "app/plan_request.h"
#include "cli/commands.h"
#include "cli/output_file.h"
#include "cli/units.h"
#include "core/file_io.h"
#include "cost/cut_codec.h"
#include "cost/link_profile.h"
#include "cost/layer_features.h"
#include "cost/profile_library.h"

namespace splitpoint::cli {

namespace {

struct PlanOptions {
  PlanRequest request;
  std::string output;
  bool json = false;
  double max_accuracy_drop = std::nan("");  // NaN: not given
};

std::string joules(double v) { return fmt::format("{:.3f}", v); }

std::string fit_line(const TypeFit& fit) {
  std::string loo = fit.leave_one_out_relative_error
                        ? fmt::format(", leave-one-out {:.0f}%", 100 * *fit.leave_one_out_relative_error)
                        : "";
  return fmt::format("{}: {} layers, mean error {:.0f}%{}", layer_type_name(fit.type), fit.samples,
                     100 * fit.mean_relative_error, loo);
}

std::string layer_after(const PlanReport& r, int cut) { return r.layers[static_cast<size_t>(cut - 1)].name; }

// A profile's notes, and its warnings (a contended measurement) on stdout and stderr.
void print_profile_lines(std::string_view role, const DeviceProfile& profile) {
  for (const auto& n : profile.notes) fmt::print("  {}: {}\n", role, n);
  for (const auto& w : profile.warnings) {
    fmt::print("  {}: warning: {}\n", role, w);
    fmt::print(stderr, "plan: warning: {}: {}\n", role, w);
  }
}

void print_header(const PlanReport& r) {
  const ChainPlan& p = r.plan;
  fmt::print("{}: plan for {} — device {} ({}), server {}, link {} (up {:g} Mbps, down {:g} Mbps, RTT {:g} ms{}), "
             "codec {}\n",
             r.model, objective_name(p.objective), r.device.name, r.device.dtype, r.server.name, r.link.name,
             r.link.uplink_mbps, r.link.downlink_mbps, r.link.rtt_ms,
             r.link.radio ? fmt::format(", {} radio {:.2f} W sending", r.link.radio->technology, r.link.upload_power_w())
                          : ", no radio energy",
             r.codec);
  print_profile_lines("device", r.device);
  if (r.plan.cuts.size() > 1 && r.image_input) fmt::print("  cut 0 sends the input image's 8-bit pixels\n");
  for (const auto& f : r.device_fits) fmt::print("  device fit: {}\n", fit_line(f));
  print_profile_lines("server", r.server);
  for (const auto& f : r.server_fits) fmt::print("  server fit: {}\n", fit_line(f));
}

void print_row(const std::string& cut, const std::string& name, const std::string& source, const std::string& sent,
               const CutEstimate& c, const std::string& mark) {
  fmt::print("{:>4} {:<18} {:>4} {:>11} {:>10} {:>10} {:>8} {:>10} {:>10} {:>9} {:>9} {:>9}  {}\n", cut, name, source,
             sent, millis(c.device_ms), millis(c.upload_ms), millis(c.rtt_ms), millis(c.server_ms), millis(c.total_ms),
             joules(c.compute_j), joules(c.radio_j + c.wait_j), joules(c.energy_j), mark);
}

void print_cut_table(const PlanReport& r) {
  const ChainPlan& p = r.plan;
  fmt::print("\n{:>4} {:<18} {:>4} {:>11} {:>10} {:>10} {:>8} {:>10} {:>10} {:>9} {:>9} {:>9}  {}\n", "cut",
             "after layer", "src", "sent", "device ms", "upload ms", "RTT ms", "server ms", "total ms", "compute J",
             "radio J", "device J", "");
  for (const CutEstimate& c : p.cuts) {
    std::string name = c.cut == 0 ? "(input)" : layer_after(r, c.cut);
    std::string source = c.cut == 0 ? "" : r.layers[static_cast<size_t>(c.cut - 1)].device_source.substr(0, 4);
    std::string mark;
    if (p.best && *p.best == c.cut) mark = "<== best";
    if (c.cut == p.all_local) mark += (mark.empty() ? "" : ", ") + std::string("all local");
    if (c.cut == p.all_remote) mark += (mark.empty() ? "" : ", ") + std::string("all remote");
    if (!c.feasible) mark += (mark.empty() ? "" : "; ") + c.infeasible_reason;
    print_row(std::to_string(c.cut), name.substr(0, 18), source, c.cut == p.all_local ? "-" : bytes_iec(c.sent_bytes),
              c, mark);
  }
  if (r.jpeg) {
    const CutEstimate& c = r.jpeg->estimate;
    print_row("0j", fmt::format("input as JPEG q{}", r.jpeg->quality), "", bytes_iec(c.sent_bytes), c,
              "baseline (not a cut of the model)");
  }
}

void print_codec_measurement(const PlanReport& r) {
  if (!r.codec_measurement || r.codec_measurement->cuts.empty()) return;
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

void print_best(const PlanReport& r) {
  const ChainPlan& p = r.plan;
  if (!p.best) {
    fmt::print("no cut meets the constraints\n");
    return;
  }
  const CutEstimate& b = p.cuts[static_cast<size_t>(*p.best)];
  const CutEstimate& base = p.cuts[static_cast<size_t>(p.best_baseline.value_or(p.all_local))];
  fmt::print("best cut for {}: {} ({}) — {} ms end to end, {} J on the device, {:.2f} frames/s pipelined\n",
             objective_name(p.objective), b.cut,
             b.cut == 0 ? "send the input" : b.cut == p.all_local ? "all local" : "after " + layer_after(r, b.cut),
             millis(b.total_ms), joules(b.energy_j), b.throughput_fps);
  if (p.best_baseline && p.gain) {
    fmt::print("better baseline: {} ({} ms, {} J); gain over it: {:.1f}%\n", base.cut == 0 ? "all remote" : "all local",
               millis(base.total_ms), joules(base.energy_j), 100 * *p.gain);
  }
}

void print_dag(const DagPlanSummary& d) {
  if (d.is_prefix) {
    fmt::print("DAG min-cut: the best placement is the layer cut {} ({:.4g} in the objective's unit)\n", d.prefix_cut,
               d.cost);
  } else {
    fmt::print("DAG min-cut: {} layers on the device, not a prefix of the layer order: {:.4g} vs {:.4g} for the best "
               "layer cut (RTT and per-head overheads not in either)\n",
               d.device_layers.size(), d.cost, d.best_layer_cut_cost);
  }
}

void print_sweep(const PlanReport& r) {
  const ChainPlan& p = r.plan;
  fmt::print("\ndecision map ({}, uplink swept {:g}..{:g} Mbps, {} points; downlink scaled alike):\n",
             objective_name(r.sweep->objective), r.sweep->points.front().uplink_mbps, r.sweep->points.back().uplink_mbps,
             r.sweep->points.size());
  for (const DecisionRange& d : r.sweep->ranges) {
    std::string what = !d.best                 ? "no feasible cut"
                       : *d.best == p.all_local ? fmt::format("cut {} (all local)", *d.best)
                       : *d.best == 0           ? "cut 0 (send the input)"
                                                : fmt::format("cut {} (after {})", *d.best, layer_after(r, *d.best));
    fmt::print("  {:>9.4g} .. {:<9.4g} Mbps: {}\n", d.from_mbps, d.to_mbps, what);
  }
}

void print_edgetpu_heads(const std::vector<EdgeTpuHead>& heads) {
  fmt::print("\nEdge TPU parameter cache per head (cached / streamed over USB every inference):\n");
  for (size_t k = 1; k < heads.size(); ++k) {
    const EdgeTpuHead& h = heads[k];
    bool last_fully_cached = h.streamed_bytes == 0 && (k + 1 == heads.size() || heads[k + 1].streamed_bytes > 0);
    if (h.streamed_bytes == 0 && !last_fully_cached) continue;
    fmt::print("  head 1..{:<3} {:>10} cached, {:>10} streamed{}\n", h.cut, bytes_iec(h.cached_bytes),
               bytes_iec(h.streamed_bytes),
               h.first_host_layer > 0   ? fmt::format(" (layers {}.. on the host CPU)", h.first_host_layer)
               : h.streamed_bytes == 0 ? " (the longest head whose parameters all fit)"
                                       : "");
  }
}

void print_tiers(const PlanReport& r) {
  const TierEstimate& t = r.tiers->options[*r.tiers->best];
  fmt::print("\nthree tiers (device -> edge {} over {} -> cloud {} over {}): best device 1..{}, edge {}..{}, cloud {}..{}"
             " — {} ms, {} J on the device, {:.2f} frames/s\n",
             r.edge->name, r.link.name, r.server.name, r.edge_link->name, t.device_cut, t.device_cut + 1, t.edge_cut,
             t.edge_cut + 1, r.plan.all_local, millis(t.total_ms), joules(t.energy_j), t.throughput_fps);
}

std::string send_option_text(const PlanReport& r, const AccuracyCandidate& c) {
  const int cut = c.option.cut;
  const std::string where = cut == 0 ? "send the input" : cut == r.plan.all_local ? "all local" : "after " + layer_after(r, cut);
  return fmt::format("cut {} ({}) with {}: accuracy {:.2f} % (drop {:.2f} pp), {:.1f} B sent, {} ms, {} J", cut, where,
                     c.option.codec, c.option.accuracy_percent, c.drop_pp, c.option.bytes, millis(c.estimate.total_ms),
                     joules(c.estimate.energy_j));
}

void print_accuracy_plan(const PlanReport& r) {
  const AccuracyBoundedPlan& a = *r.accuracy;
  size_t within = 0;
  for (const AccuracyCandidate& c : a.candidates) within += c.within_bound ? 1 : 0;
  fmt::print("\nunder an accuracy bound ({}; the whole fp32 model: {:.2f} %; {} ways of sending, by {}):\n",
             r.accuracy_source, a.baseline_percent, a.candidates.size(), objective_name(r.plan.objective));
  if (a.best_unbounded)
    fmt::print("  without a bound:        {}\n", send_option_text(r, a.candidates[*a.best_unbounded]));
  if (a.max_drop_pp) {
    fmt::print("  with drop <= {:g} pp ({} of {} kept): {}\n", *a.max_drop_pp, within, a.candidates.size(),
               a.best ? send_option_text(r, a.candidates[*a.best]) : "none is feasible");
  }
}

void print_plan(const PlanReport& r) {
  print_header(r);
  print_cut_table(r);
  print_codec_measurement(r);
  fmt::print("src: meas = measured, fitt = per-type fit, fall = device-rate fallback, mode = cost model\n\n");
  print_best(r);
  if (r.dag) print_dag(*r.dag);
  if (r.sweep) print_sweep(r);
  if (!r.edgetpu_heads.empty()) print_edgetpu_heads(r.edgetpu_heads);
  if (r.tiers && r.tiers->best) print_tiers(r);
  if (r.accuracy) print_accuracy_plan(r);
}

int run_plan(PlanOptions& o) {
  if (!std::isnan(o.max_accuracy_drop)) o.request.max_accuracy_drop = o.max_accuracy_drop;
  check_plan_request(o.request);
  check_output_file("-o", o.output);
  o.request.note = [](const std::string& note) { fmt::print(stderr, "plan: {}\n", note); };
  const PlanReport report = execute_plan(o.request);
  if (!o.output.empty()) write_file_atomically(o.output, plan_to_json(report));
  if (o.json) {
    fmt::print("{}", plan_to_json(report));
  } else {
    print_plan(report);
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
  cmd->add_option("MODEL", o->request.model, "A zoo model name (see `splitpoint models`) or a .tflite/.onnx file")->required();
  cmd->add_option("--device", o->request.device,
                  "Device profile: a name in data/profiles, a .json file, or a directory; or edgetpu-usb2 / "
                  "edgetpu-usb3: a Coral USB Accelerator predicted by the Edge TPU cost model")
      ->required();
  cmd->add_option("--device-host", o->request.device_host,
                  "With --device edgetpu-usb2|edgetpu-usb3: the host CPU's profile, for layers the Edge TPU cannot run")
      ->capture_default_str();
  cmd->add_option("--server", o->request.server, "Server profile (same forms as --device)")->capture_default_str();
  cmd->add_option("--link", o->request.link,
                  fmt::format("Link: {} (presets), MBPS[,RTT_MS], or up=MBPS,down=MBPS,rtt=MS,radio=wifi|lte|3g|none "
                              "(after a preset to change it: lte,up=10)",
                              fmt::join(link_preset_names(), ", ")))
      ->capture_default_str();
  cmd->add_option("--objective", o->request.objective,
                  "latency (ms), energy (device J), weighted[:W] (W x latency + (1-W) x energy, each relative to "
                  "all local), throughput (frames/s of a pipelined stream)")
      ->capture_default_str();
  cmd->add_option("--codec", o->request.codec,
                  fmt::format("Cut-tensor codec: {} (default: fp32 for a float device, uint8 for an 8-bit one); "
                              "+zstd/+lz4 run the model once to measure the compression on real activations",
                              fmt::join(codec_names(), ", ")));
  cmd->add_option("--deadline", o->request.deadline_ms, "Latency limit, ms: slower cuts are infeasible");
  cmd->add_option("--device-memory", o->request.device_memory_mb,
                  "Device memory for the head, MiB (weights + the largest layer's activations)");
  cmd->add_option("--device-idle-w", o->request.device_idle_w,
                  "Device power while it waits for the network and the server, W (default 0: not counted, as the "
                  "study did)");
  cmd->add_option("--input", o->request.input, "An image: measures compression on it, and sizes the JPEG baseline");
  cmd->add_flag("!--no-measure-codec", o->request.measure_codec,
                "With --input: do not run the model to measure the codec (sizes from element counts)");
  cmd->add_option("--preprocess", o->request.preprocess, "How --input is scaled: unit, caffe, torch, tf")->capture_default_str();
  cmd->add_option("--jpeg-quality", o->request.jpeg_quality, "Add the baseline 'send the input as JPEG at this quality' (1..100)");
  cmd->add_option("--accuracy", o->request.accuracy,
                  "An accuracy JSON of this model (`splitpoint accuracy --json`): plan every (cut, codec) and JPEG "
                  "quality measured there with its bytes");
  cmd->add_option("--max-accuracy-drop", o->max_accuracy_drop,
                  "With --accuracy: leave out every (cut, codec) losing more top-1 accuracy than this, percentage "
                  "points against the whole fp32 model");
  cmd->add_option("--sweep-bandwidth", o->request.sweep, "Decision map: best cut over uplink MIN:MAX[:POINTS] Mbps (log-spaced, "
                                                 "200 points by default), e.g. 0.1:1000");
  cmd->add_option("--edge", o->request.edge, "Three tiers: the edge server's profile (the --server is then the cloud)");
  cmd->add_option("--edge-link", o->request.edge_link, "Three tiers: the link from the edge to the cloud");
  cmd->add_option("--image-size", o->request.image_size, "Zoo models: input height and width (default: the model's own)");
  cmd->add_option("--backend", o->request.backend, "Backend that runs the model to measure compression");
  cmd->add_option("--threads", o->request.threads, "Threads for that run")->capture_default_str();
  cmd->add_option("-o,--output", o->output, "Write the plan JSON here (docs/plan.md)");
  cmd->add_flag("--json", o->json, "Print the plan JSON instead of the table");
  cmd->callback([o, &exit_code] { exit_code = run_plan(*o); });
}

}  // namespace splitpoint::cli
