// libFuzzer target: the profile JSON reader (profile/profile_json.h), which
// the planner runs on profiles measured elsewhere. splitpoint::Error is the
// expected answer to a bad file; anything else escaping is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "profile/profile_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    splitpoint::ModelProfile profile = splitpoint::read_profile_json_text(
        std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
    (void)profile;
  } catch (const splitpoint::Error&) {
  }
  return 0;
}
