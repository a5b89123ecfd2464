#pragma once
// For the targets whose reader takes a path: the fuzzer's input written to a file of this process (in the temporary
// directory, named by the process id and `extension`, overwritten by each input; the last one is removed at exit).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace fuzz {

// The file last written, removed at exit.
inline std::filesystem::path& last_input_file() {
  static std::filesystem::path path;
  return path;
}

inline std::filesystem::path input_file(const uint8_t* data, size_t size, const std::string& extension) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("splitpoint-fuzz-" + std::to_string(::getpid()) + extension);
  if (last_input_file().empty())
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove(last_input_file(), ec);
    });
  if (!last_input_file().empty() && last_input_file() != path) {
    std::error_code ec;
    std::filesystem::remove(last_input_file(), ec);
  }
  last_input_file() = path;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || (size > 0 && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::abort();
  }
  return path;
}

}  // namespace fuzz
