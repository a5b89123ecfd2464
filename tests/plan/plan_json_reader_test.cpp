// The plan JSON read back (plan/plan_json_reader.h) and written again gives
// the same fields it reads; errors name the file and the field.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/run_cli.h"
#include "core/error.h"
#include "plan/plan_json_reader.h"

namespace splitpoint {
namespace {

using testing::run_cli;

TEST(PlanJsonReader, RoundTripOfTheFieldsItReads) {
  auto r = run_cli(std::string("plan vgg16-seed --device edgetpu-usb2 --link lte --objective energy --json "
                               "--sweep-bandwidth 0.1:100:7 --no-measure-codec --jpeg-quality 80 --input ") +
                   SPLITPOINT_DATA_DIR + "/models/cat.bmp");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto original = nlohmann::json::parse(r.out);
  const auto again = nlohmann::json::parse(plan_to_json(read_plan_json_text(r.out, "plan.json")));
  for (const char* key : {"schema", "schema_version", "model", "tool", "date", "objective", "constraints", "link",
                          "codec", "input_sent_as_8bit_pixels", "layers", "cuts", "best_cut", "all_local_cut",
                          "all_remote_cut", "best_baseline_cut", "gain", "jpeg_input", "bandwidth_sweep",
                          "edgetpu_heads", "edgetpu_cache_usable_bytes"}) {
    EXPECT_EQ(again[key], original[key]) << key;
  }
  EXPECT_EQ(again["device"]["layers"], original["device"]["layers"]);
  EXPECT_EQ(again["device"]["cut_overhead_ms"], original["device"]["cut_overhead_ms"]);
  EXPECT_EQ(again["server"]["layers"], original["server"]["layers"]);
}

TEST(PlanJsonReader, ErrorsNameTheFileAndField) {
  auto r = run_cli("plan vgg16-seed --device rpi3bplus-cpu-f32 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  auto expect_error = [](const nlohmann::json& bad, const std::string& message) {
    try {
      read_plan_json_text(bad.dump(), "p.json");
      ADD_FAILURE() << "no error; expected " << message;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  };
  auto bad = j;
  bad["cuts"][2].erase("energy_j");
  expect_error(bad, "p.json: cuts[2].energy_j: missing");
  bad = j;
  bad["schema_version"] = 2;
  expect_error(bad, "p.json: schema_version: version 2 is not supported");
  bad = j;
  bad["best_cut"] = 40;
  expect_error(bad, "p.json: best_cut: cut 40 out of range 0..17");
  bad = j;
  bad["cuts"].erase(3);
  expect_error(bad, "p.json: cuts: expected 18 cuts (0..17), found 17");
  bad = j;
  bad["objective"] = "speed";
  expect_error(bad, "p.json: objective: unknown objective 'speed'");
}

}  // namespace
}  // namespace splitpoint
