// The profile JSON: what profile_to_json writes is what read_profile_json
// reads back, the text follows docs/profile-format.md, and a bad file is
// rejected with the file and field named.
#include "profile/profile_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error_message.h"
#include "core/error.h"

namespace splitpoint {
namespace {

using testing::error_message;

ModelProfile sample_profile() {
  ModelProfile p;
  p.model = "vgg16-seed";
  p.device = "local";
  p.machine = {"Test CPU", 2, "Linux 6.1.0 x86_64"};
  p.measurement = {"onednn", "f32", 2, 3, 30, 5, "both", "2026-11-26T10:00:00Z", "splitpoint 0.1.0"};
  p.meter = MeterInfo{"model:2.0,5.0", 0.0, 2.0};
  LayerProfile a;
  a.index = 1;
  a.name = "block1_conv1";
  a.kind = "Conv2D";
  a.macs = 21676032;
  a.parameters = 1792;
  a.weight_bytes = 7168;
  a.output_shape = {1, 112, 112, 64};
  a.output_bytes = 3211264;
  a.time_ms = {1.25, 1.125, 1.375, 1.0, 0.02, 150};
  a.prefix_time_ms = TimeStats{1.5, 1.25, 1.75, 1.0, 0.03, 150};
  a.cumulative_ms = 1.5;
  a.power_w = 5.0;
  a.energy_j = LayerEnergy{0.00625, 0.00375};
  LayerProfile b;
  b.index = 2;
  b.name = "block1_pool";
  b.kind = "MaxPool2D";
  b.output_shape = {1, 56, 56, 64};
  b.output_bytes = 802816;
  b.time_ms.median = 0.5;  // everything else unknown
  p.layers = {a, b};
  p.whole_model_ms = TimeStats{1.5, std::nullopt, std::nullopt, 1.25, std::nullopt, 10};
  p.sum_of_layers_ms = 1.75;
  p.sum_over_whole = 1.75 / 1.5;
  p.provenance = "a test";
  return p;
}

void expect_stats_equal(const TimeStats& a, const TimeStats& b) {
  EXPECT_EQ(a.median, b.median);
  EXPECT_EQ(a.p10, b.p10);
  EXPECT_EQ(a.p90, b.p90);
  EXPECT_EQ(a.min, b.min);
  EXPECT_EQ(a.spread, b.spread);
  EXPECT_EQ(a.samples, b.samples);
}

TEST(ProfileJson, RoundTrips) {
  const ModelProfile p = sample_profile();
  const ModelProfile q = read_profile_json_text(profile_to_json(p), "p.json");
  EXPECT_EQ(q.model, p.model);
  EXPECT_EQ(q.device, p.device);
  EXPECT_EQ(q.machine.cpu, p.machine.cpu);
  EXPECT_EQ(q.machine.cores, p.machine.cores);
  EXPECT_EQ(q.machine.os, p.machine.os);
  EXPECT_EQ(q.measurement.backend, "onednn");
  EXPECT_EQ(q.measurement.dtype, "f32");
  EXPECT_EQ(q.measurement.threads, 2);
  EXPECT_EQ(q.measurement.warmup, 3);
  EXPECT_EQ(q.measurement.repeats, 30);
  EXPECT_EQ(q.measurement.rounds, 5);
  EXPECT_EQ(q.measurement.method, "both");
  EXPECT_EQ(q.measurement.date, "2026-11-26T10:00:00Z");
  EXPECT_EQ(q.measurement.tool, "splitpoint 0.1.0");
  ASSERT_TRUE(q.meter);
  EXPECT_EQ(q.meter->name, "model:2.0,5.0");
  EXPECT_EQ(q.meter->sample_rate_hz, 0.0);
  EXPECT_EQ(q.meter->idle_power_w, 2.0);
  ASSERT_EQ(q.layers.size(), 2u);
  const LayerProfile& a = q.layers[0];
  EXPECT_EQ(a.index, 1);
  EXPECT_EQ(a.name, "block1_conv1");
  EXPECT_EQ(a.kind, "Conv2D");
  EXPECT_EQ(a.macs, 21676032);
  EXPECT_EQ(a.parameters, 1792);
  EXPECT_EQ(a.weight_bytes, 7168);
  EXPECT_EQ(a.output_shape, (std::vector<int64_t>{1, 112, 112, 64}));
  EXPECT_EQ(a.output_bytes, 3211264);
  expect_stats_equal(a.time_ms, p.layers[0].time_ms);
  ASSERT_TRUE(a.prefix_time_ms);
  expect_stats_equal(*a.prefix_time_ms, *p.layers[0].prefix_time_ms);
  EXPECT_EQ(a.cumulative_ms, 1.5);
  EXPECT_EQ(a.power_w, 5.0);
  ASSERT_TRUE(a.energy_j);
  EXPECT_EQ(a.energy_j->gross, 0.00625);
  EXPECT_EQ(a.energy_j->net, 0.00375);
  const LayerProfile& b = q.layers[1];
  expect_stats_equal(b.time_ms, p.layers[1].time_ms);
  EXPECT_FALSE(b.prefix_time_ms);
  EXPECT_FALSE(b.cumulative_ms);
  EXPECT_FALSE(b.power_w);
  EXPECT_FALSE(b.energy_j);
  ASSERT_TRUE(q.whole_model_ms);
  expect_stats_equal(*q.whole_model_ms, *p.whole_model_ms);
  EXPECT_EQ(q.sum_of_layers_ms, 1.75);
  EXPECT_NEAR(*q.sum_over_whole, *p.sum_over_whole, 1e-8);  // written with 9 significant digits
  EXPECT_EQ(q.provenance, "a test");
}

TEST(ProfileJson, ContentionRoundTripsAndIsChecked) {
  ModelProfile p = sample_profile();
  EXPECT_FALSE(read_profile_json_text(profile_to_json(p), "p.json").contention);  // absent stays absent
  ContentionReport c;
  c.contended = true;
  c.reasons = {"load average 3.00 on 2 CPU(s)"};
  c.other_cpus = 0.95;
  c.involuntary_switches_per_s = 300.0;
  c.own_cpu_over_wall = 1.0;
  c.own_cpu_share = 0.5;
  c.runqueue_wait_share = 0.25;
  c.load_average_1m = 3.0;
  c.stall_ratio = 4.0;
  p.contention = c;
  const std::string text = profile_to_json(p);
  const auto raw = nlohmann::json::parse(text);  // the field names, read without our reader
  EXPECT_EQ(raw["contention"]["contended"], true);
  EXPECT_EQ(raw["contention"]["reasons"][0], "load average 3.00 on 2 CPU(s)");
  EXPECT_EQ(raw["contention"]["other_cpus"], 0.95);
  EXPECT_EQ(raw["contention"]["own_cpu_share"], 0.5);
  EXPECT_EQ(raw["contention"]["runqueue_wait_share"], 0.25);
  const ModelProfile q = read_profile_json_text(text, "p.json");
  ASSERT_TRUE(q.contention);
  EXPECT_TRUE(q.contention->contended);
  EXPECT_EQ(q.contention->reasons, c.reasons);
  EXPECT_EQ(q.contention->load_average_1m, 3.0);
  EXPECT_EQ(q.contention->stall_ratio, 4.0);
  EXPECT_EQ(q.contention->own_cpu_share, 0.5);
  EXPECT_EQ(q.contention->runqueue_wait_share, 0.25);
  // Bad values name the field.
  auto bad = raw;
  bad["contention"]["contended"] = "yes";
  EXPECT_NE(testing::error_message([&] { read_profile_json_text(bad.dump(), "p.json"); })
                .find("p.json: contention.contended: expected true or false"),
            std::string::npos);
  bad = raw;
  bad["contention"]["other_cpus"] = -1;
  EXPECT_NE(testing::error_message([&] { read_profile_json_text(bad.dump(), "p.json"); }).find("contention.other_cpus"),
            std::string::npos);
}

// The written text has the documented field names and values (checked with
// nlohmann::json directly, not with our reader).
TEST(ProfileJson, WritesTheDocumentedFields) {
  const auto j = nlohmann::json::parse(profile_to_json(sample_profile()));
  EXPECT_EQ(j["schema"], "splitpoint-profile");
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["machine"]["cpu"], "Test CPU");
  EXPECT_EQ(j["measurement"]["repeats"], 30);
  EXPECT_EQ(j["meter"]["idle_power_w"], 2.0);
  EXPECT_EQ(j["layers"][0]["output_shape"], nlohmann::json::array({1, 112, 112, 64}));
  EXPECT_EQ(j["layers"][0]["time_ms"]["p90"], 1.375);
  EXPECT_EQ(j["layers"][0]["time_ms"]["samples"], 150);
  EXPECT_EQ(j["layers"][0]["energy_j"]["net"], 0.00375);
  EXPECT_TRUE(j["layers"][1]["time_ms"]["p10"].is_null());
  EXPECT_FALSE(j["layers"][1].contains("energy_j"));
  EXPECT_EQ(j["sum_of_layers_ms"], 1.75);
  for (const char* key : {"schema", "schema_version", "model", "device", "machine", "measurement", "meter", "layers",
                          "whole_model_ms", "sum_of_layers_ms", "sum_over_whole", "provenance"})
    EXPECT_TRUE(j.contains(key)) << key;
}

TEST(ProfileJson, WritesNineSignificantDigits) {
  ModelProfile p = sample_profile();
  p.layers[0].time_ms.median = 0.062173499827622436;
  p.layers[0].energy_j->gross = 0.00022931600142328534;
  p.sum_over_whole = 1.75 / 1.5;
  const auto j = nlohmann::json::parse(profile_to_json(p));
  EXPECT_EQ(j["layers"][0]["time_ms"]["median"].dump(), "0.0621734998");
  EXPECT_EQ(j["layers"][0]["energy_j"]["gross"].dump(), "0.000229316001");
  EXPECT_EQ(j["sum_over_whole"].dump(), "1.16666667");
  EXPECT_EQ(j["layers"][0]["macs"].dump(), "21676032");
}

// Seed data: only what the schema requires.
TEST(ProfileJson, ReadsAMinimalSeedProfile) {
  const char* text = R"({
    "schema": "splitpoint-profile", "schema_version": 1, "model": "vgg16-seed", "device": "rpi3bplus-cpu-f32",
    "machine": {"cpu": null, "cores": 4, "os": null},
    "measurement": {"backend": "tflite", "dtype": "f32", "method": "study"},
    "layers": [{"index": 1, "name": "block1_conv1", "kind": "Conv2D", "macs": 21676032, "parameters": 1792,
                "weight_bytes": 7168, "output_shape": [1, 112, 112, 64], "output_bytes": 3211264,
                "time_ms": {"median": 410}, "cumulative_ms": 410}],
    "sum_of_layers_ms": 410,
    "provenance": "sheet 1, row 2"
  })";
  const ModelProfile p = read_profile_json_text(text, "seed.json");
  EXPECT_FALSE(p.machine.cpu);
  EXPECT_EQ(p.machine.cores, 4);
  EXPECT_FALSE(p.measurement.threads);
  EXPECT_FALSE(p.measurement.date);
  EXPECT_FALSE(p.meter);
  EXPECT_FALSE(p.whole_model_ms);
  EXPECT_FALSE(p.sum_over_whole);
  EXPECT_EQ(p.layers[0].time_ms.median, 410);
  EXPECT_FALSE(p.layers[0].time_ms.p10);
  EXPECT_EQ(p.layers[0].cumulative_ms, 410);
}

// Edits the sample profile's JSON with `edit` and returns the reader's error.
template <typename Edit>
std::string error_after(Edit edit) {
  auto j = nlohmann::json::parse(profile_to_json(sample_profile()));
  edit(j);
  return error_message([&] { read_profile_json_text(j.dump(), "p.json"); });
}

TEST(ProfileJson, ErrorsNameTheFileAndField) {
  EXPECT_EQ(error_after([](auto& j) { j["layers"][1]["time_ms"]["median"] = "1.2"; }),
            "p.json: layers[1].time_ms.median: expected a number, found the string \"1.2\"");
  EXPECT_EQ(error_after([](auto& j) { j["layers"][0].erase("kind"); }), "p.json: layers[0].kind: missing");
  EXPECT_EQ(error_after([](auto& j) { j["layers"][0]["time_ms"]["meadian"] = 1; }),
            "p.json: layers[0].time_ms.meadian: unknown field");
  EXPECT_EQ(error_after([](auto& j) { j["layers"][1]["index"] = 3; }),
            "p.json: layers[1].index: expected 2 (layers are numbered 1..L in order), found 3");
  EXPECT_EQ(error_after([](auto& j) { j["schema_version"] = 2; }),
            "p.json: schema_version: version 2 is not supported; this build reads version 1");
  EXPECT_EQ(error_after([](auto& j) { j["schema"] = "other"; }),
            "p.json: schema: expected \"splitpoint-profile\", found \"other\"");
  EXPECT_EQ(error_after([](auto& j) { j["measurement"]["method"] = "stopwatch"; }),
            "p.json: measurement.method: 'stopwatch' is not one of layer, prefix, both, study");
  EXPECT_EQ(error_after([](auto& j) { j["measurement"]["repeats"] = 0; }),
            "p.json: measurement.repeats: expected an integer >= 1, found 0");
  EXPECT_EQ(error_after([](auto& j) { j["layers"][0]["output_shape"][2] = 1.5; }),
            "p.json: layers[0].output_shape[2]: expected an integer, found 1.5");
  EXPECT_EQ(error_after([](auto& j) { j["layers"] = nlohmann::json::array(); }),
            "p.json: layers: expected at least one layer");
  EXPECT_EQ(error_after([](auto& j) { j["meter"]["idle_power_w"] = -1; }),
            "p.json: meter.idle_power_w: expected a number >= 0, found -1");
  EXPECT_EQ(error_after([](auto& j) { j = nlohmann::json::array(); }),
            "p.json: top level: expected an object, found an array");
}

TEST(ProfileJson, FileErrors) {
  const auto dir = std::filesystem::temp_directory_path() / "splitpoint_profile_json_test";
  std::filesystem::create_directories(dir);
  const auto bad = dir / "bad.json";
  std::ofstream(bad) << "{\"schema\": ";
  const std::string message = error_message([&] { read_profile_json(bad); });
  EXPECT_EQ(message.rfind(bad.string() + ": not valid JSON", 0), 0u) << message;
  EXPECT_EQ(error_message([&] { read_profile_json(dir / "missing.json"); }),
            (dir / "missing.json").string() + ": no such file");
  const auto good = dir / "good.json";
  std::ofstream(good) << profile_to_json(sample_profile());
  EXPECT_EQ(read_profile_json(good).layers.size(), 2u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace splitpoint
