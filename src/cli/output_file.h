#pragma once
// Checks before long work that an output file named on the command line can
// be written, and the small shared pieces of the commands' inputs and output.
#include <cstddef>
#include <string>

namespace splitpoint::cli {

// Throws Error naming `option` and `path` if `path` is a directory, or its
// directory does not exist or is not writable. An empty path passes.
void check_output_file(const std::string& option, const std::string& path);

// A secret from a file: its first line without surrounding whitespace. Throws
// Error naming `option` and the file if it cannot be read or the line is
// empty, or it is longer than kMaxSecretFileBytes (Error kTooLarge: at most that
// much is read, so /dev/zero ends at once). The secret itself never appears in a
// message.
std::string read_secret_file(const std::string& option, const std::string& path);
inline constexpr size_t kMaxSecretFileBytes = 64 * 1024;

}  // namespace splitpoint::cli
