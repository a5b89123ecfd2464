// libFuzzer target: the power-trace CSV reader (profile/power_trace_csv.h), which `profile --power-trace` runs on
// an instrument's export. splitpoint::Error is the expected answer to a bad file; a trace that reads has as many
// times as powers, every one finite, and times that never go backwards.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/error.h"
#include "fuzz_input_file.h"
#include "profile/power_trace_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = fuzz::input_file(data, size, ".csv");
  try {
    const splitpoint::PowerTrace trace = splitpoint::read_power_trace_csv(path);
    if (trace.time_s.size() != trace.power_w.size()) {
      std::fprintf(stderr, "round trip failed: %zu times, %zu powers\n", trace.time_s.size(), trace.power_w.size());
      std::abort();
    }
    for (size_t i = 0; i < trace.time_s.size(); ++i) {
      if (!std::isfinite(trace.time_s[i]) || !std::isfinite(trace.power_w[i]) ||
          (i > 0 && trace.time_s[i] < trace.time_s[i - 1])) {
        std::fprintf(stderr, "round trip failed: row %zu: time %g, power %g\n", i, trace.time_s[i], trace.power_w[i]);
        std::abort();
      }
    }
  } catch (const splitpoint::Error&) {
  }
  return 0;
}
