// Inputs the report fuzzer (fuzz/report_inputs_fuzzer.cpp) found, kept in
// fuzz/regressions/report/: `splitpoint report` must end each with a report
// or a clean error (exit 0 or 2, never a signal or an internal error). The
// seeds in fuzz/corpus/report/ must make a report.
#include <gtest/gtest.h>
#include <unistd.h>

#include "report/report_fixture.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;

TEST(ReportFuzzRegressions, EveryFileEndsCleanly) {
  const fs::path out = fs::temp_directory_path() / ("splitpoint_report_regressions_" + std::to_string(::getpid()));
  int files = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(SPLITPOINT_SOURCE_DIR) / "fuzz/regressions/report")) {
    if (entry.path().extension() == ".md") continue;
    auto r = run_cli("report '" + entry.path().string() + "' -o " + out.string());
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 2) << entry.path() << ": exit " << r.exit_code << r.err;
    if (r.exit_code == 2) EXPECT_NE(r.err.find(entry.path().string() + ": "), std::string::npos) << r.err;
    ++files;
  }
  fs::remove_all(out);
  EXPECT_GE(files, 1);
}

TEST(ReportFuzzRegressions, EdgeTpuHeadBeyondTheLayersIsRefused) {
  const fs::path file =
      fs::path(SPLITPOINT_SOURCE_DIR) / "fuzz/regressions/report/crash-edgetpu-head-cut-beyond-layers.json";
  auto r = run_cli("report " + file.string() + " -o " + (fs::temp_directory_path() / "splitpoint_unused").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("edgetpu_heads[1].cut: cut"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("out of range"), std::string::npos) << r.err;
}

TEST(ReportFuzzRegressions, SeedsMakeAReport) {
  const fs::path out = fs::temp_directory_path() / ("splitpoint_report_seeds_" + std::to_string(::getpid()));
  std::string args;
  for (const auto& entry : fs::directory_iterator(fs::path(SPLITPOINT_SOURCE_DIR) / "fuzz/corpus/report"))
    args += " " + entry.path().string();
  auto r = run_cli("report" + args + " -o " + out.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  fs::remove_all(out);
}

}  // namespace
}  // namespace splitpoint
