// `splitpoint profile MODEL`: per-layer time (and energy, with a power meter)
// on this machine; a table on stdout, the profile JSON (docs/profile-format.md)
// to -o.
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "cli/commands.h"
#include "cli/model_precision.h"
#include "app/model_source.h"
#include "cli/output_file.h"
#include "cli/units.h"
#include "core/version.h"
#include "core/error.h"
#include "core/file_io.h"
#include "engine/backend.h"
#include "profile/power_meter.h"
#include "profile/profile_json.h"
#include "profile/profiler.h"
#include "profile/progress_bar.h"

namespace splitpoint::cli {

namespace {

// The contention verdict under the table; a warning on stderr when contended.
void print_contention(const ModelProfile& profile) {
  if (!profile.contention) return;
  const ContentionReport& c = *profile.contention;
  fmt::print("CPU while timing: other work {:.2f} CPU(s), {:.0f} involuntary switches/s, own CPU / wall {:.2f} "
             "({:.0f}% of its threads'){}{}\n",
             c.other_cpus.value_or(0.0), c.involuntary_switches_per_s.value_or(0.0), c.own_cpu_over_wall.value_or(0.0),
             100 * c.own_cpu_share.value_or(0.0),
             c.runqueue_wait_share ? fmt::format(", waiting for a CPU {:.0f}%", 100 * *c.runqueue_wait_share)
                                   : std::string(),
             c.load_average_1m ? fmt::format(", load average {:.2f}", *c.load_average_1m) : std::string());
  if (!c.contended) return;
  fmt::print(stderr, "warning: the CPU was contended while timing, so these times are slower than this machine "
                     "alone would give:\n");
  for (const std::string& reason : c.reasons) fmt::print(stderr, "  - {}\n", reason);
  fmt::print(stderr, "  (the profile JSON records it; `plan` warns when it plans from it)\n");
}

struct ProfileCommandOptions {
  std::string model;
  std::string backend;
  PrecisionOptions precision;
  int threads = 1;
  int warmup = 3;
  int repeats = 40;  // 5 rounds of 40: every layer of 0.5 ms or more within 5% run-to-run here
  int rounds = 5;
  std::string method = "layer";
  std::string meter;
  double idle_seconds = 2.0;
  int64_t image_size = 0;
  uint64_t seed = 1;
  std::string device;
  std::string output;
};


void check_options(const ProfileCommandOptions& o) {
  if (o.threads < 1) throw Error(fmt::format("--threads must be at least 1, is {}", o.threads));
  if (o.warmup < 0) throw Error(fmt::format("--warmup must be 0 or more, is {}", o.warmup));
  if (o.repeats < 1) throw Error(fmt::format("--repeats must be at least 1, is {}", o.repeats));
  if (o.rounds < 1) throw Error(fmt::format("--rounds must be at least 1, is {}", o.rounds));
  if (!(o.idle_seconds >= 0)) throw Error(fmt::format("--idle-seconds must be 0 or more, is {}", o.idle_seconds));
  if (o.image_size < 0) throw Error(fmt::format("--image-size must be positive, is {}", o.image_size));
  parse_profile_method(o.method);
  check_precision_options(o.precision);
  if (!o.output.empty()) check_output_file("-o", o.output);
}

std::string ms(double value) { return fmt::format("{:.3f}", value); }
std::string ms(const std::optional<double>& value) { return value ? ms(*value) : "-"; }
std::string percent(const std::optional<double>& fraction) {
  return fraction ? fmt::format("{:.1f}%", 100.0 * *fraction) : "-";
}

std::string shape_text(const std::vector<int64_t>& dims) { return fmt::format("{}", fmt::join(dims, "x")); }

void print_heading(const ModelProfile& p) {
  const Measurement& m = p.measurement;
  const bool both = m.method == "both";
  const bool energy = p.meter.has_value();
  fmt::print("{} on {} ({}, {} thread{}), {} method: {} warm-up run{}, then {} round{} of {} run{} per segment\n",
             p.model, m.backend, m.dtype, *m.threads, *m.threads == 1 ? "" : "s", m.method, *m.warmup,
             *m.warmup == 1 ? "" : "s", *m.rounds, *m.rounds == 1 ? "" : "s", *m.repeats, *m.repeats == 1 ? "" : "s");
  fmt::print("machine: {}, {} logical CPUs, {}\n", p.machine.cpu.value_or("unknown CPU"), p.machine.cores.value_or(0),
             p.machine.os.value_or("unknown OS"));
  if (energy)
    fmt::print("meter: {}, {:.1f} samples/s, idle {:.3f} W\n", p.meter->name, p.meter->sample_rate_hz.value_or(0),
               p.meter->idle_power_w.value_or(0));
  fmt::print("times in ms per inference; spread = run-to-run spread of the median over the rounds{}\n\n",
             both ? "; prefix-layer = (prefix - layer) / layer" : "");
}

void print_layers(const ModelProfile& p) {
  const bool both = p.measurement.method == "both";
  const bool prefix = p.measurement.method == "prefix";
  const bool energy = p.meter.has_value();
  std::string header = fmt::format("{:>3}  {:<16} {:<16} {:<14} {:>13} {:>11} {:>11} {:>10} {:>10} {:>10} {:>10} {:>7}",
                                   "k", "layer", "kind", "output", "MACs", "weights", "output", "median ms",
                                   "p10 ms", "p90 ms", "min ms", "spread");
  if (both) header += fmt::format(" {:>10} {:>7} {:>13}", "prefix ms", "spread", "prefix-layer");
  if (prefix || both) header += fmt::format(" {:>13}", "cumulative ms");
  if (energy) header += fmt::format(" {:>8} {:>11} {:>11}", "power W", "energy mJ", "net mJ");
  fmt::print("{}\n", header);
  for (const LayerProfile& l : p.layers) {
    std::string row = fmt::format(
        "{:>3}  {:<16} {:<16} {:<14} {:>13} {:>11} {:>11} {:>10} {:>10} {:>10} {:>10} {:>7}", l.index, l.name, l.kind,
        shape_text(l.output_shape), si(static_cast<double>(l.macs), "MAC"), bytes_iec(l.weight_bytes),
        bytes_iec(l.output_bytes), ms(l.time_ms.median), ms(l.time_ms.p10), ms(l.time_ms.p90), ms(l.time_ms.min),
        percent(l.time_ms.spread));
    if (both) {
      const TimeStats& pt = *l.prefix_time_ms;
      const std::string difference =
          l.time_ms.median > 0 ? fmt::format("{:+.1f}%", 100.0 * (pt.median - l.time_ms.median) / l.time_ms.median)
                               : "-";
      row += fmt::format(" {:>10} {:>7} {:>13}", ms(pt.median), percent(pt.spread), difference);
    }
    if (prefix || both) row += fmt::format(" {:>13}", ms(l.cumulative_ms));
    if (energy)
      row += fmt::format(" {:>8} {:>11} {:>11}", l.power_w ? fmt::format("{:.2f}", *l.power_w) : "-",
                         fmt::format("{:.4f}", 1e3 * l.energy_j->gross), l.energy_j->net ? fmt::format("{:.4f}", 1e3 * *l.energy_j->net) : "-");
    fmt::print("{}\n", row);
  }
}

void print_totals(const ModelProfile& p) {
  const bool both = p.measurement.method == "both";
  const bool prefix = p.measurement.method == "prefix";
  fmt::print("\n");
  if (p.whole_model_ms) {
    const TimeStats& w = *p.whole_model_ms;
    const int64_t runs = w.samples.value_or(0);
    fmt::print("whole model: median {} ms (p10 {} ms, p90 {} ms, min {} ms, spread {}) over {} run{}\n", ms(w.median),
               ms(w.p10), ms(w.p90), ms(w.min), percent(w.spread), runs, runs == 1 ? "" : "s");
  }
  fmt::print("sum of layers ({}): {} ms", prefix ? "prefix differences" : "layer segments", ms(p.sum_of_layers_ms));
  if (p.sum_over_whole) fmt::print(" = {:.3f} x the whole model (overhead check)", *p.sum_over_whole);
  fmt::print("\n");
  const LayerProfile* widest = nullptr;
  for (const LayerProfile& l : p.layers)
    if (l.time_ms.spread && (!widest || *l.time_ms.spread > *widest->time_ms.spread)) widest = &l;
  if (widest)
    fmt::print("largest run-to-run spread of a layer's median: {} (layer {} {})\n", percent(widest->time_ms.spread),
               widest->index, widest->name);
  if (both) {
    // Disagreement of the methods, weighted by time: sum |prefix - layer| / sum layer.
    double absolute = 0, total = 0;
    for (const LayerProfile& l : p.layers) {
      absolute += std::fabs(l.prefix_time_ms->median - l.time_ms.median);
      total += l.time_ms.median;
    }
    if (total > 0)
      fmt::print("prefix vs layer method: per-layer medians differ by {:.1f}% of the sum of layers (sum |prefix - "
                 "layer| = {} ms)\n",
                 100.0 * absolute / total, ms(absolute));
  }
}

void print_table(const ModelProfile& p) {
  print_heading(p);
  print_layers(p);
  print_totals(p);
}

int run_profile(const ProfileCommandOptions& o) {
  check_options(o);
  const ProfileMethod method = parse_profile_method(o.method);
  auto backend = make_backend(o.backend.empty() ? default_backend_name() : o.backend);
  std::unique_ptr<PowerMeter> meter;
  if (!o.meter.empty()) meter = make_power_meter(o.meter);

  ProgressBar progress(stderr, ::isatty(STDERR_FILENO) != 0);
  progress.stage(fmt::format("building {}", o.model));
  Graph float_graph = load_model(o.model, /*with_weights=*/true, o.image_size);
  PreparedModel prepared = prepare_model(*backend, std::move(float_graph), o.precision, o.threads, /*quiet=*/false);

  ProfileOptions options;
  options.method = method;
  options.schedule = {o.warmup, o.repeats, o.rounds};
  options.threads = o.threads;
  options.seed = o.seed;
  // A live meter measures the idle power first; a constant power model has it
  // given, and a trace has it only as its idle_w= option (its quiet period is
  // not on the trace).
  const bool live_meter = o.meter.rfind("model:", 0) != 0 && o.meter.rfind("trace:", 0) != 0;
  options.idle_seconds = live_meter ? o.idle_seconds : 0.0;
  options.model = std::filesystem::path(o.model).filename().string();
  options.device = o.device;
  options.dtype = model_dtype(prepared.graph);
  options.tool = kToolVersion;
  ModelProfile profile = profile_model(prepared.graph, *backend, options, meter.get(), progress.callbacks());
  progress.finish();
  if (o.image_size != 0) profile.provenance += fmt::format("; zoo model built for {0}x{0} images", o.image_size);
  if (o.precision.dtype != "f32")
    profile.provenance += fmt::format("; quantized here to {} ({} calibration on {} random inputs)", o.precision.dtype,
                                      o.precision.calibration_method, o.precision.calibration_samples);

  print_table(profile);
  print_contention(profile);
  if (!o.output.empty()) {
    write_file_atomically(o.output, profile_to_json(profile));
    fmt::print("wrote {}\n", o.output);
  }
  return 0;
}

}  // namespace

void add_profile_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "profile",
      "Measure the time per layer of a model on this machine (and its energy, with --meter): warm-up runs, then\n"
      "rounds in which every segment runs in turn, so drift hits every layer alike; median, p10, p90, min and the\n"
      "run-to-run spread of the median per layer, MACs and bytes beside them. --method layer times every layer as\n"
      "a segment of its own; prefix reproduces the study (prefix models 1..k, a layer's cost the difference of\n"
      "consecutive prefixes); both shows them side by side. The whole model is timed too: sum of layers / whole\n"
      "model is the overhead check. Prints a table; -o writes the profile JSON (docs/profile-format.md).");
  auto o = std::make_shared<ProfileCommandOptions>();
  add_model_run_options(*cmd, o->model, o->backend, o->precision, o->threads);
  cmd->add_option("--warmup", o->warmup, "Untimed runs of every segment before the rounds")->capture_default_str();
  cmd->add_option("--repeats", o->repeats, "Timed runs of every segment per round")->capture_default_str();
  cmd->add_option("--rounds", o->rounds, "Rounds (the spread of the median is taken over them)")
      ->capture_default_str();
  cmd->add_option("--method", o->method, "layer, prefix or both")->capture_default_str();
  cmd->add_option("--meter", o->meter,
                  "Power meter for energy per layer: model:IDLE_W,ACTIVE_W | rapl[:ZONE] | hwmon[:NAME] | "
                  "um25c:DEVICE | trace:FILE[,offset=S][,idle_w=W] (see docs/profile-format.md)");
  cmd->add_option("--idle-seconds", o->idle_seconds,
                  "Seconds of idle power measured before the runs by a live meter (model: has its idle power given, trace: takes it from idle_w=)")
      ->capture_default_str();
  cmd->add_option("--image-size", o->image_size, "Zoo models: input height and width (default: the model's own)");
  cmd->add_option("--seed", o->seed, "Seed of the random inputs")->capture_default_str();
  cmd->add_option("--device", o->device, "Device id recorded in the profile (default: the host name)");
  cmd->add_option("-o,--output", o->output, "Write the profile JSON here (atomically)");
  cmd->callback([o, &exit_code] { exit_code = run_profile(*o); });
}

}  // namespace splitpoint::cli
