#include "cost/profile_library.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>

#include "core/error.h"

#ifndef SPLITPOINT_DATA_DIR
#define SPLITPOINT_DATA_DIR ""
#endif

namespace splitpoint {

std::vector<std::filesystem::path> profile_directories() {
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("SPLITPOINT_PROFILES"); env && *env) dirs.emplace_back(env);
  if (*SPLITPOINT_DATA_DIR) dirs.emplace_back(std::filesystem::path(SPLITPOINT_DATA_DIR) / "profiles");
  return dirs;
}

std::vector<std::string> profile_names() {
  std::vector<std::string> names;
  for (const auto& dir : profile_directories()) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
      if (entry.is_directory()) names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

namespace {

std::vector<std::filesystem::path> json_files_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw Error(fmt::format("profile directory {}: no .json profile in it", dir.string()));
  return files;
}

}  // namespace

std::vector<std::filesystem::path> find_profiles(const std::string& spec) {
  if (spec.empty()) throw Error("profile: empty name");
  bool is_path = spec.find('/') != std::string::npos ||
                 (spec.size() > 5 && spec.compare(spec.size() - 5, 5, ".json") == 0);
  if (is_path) {
    if (std::filesystem::is_directory(spec)) return json_files_in(spec);
    if (!std::filesystem::is_regular_file(spec)) throw Error(fmt::format("profile {}: no such file", spec));
    return {spec};
  }
  for (const auto& dir : profile_directories()) {
    std::filesystem::path file = dir / (spec + ".json");
    if (std::filesystem::is_regular_file(file)) return {file};
    if (std::filesystem::is_directory(dir / spec)) return json_files_in(dir / spec);
  }
  throw Error(fmt::format("profile '{}': not found (known: {}; or give a .json file or a directory of them)", spec,
                          fmt::join(profile_names(), ", ")));
}

}  // namespace splitpoint
