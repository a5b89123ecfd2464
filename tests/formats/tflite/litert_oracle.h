#pragma once
// LiteRT (Google's TFLite runtime, npm @litertjs/core run by Node 20) as the
// tests' oracle for .tflite files: tests/oracles/litert_run.js runs a list of
// models in one Node process; tensors travel as raw files in a scratch
// directory.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/file_io.h"
#include "core/tensor.h"

namespace splitpoint::testing {

struct LiteRtRun {
  std::filesystem::path model;
  std::vector<std::filesystem::path> inputs;   // one raw file per model input, in order
  std::vector<std::filesystem::path> outputs;  // where each output is written
};

struct LiteRtResult {
  bool ok = false;
  std::string error;  // when !ok
};

// A scratch directory removed with the object.
class ScratchDirectory {
 public:
  explicit ScratchDirectory(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              (name + "_" + std::to_string(static_cast<long>(::getpid())))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& file) const { return path_ / file; }

 private:
  std::filesystem::path path_;
};

inline void write_tensor_file(const std::filesystem::path& path, const Tensor& t) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(t.data()), static_cast<std::streamsize>(t.bytes()));
}

// The file's bytes as a tensor of `shape` and `dtype`; an empty tensor (no
// data) if the file is missing or has the wrong size.
inline Tensor read_tensor_file(const std::filesystem::path& path, const Shape& shape, DType dtype,
                               QuantParams quant = {}) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Tensor t(shape, dtype, std::move(quant));
  if (bytes.size() != t.bytes()) return {};
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(t.data()));
  return t;
}

// Runs every run in order in one LiteRT process. If Node or the runtime
// fails to start, every result carries that error.
inline std::vector<LiteRtResult> run_litert(const std::vector<LiteRtRun>& runs, const std::filesystem::path& scratch) {
  nlohmann::json jobs = nlohmann::json::array();
  for (const LiteRtRun& run : runs) {
    nlohmann::json job;
    job["model"] = run.model.string();
    job["inputs"] = nlohmann::json::array();
    for (const auto& p : run.inputs) job["inputs"].push_back(p.string());
    job["outputs"] = nlohmann::json::array();
    for (const auto& p : run.outputs) job["outputs"].push_back(p.string());
    jobs.push_back(job);
  }
  const auto jobs_file = scratch / "litert_jobs.json";
  const auto results_file = scratch / "litert_results.json";
  const auto log_file = scratch / "litert_log.txt";
  std::ofstream(jobs_file) << jobs.dump(1);
  const std::string script = std::string(SPLITPOINT_SOURCE_DIR) + "/tests/oracles/litert_run.js";
  const std::string command =
      "node '" + script + "' '" + jobs_file.string() + "' '" + results_file.string() + "' > '" + log_file.string() +
      "' 2>&1";
  const int status = std::system(command.c_str());
  std::vector<LiteRtResult> results(runs.size());
  std::ifstream in(results_file);
  if (status != 0 || !in) {
    std::ifstream log(log_file);
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    for (LiteRtResult& r : results) r.error = "LiteRT did not run (exit status " + std::to_string(status) + "): " + text;
    return results;
  }
  const nlohmann::json parsed = nlohmann::json::parse(in);
  for (size_t i = 0; i < results.size() && i < parsed.size(); ++i) {
    results[i].ok = parsed[i].value("ok", false);
    results[i].error = parsed[i].value("error", std::string());
  }
  return results;
}

}  // namespace splitpoint::testing
