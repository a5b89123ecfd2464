#include "cli/output_file.h"

#include <fmt/core.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "core/error.h"
#include "core/file_io.h"

namespace splitpoint::cli {

void check_output_file(const std::string& option, const std::string& output) {
  if (output.empty()) return;
  namespace fs = std::filesystem;
  const fs::path path(output);
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error(fmt::format("{} {}: is a directory, not a file", option, output));
  const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (!fs::is_directory(dir, ec))
    throw Error(fmt::format("{} {}: directory {} does not exist", option, output, dir.string()));
  if (::access(dir.c_str(), W_OK) != 0)
    throw Error(fmt::format("{} {}: directory {} is not writable", option, output, dir.string()));
}

std::string read_secret_file(const std::string& option, const std::string& path) {
  std::vector<uint8_t> bytes;
  try {
    bytes = read_file_bytes(path, kMaxSecretFileBytes, "a secret file");
  } catch (const Error& e) {
    throw Error(e.kind(), fmt::format("{} {}", option, e.what()));
  }
  const std::string text(bytes.begin(), bytes.end());
  std::string line = text.substr(0, text.find('\n'));
  const auto first = line.find_first_not_of(" \t\r\n");
  const auto last = line.find_last_not_of(" \t\r\n");
  if (first == std::string::npos) throw Error(fmt::format("{} {}: the first line is empty", option, path));
  return line.substr(first, last - first + 1);
}

}  // namespace splitpoint::cli
