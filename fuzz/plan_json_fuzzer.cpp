// libFuzzer target: the plan JSON reader (plan/plan_json_reader.h), which
// `splitpoint report` runs on plans written anywhere. splitpoint::Error is the
// expected answer to a bad file; anything else escaping is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "plan/plan_json_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    splitpoint::PlanReport plan = splitpoint::read_plan_json_text(
        std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
    (void)plan;
  } catch (const splitpoint::Error&) {
  }
  return 0;
}
