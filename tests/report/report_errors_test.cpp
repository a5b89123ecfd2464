// Bad inputs: exit code 2, the file (and field) named, and nothing written.
#include <gtest/gtest.h>

#include "report/report_fixture.h"

namespace splitpoint {
namespace {

using testing::run_cli;

struct Scratch {
  std::filesystem::path dir;
  explicit Scratch(const std::string& name)
      : dir(std::filesystem::temp_directory_path() / ("splitpoint_report_errors_" + name + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~Scratch() { std::filesystem::remove_all(dir); }
  std::string file(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  }
};

TEST(ReportErrors, UnknownKindNamesTheFile) {
  Scratch s("kind");
  const std::string f = s.file("other.json", R"({"schema": "something-else", "schema_version": 1})");
  auto r = run_cli("report " + f + " -o " + (s.dir / "out").string());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(f + ": schema: \"something-else\""), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(s.dir / "out" / "report.html"));

  const std::string none = s.file("none.json", R"([1, 2])");
  r = run_cli("report " + none + " -o " + (s.dir / "out").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(none + ": schema: missing"), std::string::npos) << r.err;
}

TEST(ReportErrors, MissingFileIsNamed) {
  Scratch s("missing");
  const std::string f = (s.dir / "no-such-plan.json").string();
  auto r = run_cli("report " + f + " -o " + (s.dir / "out").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(f), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(s.dir / "out" / "report.html"));
}

TEST(ReportErrors, BadFieldOfAPlanIsNamedAndNothingIsWritten) {
  const auto& fixture = testing::report_fixture();
  ASSERT_TRUE(fixture.error.empty()) << fixture.error;
  Scratch s("field");
  auto plan = testing::read_json(fixture.inputs / "plan-pi-lte-energy.json");
  plan["cuts"][3]["total_ms"] = "fast";
  const std::string f = s.file("plan.json", plan.dump());
  const std::string good = (fixture.inputs / "rpi3bplus-cpu-f32.json").string();
  auto r = run_cli("report " + good + " " + f + " -o " + (s.dir / "out").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(f + ": cuts[3].total_ms: expected a number, found the string \"fast\""), std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(s.dir / "out"));

  // A run JSON missing a field.
  auto run = nlohmann::json::parse(testing::hand_made_run_json());
  run["requests"][1].erase("predicted");
  const std::string bad_run = s.file("run.json", run.dump());
  r = run_cli("report " + bad_run + " -o " + (s.dir / "out").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad_run + ": requests[1].predicted: missing"), std::string::npos) << r.err;
}

TEST(ReportErrors, NoGnuplotSaysWhatToInstallAndWritesNothing) {
  const auto& fixture = testing::report_fixture();
  ASSERT_TRUE(fixture.error.empty()) << fixture.error;
  Scratch s("gnuplot");
  const std::string good = (fixture.inputs / "rpi3bplus-cpu-f32.json").string();
  // PATH without gnuplot: an empty directory.
  const std::string cmd = "env PATH=" + s.dir.string() + " " + std::string(SPLITPOINT_CLI) + " report " + good +
                          " -o " + (s.dir / "out2").string() + " >/dev/null 2>" + (s.dir / "err").string();
  const int status = std::system(cmd.c_str());
  EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 2);
  const std::string err = testing::slurp(s.dir / "err");
  EXPECT_NE(err.find("gnuplot not found"), std::string::npos) << err;
  EXPECT_NE(err.find("gnuplot-nox"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(s.dir / "out2"));
}

TEST(ReportErrors, HelpExplainsTheInputs) {
  auto r = run_cli("report --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* word : {"splitpoint-profile", "--sweep-bandwidth", "edgetpu-usb2", "splitpoint run -o", "gnuplot"})
    EXPECT_NE(r.out.find(word), std::string::npos) << word;
}

}  // namespace
}  // namespace splitpoint
