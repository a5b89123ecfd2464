#pragma once
// Whole-file reads and writes with errors that name the file.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace splitpoint {

// The file's bytes. Throws Error if it is missing, a directory, or unreadable.
std::vector<uint8_t> read_file_bytes(const std::filesystem::path& path);

// Writes `bytes` to a temporary file in the same directory, then renames it
// over `path`: readers see the old file or the whole new one, and a failure
// leaves no partial file. Throws Error naming `path`.
void write_file_atomically(const std::filesystem::path& path, std::span<const uint8_t> bytes);
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

}  // namespace splitpoint
