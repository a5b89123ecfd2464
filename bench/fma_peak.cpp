// The machine's float FMA limit, measured (not assumed): each of T threads runs
// a loop of independent fused multiply-adds on the widest vectors the CPU has
// (AVX-512, else AVX2+FMA on x86-64; NEON on arm64), enough accumulators to
// cover the FMA latency, for a fixed time. The figure is what a perfect fp32
// kernel could reach; bench/compare.py divides each model's GFLOP/s by it.
//
// Usage: fma_peak [--threads T] [--seconds S] [--repeat R]
// Prints one JSON line per repetition, then one with the median:
//   {"isa":"avx512","threads":2,"gflops":415.2,"median":true}
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace {

// Ten independent chains: more than latency x issue width on every core this
// runs on (Zen 4/5 and Skylake-X: 4 cycles x 2 FMA pipes = 8; Cortex-A72/A76: 4 x 2 = 8).
constexpr int kChains = 10;
constexpr int64_t kInner = 1 << 14;  // FMAs per chain between clock reads

struct Isa {
  const char* name;
  int lanes;                           // floats per vector
  double (*run)(int64_t rounds);       // returns a value the compiler must keep
};

#if defined(__x86_64__)
__attribute__((target("avx512f"))) double run_avx512(int64_t rounds) {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(static_cast<float>(c) * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t r = 0; r < rounds; ++r)
    for (int64_t i = 0; i < kInner; ++i)
      for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  return _mm512_reduce_add_ps(sum);
}

__attribute__((target("avx2,fma"))) double run_avx2(int64_t rounds) {
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(static_cast<float>(c) * 1e-3f);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t r = 0; r < rounds; ++r)
    for (int64_t i = 0; i < kInner; ++i)
      for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
  __m256 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm256_add_ps(sum, acc[c]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  double total = 0;
  for (float v : lanes) total += v;
  return total;
}

Isa best_isa() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return {"avx512", 16, run_avx512};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {"avx2", 8, run_avx2};
  return {"none", 0, nullptr};
}
#elif defined(__aarch64__)
double run_neon(int64_t rounds) {
  float32x4_t acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = vdupq_n_f32(static_cast<float>(c) * 1e-3f);
  const float32x4_t a = vdupq_n_f32(0.999999f), b = vdupq_n_f32(1e-7f);
  for (int64_t r = 0; r < rounds; ++r)
    for (int64_t i = 0; i < kInner; ++i)
      for (int c = 0; c < kChains; ++c) acc[c] = vfmaq_f32(b, acc[c], a);
  float32x4_t sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = vaddq_f32(sum, acc[c]);
  return vaddvq_f32(sum);
}
Isa best_isa() { return {"neon", 4, run_neon}; }
#else
Isa best_isa() { return {"none", 0, nullptr}; }
#endif

// GFLOP/s of `threads` threads each running `isa` for about `seconds`.
double measure(const Isa& isa, int threads, double seconds, double* sink) {
  // Calibrate: rounds per thread that take about `seconds` on one thread.
  using clock = std::chrono::steady_clock;
  int64_t rounds = 1;
  for (;;) {
    auto t0 = clock::now();
    *sink += isa.run(rounds);
    double s = std::chrono::duration<double>(clock::now() - t0).count();
    if (s > 0.05) {
      rounds = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(rounds) * seconds / s));
      break;
    }
    rounds *= 2;
  }
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<double> sinks(static_cast<size_t>(threads));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load()) std::this_thread::yield();
      sinks[static_cast<size_t>(t)] = isa.run(rounds);
    });
  }
  while (ready.load() < threads) std::this_thread::yield();
  auto t0 = clock::now();
  go.store(true);
  for (auto& th : pool) th.join();
  double s = std::chrono::duration<double>(clock::now() - t0).count();
  for (double v : sinks) *sink += v;
  double flops = 2.0 * static_cast<double>(isa.lanes) * kChains * static_cast<double>(kInner) *
                 static_cast<double>(rounds) * threads;
  return flops / s / 1e9;
}

int positive_arg(const char* flag, const char* value) {
  char* end = nullptr;
  long v = std::strtol(value, &end, 10);
  if (!end || *end || v < 1 || v > 1024) {
    std::fprintf(stderr, "fma_peak: %s: expected a whole number in 1..1024, got '%s'\n", flag, value);
    std::exit(2);
  }
  return static_cast<int>(v);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1, repeat = 5;
  double seconds = 0.5;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::printf("fma_peak [--threads T] [--seconds S] [--repeat R]\n"
                  "  The float FMA throughput of T threads on this CPU's widest vectors, in GFLOP/s:\n"
                  "  R repetitions of about S seconds each (medians are what bench/compare.py uses).\n");
      return 0;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "fma_peak: %s needs a value\n", a.c_str());
      return 2;
    }
    if (a == "--threads") threads = positive_arg("--threads", argv[++i]);
    else if (a == "--repeat") repeat = positive_arg("--repeat", argv[++i]);
    else if (a == "--seconds") {
      char* end = nullptr;
      seconds = std::strtod(argv[++i], &end);
      if (!end || *end || !(seconds >= 0.05 && seconds <= 60)) {
        std::fprintf(stderr, "fma_peak: --seconds: expected a number of seconds in 0.05..60, got '%s'\n", argv[i]);
        return 2;
      }
    }
    else {
      std::fprintf(stderr, "fma_peak: unknown option '%s' (--help)\n", a.c_str());
      return 2;
    }
  }
  Isa isa = best_isa();
  if (!isa.run) {
    std::fprintf(stderr, "fma_peak: no vector FMA on this CPU\n");
    return 2;
  }
  double sink = 0;
  std::vector<double> results;
  for (int r = 0; r < repeat; ++r) {
    results.push_back(measure(isa, threads, seconds, &sink));
    std::printf("{\"isa\":\"%s\",\"threads\":%d,\"gflops\":%.1f}\n", isa.name, threads, results.back());
  }
  std::sort(results.begin(), results.end());
  std::printf("{\"isa\":\"%s\",\"threads\":%d,\"gflops\":%.1f,\"median\":true,\"sink\":%g}\n", isa.name, threads,
              results[results.size() / 2], sink);
  return 0;
}
