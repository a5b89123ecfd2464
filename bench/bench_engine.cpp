// The engine's speed: VGG16 and ResNet-50 (224x224, batch 1) in fp32, u8 and
// i8, with 1 and 2 threads, on every backend of this build. Benchmarks are
// named engine/<model>/<dtype>/<backend>/threads:<n>; the time is per
// inference. bench/compare.py runs this beside the peers (ONNX Runtime,
// PyTorch) and prints the comparison table.
//   build/bench/bench_engine --benchmark_filter=vgg16/f32 --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>

#include "engine/backend.h"
#include "engine/calibrate.h"
#include "engine/random_inputs.h"
#include "graph/counting.h"
#include "zoo/zoo.h"

namespace {

using namespace splitpoint;

// Models are built (and quantized) once, on first use.
const Graph& model(const std::string& name, const std::string& dtype) {
  static std::map<std::string, std::unique_ptr<Graph>> cache;
  const std::string key = name + "/" + dtype;
  if (auto it = cache.find(key); it != cache.end()) return *it->second;
  Graph g;
  if (dtype == "f32") {
    g = build_zoo_model(name);
  } else {
    const Graph& f = model(name, "f32");
    std::vector<std::vector<Tensor>> samples{random_inputs(f, 100), random_inputs(f, 101)};
    CalibrationOptions options;
    options.threads = 2;
    g = quantize_model(*make_backend(default_backend_name()), f, parse_quant_scheme(dtype), samples, options).graph;
  }
  return *cache.emplace(key, std::make_unique<Graph>(std::move(g))).first->second;
}

void BM_Inference(benchmark::State& state, std::string model_name, std::string dtype, std::string backend_name) {
  const int threads = static_cast<int>(state.range(0));
  std::unique_ptr<Executable> exe;
  try {
    CompileOptions options;
    options.threads = threads;
    exe = make_backend(backend_name)->compile(model(model_name, dtype), options);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  const auto inputs = random_inputs(exe->inputs(), 1);
  auto outputs = exe->make_outputs();
  for (auto _ : state) exe->run(inputs, outputs);
  const double flops = 2.0 * static_cast<double>(count_graph(model(model_name, "f32")).macs);
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

const bool registered = [] {
  for (const char* m : {"vgg16", "resnet50", "mobilenet_v2"})
    for (const char* dtype : {"f32", "u8", "i8"})
      for (const std::string& backend : backend_names()) {
        if (backend == "reference") continue;  // an oracle, not a contender
        benchmark::RegisterBenchmark(("engine/" + std::string(m) + "/" + dtype + "/" + backend).c_str(),
                                     BM_Inference, m, dtype, backend)
            ->ArgName("threads")
            ->Arg(1)
            ->Arg(2)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->MinWarmUpTime(0.2);
      }
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
