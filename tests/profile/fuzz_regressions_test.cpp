// Inputs the profile JSON fuzzer (fuzz/profile_json_fuzzer.cpp) found to
// crash the reader, kept in fuzz/regressions/profile/: each must now give a
// splitpoint::Error (none of them is a valid profile). The seeds in
// fuzz/corpus/profile/ must read back.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/error.h"
#include "core/file_io.h"
#include "profile/profile_json.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;

TEST(ProfileFuzzRegressions, EveryCrasherIsAnError) {
  const fs::path dir = fs::path(SPLITPOINT_SOURCE_DIR) / "fuzz/regressions/profile";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::vector<uint8_t> bytes = read_file_bytes(entry.path());
    const std::string text(bytes.begin(), bytes.end());
    EXPECT_THROW(read_profile_json_text(text, entry.path().filename().string()), Error) << entry.path();
    ++files;
  }
  EXPECT_GE(files, 1);
}

TEST(ProfileFuzzRegressions, NumberTooLargeNamesTheFile) {
  try {
    read_profile_json_text(R"({"schema": 1e999999})", "big.json");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("big.json: not valid JSON"), std::string::npos) << e.what();
  }
}

TEST(ProfileFuzzRegressions, SeedsReadBack) {
  for (const auto& entry : fs::directory_iterator(fs::path(SPLITPOINT_SOURCE_DIR) / "fuzz/corpus/profile")) {
    EXPECT_NO_THROW(read_profile_json(entry.path())) << entry.path();
  }
}

}  // namespace
}  // namespace splitpoint
