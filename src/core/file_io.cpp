#include "core/file_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <fmt/core.h>

#include "core/error.h"

namespace splitpoint {

namespace fs = std::filesystem;

std::string describe_bytes(size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::vector<uint8_t> read_file_bytes(const fs::path& path, size_t max_bytes, const std::string& what) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(ErrorKind::kNotFound, path.string() + ": no such file");
  if (fs::is_directory(path, ec)) throw Error(path.string() + ": is a directory, not a file");
  auto too_large = [&](const std::string& size) {
    return Error(ErrorKind::kTooLarge, fmt::format("{}: {}more than the {} {} may be", path.string(), size,
                                                   describe_bytes(max_bytes), what));
  };
  // A regular file says its size: refused before anything is read.
  if (fs::is_regular_file(path, ec)) {
    const uintmax_t size = fs::file_size(path, ec);
    if (!ec && size > max_bytes) throw too_large(fmt::format("{} bytes, ", size));
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(ErrorKind::kIo, path.string() + ": cannot open: " + std::strerror(errno));
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  size_t got = 0;
  while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (bytes.size() + got > max_bytes) {
      std::fclose(f);
      throw too_large("");
    }
    bytes.insert(bytes.end(), chunk, chunk + got);
  }
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw Error(ErrorKind::kIo, path.string() + ": read error");
  return bytes;
}

std::vector<uint8_t> read_file_bytes(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path.string() + ": no such file");
  if (fs::is_directory(path, ec)) throw Error(path.string() + ": is a directory, not a file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(path.string() + ": cannot open: " + std::strerror(errno));
  // One read of the size the file has; then whatever a growing file added.
  std::vector<uint8_t> bytes(static_cast<size_t>(fs::file_size(path, ec)));
  if (ec) bytes.clear();
  size_t got = std::fread(bytes.data(), 1, bytes.size(), f);
  bytes.resize(got);
  uint8_t chunk[1 << 16];
  while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0) bytes.insert(bytes.end(), chunk, chunk + got);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw Error(path.string() + ": read error");
  return bytes;
}

void write_file_atomically(const fs::path& path, std::span<const uint8_t> bytes) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(path.string() + ": directory " + dir.string() + " does not exist");
  fs::path temp = dir;
  temp /= path.filename();
  temp += ".tmp." + std::to_string(::getpid());
  std::FILE* f = std::fopen(temp.c_str(), "wb");
  if (!f) throw Error(path.string() + ": cannot write: " + std::strerror(errno));
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) {
    fs::remove(temp, ec);
    throw Error(path.string() + ": write failed (disk full?)");
  }
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw Error(path.string() + ": cannot replace: " + ec.message());
  }
}

void write_file_atomically(const fs::path& path, std::string_view text) {
  write_file_atomically(path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace splitpoint
