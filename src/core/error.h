#pragma once
// Errors raised by splitpoint.
//
// `Error` carries a kind, as LevelDB's Status or XNNPACK's xnn_status do, so each
// boundary maps it once: the CLI exits 2 for bad input, unsupported and I/O errors
// and 1 for an internal one (a bug); the server answers 400 (bad input), 404
// (not found), 413 (too large), 501 (unsupported), 503 (unavailable, I/O) or 500.
// It is reported once, at the boundary, with what was wrong and where. Anything
// that is not an `Error` escaping is a bug as well.
#include <stdexcept>
#include <string>
#include <string_view>

namespace splitpoint {

enum class ErrorKind {
  kBadInput,     // a user mistake or a malformed file, request or response
  kNotFound,     // a named thing (model, layer, file, endpoint) that does not exist
  kTooLarge,     // an input over a size, count, depth or memory limit
  kUnsupported,  // valid input this build or backend cannot handle
  kIo,           // the file system, the network or a peer failed
  kUnavailable,  // a resource is busy or gone (queue full, server down); try later
  kInternal,     // a bug: a broken invariant
};

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_ = ErrorKind::kBadInput;
};

// The kind's name, for messages and JSON ("bad input", "unsupported", ...).
constexpr std::string_view error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kBadInput: return "bad input";
    case ErrorKind::kNotFound: return "not found";
    case ErrorKind::kTooLarge: return "too large";
    case ErrorKind::kUnsupported: return "unsupported";
    case ErrorKind::kIo: return "I/O error";
    case ErrorKind::kUnavailable: return "unavailable";
    case ErrorKind::kInternal: return "internal error";
  }
  return "internal error";
}

// The exit code for an `Error` of a user-facing kind (bad input or usage).
inline constexpr int kExitUserError = 2;
// The exit code for a bug (an internal error).
inline constexpr int kExitInternalError = 1;

// The CLI's exit code for an error of this kind.
constexpr int exit_code_for(ErrorKind kind) {
  return kind == ErrorKind::kInternal ? kExitInternalError : kExitUserError;
}

}  // namespace splitpoint
