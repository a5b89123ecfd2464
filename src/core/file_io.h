#pragma once
// Whole-file reads and writes with errors that name the file.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace splitpoint {

// The file's bytes. Throws Error if it is missing, a directory, or unreadable.
std::vector<uint8_t> read_file_bytes(const std::filesystem::path& path);
// The same, at most `max_bytes`: a longer file (or an endless one, /dev/zero)
// is refused with Error kTooLarge naming the file, `what` ("a plan JSON") and
// the limit, after reading no more than max_bytes + 1 bytes.
std::vector<uint8_t> read_file_bytes(const std::filesystem::path& path, size_t max_bytes, const std::string& what);
// The limit as people read it: "16 MiB", "4 KiB", "100 bytes".
std::string describe_bytes(size_t bytes);

// Writes `bytes` to a temporary file in the same directory, then renames it
// over `path`: readers see the old file or the whole new one, and a failure
// leaves no partial file. Throws Error naming `path`.
void write_file_atomically(const std::filesystem::path& path, std::span<const uint8_t> bytes);
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

}  // namespace splitpoint
