#include "profile/profiler.h"

#include <fmt/core.h>

#include <chrono>
#include <memory>

#include "core/error.h"
#include "engine/feed.h"
#include "engine/random_inputs.h"
#include "graph/counting.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "profile/contention.h"
#include "profile/machine_info.h"
#include "profile/window_attribution.h"

namespace splitpoint {

namespace {

// A compiled segment with the inputs it is timed on and its outputs.
struct TimedSegment {
  std::unique_ptr<Executable> executable;
  std::vector<Tensor> inputs;
  std::vector<Tensor> outputs;

  void run() { executable->run(inputs, outputs); }
};

TimedSegment compile_segment(const Backend& backend, const Graph& segment, const CompileOptions& options,
                             const std::vector<TensorSpec>& available_specs, const std::vector<Tensor>& available) {
  TimedSegment s;
  s.executable = backend.compile(segment, options);
  s.inputs = feed_by_name(s.executable->inputs(), available_specs, available);
  s.outputs = s.executable->make_outputs();
  return s;
}

LayerProfile describe_layer(const Graph& graph, const Layer& layer) {
  LayerProfile p;
  p.index = layer.index;
  p.name = graph.node(layer.main).name;
  p.kind = graph.op_label(layer.main);
  for (NodeId id : layer.nodes) {
    p.macs += node_macs(graph, id);
    p.parameters += node_params(graph, id);
  }
  p.weight_bytes = layer_constant_bytes(graph, layer);
  const TensorInfo& output = graph.tensor(layer.output);
  p.output_shape = output.shape.dims();
  p.output_bytes = tensor_bytes(graph, layer.output, output.dtype);
  return p;
}

// "1 layer", "2 layers"; `plural_form` for words that do not just take an "s".
std::string count_of(int64_t n, const std::string& word, const std::string& plural_form = "") {
  return fmt::format("{} {}", n, n == 1 ? word : plural_form.empty() ? word + "s" : plural_form);
}

}  // namespace

ProfileMethod parse_profile_method(const std::string& name) {
  if (name == "layer") return ProfileMethod::layer;
  if (name == "prefix") return ProfileMethod::prefix;
  if (name == "both") return ProfileMethod::both;
  throw Error(fmt::format("unknown method '{}': expected layer, prefix or both", name));
}

std::string profile_method_name(ProfileMethod method) {
  switch (method) {
    case ProfileMethod::layer: return "layer";
    case ProfileMethod::prefix: return "prefix";
    case ProfileMethod::both: return "both";
  }
  return "?";
}

ModelProfile profile_model(const Graph& graph, const Backend& backend, const ProfileOptions& options,
                           PowerMeter* meter, const ProfileProgress& progress) {
  auto stage = [&](const std::string& text) {
    if (progress.stage) progress.stage(text);
  };
  if (options.threads < 1) throw Error(fmt::format("threads must be at least 1, are {}", options.threads));
  check_schedule(options.schedule);  // before the long compilation
  const std::string date = utc_iso8601(std::chrono::system_clock::now());
  const std::vector<Layer> layers = group_layers(graph);
  if (layers.empty()) throw Error(fmt::format("{}: the model has no layers to profile", graph.name));
  const std::vector<Cut> cuts = enumerate_cuts(graph, layers);
  const int count = static_cast<int>(layers.size());
  const bool by_layer = options.method != ProfileMethod::prefix;
  const bool by_prefix = options.method != ProfileMethod::layer;
  CompileOptions compile_options;
  compile_options.threads = options.threads;

  // The whole model (= prefix L) on random inputs; every other segment takes
  // its inputs from these or from the layer before it.
  stage("compiling the whole model");
  const Graph whole_graph = extract_segment(graph, cuts.front(), cuts.back());
  TimedSegment whole;
  whole.executable = backend.compile(whole_graph, compile_options);
  whole.inputs = random_inputs(whole.executable->inputs(), options.seed);
  whole.outputs = whole.executable->make_outputs();

  std::vector<TimedSegment> layer_segments;
  if (by_layer) {
    stage(fmt::format("compiling {} as segments of their own", count_of(count, "layer")));
    std::vector<TensorSpec> specs = whole.executable->inputs();
    std::vector<Tensor> values = whole.inputs;
    for (int k = 1; k <= count; ++k) {
      const Graph segment = extract_segment(graph, cuts[static_cast<size_t>(k - 1)], cuts[static_cast<size_t>(k)]);
      TimedSegment s = compile_segment(backend, segment, compile_options, specs, values);
      s.run();  // its outputs are the next layer's inputs
      specs = s.executable->outputs();
      values = s.outputs;
      layer_segments.push_back(std::move(s));
    }
  }
  std::vector<TimedSegment> prefixes;  // 1..L-1; prefix L is `whole`
  if (by_prefix && count > 1) {
    stage(fmt::format("compiling {} (models 1..k)", count_of(count - 1, "prefix", "prefixes")));
    for (int k = 1; k < count; ++k) {
      const Graph segment = extract_segment(graph, cuts.front(), cuts[static_cast<size_t>(k)]);
      prefixes.push_back(
          compile_segment(backend, segment, compile_options, whole.executable->inputs(), whole.inputs));
    }
  }

  // Timed in this order within every repeat: layers 1..L, whole, prefixes.
  std::vector<std::function<void()>> runs;
  for (auto& s : layer_segments) runs.push_back([&s] { s.run(); });
  const size_t whole_index = runs.size();
  runs.push_back([&whole] { whole.run(); });
  const size_t first_prefix = runs.size();
  for (auto& s : prefixes) runs.push_back([&s] { s.run(); });

  if (meter && options.idle_seconds > 0) {
    stage(fmt::format("measuring idle power for {:g} s ({})", options.idle_seconds, meter->name()));
    meter->measure_idle_power(options.idle_seconds);
  }
  const TimingSchedule& schedule = options.schedule;
  const int64_t timed_runs = static_cast<int64_t>(runs.size()) * schedule.rounds * schedule.repeats;
  stage(fmt::format("timing {}: {} each, then {} of {} each ({} in all)",
                    count_of(static_cast<int64_t>(runs.size()), "segment"), count_of(schedule.warmup, "warm-up run"),
                    count_of(schedule.rounds, "round"), count_of(schedule.repeats, "timed run"),
                    count_of(timed_runs, "timed run")));
  TimingHooks hooks;
  hooks.clock = options.clock;
  if (meter) {
    hooks.before_timed_runs = [meter] { meter->start(); };
    hooks.after_timed_runs = [meter] { meter->stop(); };
  }
  hooks.progress = progress.runs;
  const CpuSnapshot before = take_cpu_snapshot();
  const std::vector<SegmentTiming> timings = time_interleaved(runs, schedule, hooks);
  const CpuSnapshot after = take_cpu_snapshot();

  // The prefix 1..k's timing, k = 1..L.
  auto prefix_timing = [&](int k) -> const SegmentTiming& {
    return k == count ? timings[whole_index] : timings[first_prefix + static_cast<size_t>(k - 1)];
  };
  auto energy_of = [&](const SegmentTiming& t) { return energy_per_run(*meter, t.windows); };

  ModelProfile profile;
  profile.model = options.model.empty() ? graph.name : options.model;
  profile.device = options.device.empty() ? host_name() : options.device;
  profile.machine = this_machine();
  Measurement& m = profile.measurement;
  m.backend = backend.name();
  m.dtype = options.dtype;
  m.threads = options.threads;
  m.warmup = schedule.warmup;
  m.repeats = schedule.repeats;
  m.rounds = schedule.rounds;
  m.method = profile_method_name(options.method);
  m.date = date;
  if (!options.tool.empty()) m.tool = options.tool;
  if (meter)
    profile.meter = MeterInfo{meter->name(), meter->sample_rate_hz(),
                              meter->has_idle_power() ? std::optional<double>(meter->idle_power_w()) : std::nullopt};

  for (int k = 1; k <= count; ++k) {
    LayerProfile layer = describe_layer(graph, layers[static_cast<size_t>(k - 1)]);
    std::optional<TimeStats> by_prefix_stats;
    if (by_prefix) {
      const SegmentTiming& current = prefix_timing(k);
      by_prefix_stats = prefix_difference(current.ms, k == 1 ? RoundSamples{} : prefix_timing(k - 1).ms);
      layer.cumulative_ms = time_statistics(current.ms).median;
    }
    if (by_layer) {
      const SegmentTiming& own = timings[static_cast<size_t>(k - 1)];
      layer.time_ms = time_statistics(own.ms);
      if (by_prefix) layer.prefix_time_ms = by_prefix_stats;
      if (meter) {
        const EnergyPerRun e = energy_of(own);
        layer.energy_j = LayerEnergy{e.gross_j, e.net_j};
        layer.power_w = e.power_w;
      }
    } else {
      layer.time_ms = *by_prefix_stats;
      if (meter) {
        // The difference of consecutive prefixes, as for the time.
        EnergyPerRun e = energy_of(prefix_timing(k));
        if (k > 1) {
          const EnergyPerRun before = energy_of(prefix_timing(k - 1));
          e.gross_j -= before.gross_j;
          if (e.net_j && before.net_j) *e.net_j -= *before.net_j;
          e.mean_time_s -= before.mean_time_s;
        }
        layer.energy_j = LayerEnergy{e.gross_j, e.net_j};
        if (e.mean_time_s > 0) layer.power_w = e.gross_j / e.mean_time_s;
      }
    }
    profile.sum_of_layers_ms += layer.time_ms.median;
    profile.layers.push_back(std::move(layer));
  }
  profile.whole_model_ms = time_statistics(timings[whole_index].ms);
  if (!options.clock)  // a fake clock (tests) has no CPU counters to match
    profile.contention = assess_contention(before, after, options.threads, profile.machine.cores.value_or(0),
                                           median_stall_ratio(profile.layers));
  if (profile.whole_model_ms->median > 0)
    profile.sum_over_whole = profile.sum_of_layers_ms / profile.whole_model_ms->median;
  profile.provenance = fmt::format(
      "measured by splitpoint profile on {}: {} method ({}), {} backend, {} thread(s), {} warm-up run(s), then {} "
      "round(s) of {} timed run(s) with every segment run once in turn per repeat; random inputs (seed {}); times "
      "from std::chrono::steady_clock{}",
      profile.device, m.method,
      options.method == ProfileMethod::layer    ? "each layer a segment of its own"
      : options.method == ProfileMethod::prefix ? "differences of consecutive prefix models"
                                                : "time_ms by layer segments, prefix_time_ms by prefix differences",
      m.backend, options.threads, schedule.warmup, schedule.rounds, schedule.repeats, options.seed,
      meter ? fmt::format("; energy from {} over each run's window", meter->name()) : "");
  return profile;
}

}  // namespace splitpoint
