#pragma once
// The one JSON document parser of the profile, plan and run readers (and of
// anything else that reads a JSON file someone else wrote): bounded in size,
// in nesting depth, and with every error naming the file and the field.
//
// nlohmann's DOM is built through its SAX interface, so the depth is checked
// as the document is read (an object or array nested deeper than the limit
// stops the parse at once: nothing recurses and nothing deep is built), and a
// syntax error or a number too large for a double names the field it is in:
// "p.json: not valid JSON at cuts[3].total_ms (line 40, column 22): number 1e400 is out of range (not a finite
// double)".
#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace splitpoint {

// Deeper than any document splitpoint writes (its plans nest 6 levels).
inline constexpr int kMaxJsonDepth = 64;

// Parses a whole JSON document. Throws Error naming `source`: kBadInput for
// text that is not JSON (with the field and the line and column) or holds a
// NUL byte, kTooLarge for nesting deeper than `max_depth`.
nlohmann::json parse_json_document(std::string_view text, const std::string& source, int max_depth = kMaxJsonDepth);

// Reads a JSON file of at most `max_bytes` (else Error kTooLarge naming the
// file, `what` — "a plan JSON" — and the limit, before anything is parsed) and
// parses it as above.
nlohmann::json read_json_document(const std::filesystem::path& path, size_t max_bytes, const std::string& what,
                                  int max_depth = kMaxJsonDepth);

}  // namespace splitpoint
