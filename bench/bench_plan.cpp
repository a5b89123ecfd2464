// Planning: the DAG min-cut (plan/dag_min_cut.h) on random layered DAGs
// (target for 1,000 vertices: under 50 ms), and the chain planner's bandwidth
// sweep on the study's 17-layer model (target: 200 points under 10 ms).
// Run: build/bench/bench_plan --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>

#include "plan/bandwidth_sweep.h"
#include "plan/dag_min_cut.h"
#include "plan/layer_dag.h"

namespace {

// A random layered DAG of `vertices` vertices: levels of 1-6 vertices, each
// vertex reading 1-3 outputs of the level before (the first level reads the
// graph input); outputs that no vertex reads are graph outputs. Costs are uniform
// reals in ms, the scale of a CNN's layers and links. Fixed seed.
splitpoint::LayerDag random_layered_dag(int vertices) {
  std::mt19937_64 random(20190611);
  auto uniform = [&](double low, double high) { return std::uniform_real_distribution<double>(low, high)(random); };
  auto integer = [&](int low, int high) { return std::uniform_int_distribution<int>(low, high)(random); };
  splitpoint::LayerDag dag;
  splitpoint::DagTensor input;
  input.transfer_cost = uniform(1, 20);
  dag.tensors.push_back(input);
  std::vector<int> previous_level;  // tensor indices
  std::vector<int> level_tensors = {0};
  while (static_cast<int>(dag.vertices.size()) < vertices) {
    previous_level = level_tensors;
    level_tensors.clear();
    const int width = std::min(integer(1, 6), vertices - static_cast<int>(dag.vertices.size()));
    for (int i = 0; i < width; ++i) {
      const int v = static_cast<int>(dag.vertices.size());
      dag.vertices.push_back({uniform(0.1, 10), uniform(0.01, 1)});
      std::shuffle(previous_level.begin(), previous_level.end(), random);
      const int fan_in = std::min(integer(1, 3), static_cast<int>(previous_level.size()));
      for (int k = 0; k < fan_in; ++k)
        dag.tensors[static_cast<size_t>(previous_level[static_cast<size_t>(k)])].consumers.push_back(v);
      splitpoint::DagTensor output;
      output.producer = v;
      output.transfer_cost = uniform(0.5, 20);
      output.return_cost = uniform(0.01, 0.5);
      level_tensors.push_back(static_cast<int>(dag.tensors.size()));
      dag.tensors.push_back(output);
    }
  }
  for (splitpoint::DagTensor& t : dag.tensors)  // the last level, and outputs no one read
    if (t.producer >= 0 && t.consumers.empty()) t.graph_output = true;
  return dag;
}

void BM_DagMinCut(benchmark::State& state) {
  const splitpoint::LayerDag dag = random_layered_dag(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(splitpoint::dag_min_cut(dag));
  state.counters["vertices"] = static_cast<double>(dag.vertices.size());
  state.counters["tensors"] = static_cast<double>(dag.tensors.size());
}

BENCHMARK(BM_DagMinCut)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// A 17-layer chain with the study's shape of costs (VGG16-seed on a Pi: tens
// to hundreds of ms per layer, cut tensors from 3 MiB down to 8 bytes) and a
// 200-point sweep of the uplink from 0.1 to 1000 Mbit/s.
void BM_ChainSweep(benchmark::State& state) {
  splitpoint::ChainInputs in;
  const double device_ms[17] = {38, 109, 24, 62, 103, 17, 59, 108, 112, 8, 135, 70, 127, 7, 27, 4, 1};
  const int64_t bytes[18] = {37632,  3211264, 3211264, 802816, 1605632, 1605632, 401408, 802816, 802816,
                             802816, 200704,  401408,  401408, 401408,  100352,  16384,  16384,  0};
  for (int i = 0; i < 17; ++i) {
    in.device.layers.push_back({device_ms[i], device_ms[i] * 5.6e-3, splitpoint::CostSource::measured});
    in.server.layers.push_back({device_ms[i] / 30, 0, splitpoint::CostSource::measured});
  }
  in.cut_bytes.assign(bytes, bytes + 18);
  in.result_bytes = 8;
  in.link = splitpoint::parse_link("lte");
  const splitpoint::Objective objective = splitpoint::parse_objective("energy");
  for (auto _ : state) {
    benchmark::DoNotOptimize(splitpoint::sweep_bandwidth(in, objective, {}, 0.1, 1000, static_cast<int>(state.range(0))));
  }
  state.counters["points"] = static_cast<double>(state.range(0));
}

BENCHMARK(BM_ChainSweep)->Arg(200)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
