#pragma once
// Reading one sysfs attribute (powercap, hwmon): a fresh open per read, so the
// value is current (and a test's fake tree may replace the file between reads).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace splitpoint {

// The attribute's text without the trailing newline. Throws Error naming the
// path (with a hint when only root may read it).
std::string read_sysfs_text(const std::filesystem::path& path);

// The attribute as a decimal integer. Throws Error naming the path and text.
int64_t read_sysfs_integer(const std::filesystem::path& path);

// The text, or nothing if the attribute does not exist or cannot be read.
std::optional<std::string> read_sysfs_text_if_present(const std::filesystem::path& path);

}  // namespace splitpoint
