#pragma once
// Finding a device profile by name: `--device rpi3bplus-cpu-f32` means
// data/profiles/rpi3bplus-cpu-f32.json of the source tree (the study's
// devices, and a server measured here), or of $SPLITPOINT_PROFILES if set.
// A spec ending in .json or containing '/' is a file path. A device measured
// on several models is a directory of profiles, one per model
// (data/profiles/NAME/*.json): all of them train the per-type fit, and the one
// of the planned model gives its measured layers.
#include <filesystem>
#include <string>
#include <vector>

namespace splitpoint {

// The directories searched, in order.
std::vector<std::filesystem::path> profile_directories();
// Names (file stems) of the profiles found there.
std::vector<std::string> profile_names();
// The profile files of a spec: a .json file; a directory (its *.json, sorted);
// a name: NAME.json or NAME/ in the profile directories. Throws Error naming
// the spec and listing the known names if nothing is found.
std::vector<std::filesystem::path> find_profiles(const std::string& spec);

}  // namespace splitpoint
