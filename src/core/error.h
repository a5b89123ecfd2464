#pragma once
// Errors raised by splitpoint.
//
// `Error` is a user mistake or a bad input (unknown model, bad file, shapes that
// disagree). It is reported once, at the boundary, with what was wrong and where,
// and the command exits with code 2. Anything else escaping is a bug.
#include <stdexcept>
#include <string>

namespace splitpoint {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// The exit code for an `Error` (bad input or usage).
inline constexpr int kExitUserError = 2;

}  // namespace splitpoint
