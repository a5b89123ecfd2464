// Building zoo models: structure only (what `inspect` does) and with He-normal
// weights (what exec/profile do before compiling). Run: build/bench/bench_zoo
#include <benchmark/benchmark.h>

#include "graph/summary.h"
#include "zoo/zoo.h"

namespace {

void BM_BuildStructure(benchmark::State& state, const char* name) {
  splitpoint::ZooOptions options;
  options.weights = false;
  for (auto _ : state) benchmark::DoNotOptimize(splitpoint::build_zoo_model(name, options));
}

void BM_BuildWithWeights(benchmark::State& state, const char* name) {
  for (auto _ : state) benchmark::DoNotOptimize(splitpoint::build_zoo_model(name));
}

void BM_Summarize(benchmark::State& state, const char* name) {
  splitpoint::ZooOptions options;
  options.weights = false;
  auto graph = splitpoint::build_zoo_model(name, options);
  for (auto _ : state) benchmark::DoNotOptimize(splitpoint::summarize(graph, 8 << 20));
}

BENCHMARK_CAPTURE(BM_BuildStructure, vgg16, "vgg16")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BuildStructure, resnet50, "resnet50")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Summarize, resnet50, "resnet50")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Summarize, mobilenet_v2, "mobilenet_v2")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BuildWithWeights, vgg16_seed, "vgg16-seed")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BuildWithWeights, vgg16, "vgg16")->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
