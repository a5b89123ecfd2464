#pragma once
// The inputs of a realistic report, made once per test process with the built
// `splitpoint` (plans and a profile, as the demo makes them) plus a run JSON
// written here by hand (docs/serve.md) with numbers the tests know, and the
// report written from them. test_report runs as one process (ONE_PROCESS).
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/run_cli.h"

namespace splitpoint::testing {

struct ReportFixture {
  std::filesystem::path inputs;  // the JSONs
  std::filesystem::path output;  // the report's directory
  CliResult report;              // `splitpoint report inputs/*.json -o output`
  std::string error;             // set when making the inputs failed
};

inline nlohmann::json read_json(const std::filesystem::path& p) { return nlohmann::json::parse(slurp(p)); }

// The hand-made run: LTE, split auto for energy on the study's Pi, four requests
// at cut 0 (measured 120, 150, 140, 400 ms: median 145 ms) and one fallback.
inline std::string hand_made_run_json() {
  nlohmann::json requests = nlohmann::json::array();
  const double measured[] = {120, 150, 140, 400, 900};
  for (int i = 0; i < 5; ++i) {
    const bool fallback = i == 4;
    requests.push_back({{"index", i}, {"input", "random#" + std::to_string(i)}, {"cut", fallback ? 17 : 0},
                        {"where", fallback ? "fallback" : "server"}, {"explored", false},
                        {"fallback_reason", fallback ? nlohmann::json("server unreachable") : nlohmann::json(nullptr)},
                        {"ms", {{"head", 0}, {"encode", 1}, {"upload", 60}, {"rtt", 60}, {"server", 10},
                                {"server_wait", 0}, {"download", 0.01}, {"network", 120}, {"decode", 0},
                                {"local_tail", 0}, {"total", measured[i]}}},
                        {"bytes", {{"tensor", 37632}, {"request", 37800}, {"response", 200}}},
                        {"energy_j", {{"compute", 0}, {"radio", 0.2 + 0.01 * i}, {"total", 0.2 + 0.01 * i}}},
                        {"predicted", {{"total_ms", 141.3}, {"device_ms", 0}, {"upload_ms", 51.5}, {"rtt_ms", 60},
                                       {"server_ms", 29.8}, {"download_ms", 0.005}, {"energy_j", 0.198}}},
                        {"link_estimate", {{"name", "lte"}, {"uplink_mbps", 5.85}, {"downlink_mbps", 13},
                                           {"rtt_ms", 60}, {"radio", "lte"}}},
                        {"server_scale", 1}, {"top1", 1}});
  }
  std::vector<std::string> names = {"block1_conv1", "block1_conv2", "block1_pool", "block2_conv1", "block2_conv2",
                                    "block2_pool", "block3_conv1", "block3_conv2", "block3_conv3", "block3_pool",
                                    "block4_conv1", "block4_conv2", "block4_conv3", "block4_pool", "fc1", "fc2",
                                    "predictions"};
  nlohmann::json link = {{"name", "lte"}, {"uplink_mbps", 5.85}, {"downlink_mbps", 13}, {"rtt_ms", 60}, {"radio", "lte"}};
  nlohmann::json j = {{"schema", "splitpoint-run"}, {"schema_version", 1}, {"tool", "splitpoint 0.1.0"},
                      {"date", "2026-11-26T20:00:00Z"}, {"model", "vgg16-seed"},
                      {"server", {{"url", "http://127.0.0.1:8000"}, {"model", "vgg16-seed"}}}, {"codec", "fp32"},
                      {"split", "auto"}, {"objective", "energy"}, {"device_profile", "rpi3bplus-cpu-f32"},
                      {"server_profile", "x86-server-onednn-f32"}, {"prior_link", link}, {"emulated_link", link},
                      {"layers", 17}, {"layer_names", names}, {"requests", requests}};
  return j.dump(2);
}

inline const ReportFixture& report_fixture() {
  static const ReportFixture fixture = [] {
    ReportFixture f;
    const auto root = std::filesystem::temp_directory_path() / ("splitpoint_report_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root);
    f.inputs = root / "inputs";
    f.output = root / "report";
    std::filesystem::create_directories(f.inputs);
    const std::string data = std::string(SPLITPOINT_SOURCE_DIR) + "/data/profiles/";
    std::filesystem::copy_file(data + "rpi3bplus-cpu-f32.json", f.inputs / "rpi3bplus-cpu-f32.json");
    // A profile made here, quickly (no power meter: chart 1 without energy).
    auto run = [&](const std::string& args) {
      CliResult r = run_cli(args);
      if (r.exit_code != 0 && f.error.empty()) f.error = args + ": " + r.err;
    };
    run("profile vgg16-seed --image-size 32 --warmup 1 --repeats 2 --rounds 2 --device here -o " +
        (f.inputs / "profile-here.json").string());
    for (const std::string link : {"3g", "lte", "wifi"}) {
      for (const std::string objective : {"energy", "latency"}) {
        std::string extra = link == "lte" && objective == "energy"
                                ? " --input " + std::string(SPLITPOINT_DATA_DIR) +
                                      "/models/cat.bmp --jpeg-quality 90 --no-measure-codec"
                                : "";
        run("plan vgg16-seed --device rpi3bplus-cpu-f32 --link " + link + " --objective " + objective +
            " --sweep-bandwidth 0.1:1000:20" + extra + " -o " +
            (f.inputs / ("plan-pi-" + link + "-" + objective + ".json")).string());
      }
    }
    // This machine's profile as the device: no energy figures.
    const std::string here = (f.inputs / "profile-here.json").string();
    run("plan vgg16-seed --device " + here + " --server " + here +
        " --image-size 32 --link wifi --objective latency -o " + (f.inputs / "plan-here-wifi-latency.json").string());
    run("plan vgg16-seed --device edgetpu-usb2 --link lte --objective energy --sweep-bandwidth 0.1:1000:20 -o " +
        (f.inputs / "plan-edgetpu-lte-energy.json").string());
    std::ofstream(f.inputs / "run-lte-auto.json") << hand_made_run_json();
    // The trained Fashion-MNIST model's rate-accuracy table (`splitpoint accuracy`, README): chart 7.
    std::filesystem::copy_file(std::string(SPLITPOINT_DATA_DIR) + "/accuracy/fashion_mnist_vgg.json",
                               f.inputs / "accuracy-fashion-mnist.json");
    if (f.error.empty()) f.report = run_cli("report " + (f.inputs / "*.json").string() + " -o " + f.output.string());
    return f;
  }();
  return fixture;
}

// Reads a CSV written by the report (no quoted fields with commas in these tests' data).
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  size_t col(const std::string& name) const {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    ADD_FAILURE() << "no column " << name;
    return 0;
  }
  double num(size_t row, const std::string& name) const { return std::stod(rows.at(row).at(col(name))); }
  const std::string& str(size_t row, const std::string& name) const { return rows.at(row).at(col(name)); }
};

inline Csv read_csv(const std::filesystem::path& p) {
  Csv csv;
  std::ifstream in(p);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::string field;
    for (char c : line) {
      if (c == ',') {
        fields.push_back(field);
        field.clear();
      } else {
        field += c;
      }
    }
    fields.push_back(field);
    if (first) csv.header = fields;
    else csv.rows.push_back(fields);
    first = false;
  }
  return csv;
}

}  // namespace splitpoint::testing
