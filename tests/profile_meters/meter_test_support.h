#pragma once
// Shared by the meter tests: a temporary directory for fake sysfs trees and
// trace files, atomic attribute writes, and a way to know that a polling
// meter's sampler has seen the value just written.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "profile/clock.h"
#include "profile/polling_meter.h"

namespace splitpoint::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "splitpoint_meters_XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Writes `text` to a new file and renames it over `path` (creating its
// directory): a reader sees the old value or the new one, never half of one.
inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  const std::filesystem::path temporary = path.string() + ".new";
  {
    std::ofstream out(temporary, std::ios::binary);
    out << text;
  }
  std::filesystem::rename(temporary, path);
}

// Waits until `count` more samples have been taken (fails the test after 5 s
// instead of hanging).
inline void wait_for_samples(const PollingMeter& meter, int64_t count) {
  const int64_t target = meter.samples_taken() + count;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (meter.samples_taken() < target) {
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "the sampler took no new samples for 5 s";
      return;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

// Call after writing a value. Returns a time t inside the value's hold: every
// sample from the last one before t to the first one after t read the new
// value, as long as the caller writes nothing else before it returns. (A
// sample counted later than the write may have read before it; the second
// one began after the first ended, so after the write; likewise after t.)
inline double mark_after_settling(const PollingMeter& meter) {
  wait_for_samples(meter, 2);
  const double mark = steady_seconds();
  wait_for_samples(meter, 2);
  return mark;
}

}  // namespace splitpoint::testing
