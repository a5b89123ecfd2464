#include "serve/http_request_reader.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>

namespace splitpoint {

namespace {

constexpr int64_t kMaxChunkSizeLine = 1024;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A decimal Content-Length; -1 if it is not one (or over 18 digits).
int64_t decimal(std::string_view s) {
  if (s.empty() || s.size() > 18) return -1;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool hop_by_hop(std::string_view name) {
  for (const char* h : {"Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Expect", "Upgrade", "Content-Length",
                        "X-Forwarded-For", "Trailer"}) {
    if (iequals(name, h)) return true;
  }
  return name.size() >= 6 && iequals(name.substr(0, 6), "Proxy-");
}

}  // namespace

const char* http_reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

HttpRequestReader::State HttpRequestReader::refuse(int status, std::string message) {
  refusal_ = {status, std::move(message)};
  return state_ = State::refused;
}

size_t HttpRequestReader::wanted(size_t buffered) const {
  constexpr size_t kRead = 64 << 10;
  if (state_ == State::head) {
    const int64_t room = limits_.max_header_bytes + 4 - static_cast<int64_t>(buffered);
    return static_cast<size_t>(std::clamp<int64_t>(room, 1, kRead));
  }
  if (state_ == State::body && !chunked_) {
    const int64_t left = content_length_ - static_cast<int64_t>(body_.size()) - static_cast<int64_t>(buffered);
    return static_cast<size_t>(std::clamp<int64_t>(left, 1, kRead));
  }
  return kRead;
}

std::string HttpRequestReader::header(std::string_view name) const {
  for (const auto& [n, v] : headers_) {
    if (iequals(n, name)) return v;
  }
  return "";
}

HttpRequestReader::State HttpRequestReader::feed(std::string& in, const std::function<bool(int64_t)>& charge) {
  if (state_ == State::head) read_head(in, charge);
  if (state_ == State::body) {
    if (chunked_) return read_chunked(in, charge);
    const size_t take = std::min(in.size(), static_cast<size_t>(content_length_) - body_.size());
    body_.append(in, 0, take);
    in.erase(0, take);
    if (static_cast<int64_t>(body_.size()) == content_length_) state_ = State::complete;
  }
  return state_;
}

HttpRequestReader::State HttpRequestReader::read_head(std::string& in, const std::function<bool(int64_t)>& charge) {
  // Blank lines before a request are skipped (RFC 9112 2.2).
  while (in.size() >= 2 && in[0] == '\r' && in[1] == '\n') in.erase(0, 2);
  const size_t end = in.find("\r\n\r\n");
  const size_t head_bytes = end == std::string::npos ? in.size() : end + 4;
  if (static_cast<int64_t>(head_bytes) > limits_.max_header_bytes)
    return refuse(431, fmt::format("request headers over the limit of {} bytes", limits_.max_header_bytes));
  const int64_t lines = std::count(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(head_bytes), '\n');
  // The request line, the header lines, and the blank line that ends them.
  if (lines - (end == std::string::npos ? 1 : 2) > limits_.max_header_lines)
    return refuse(431, fmt::format("more than {} header lines", limits_.max_header_lines));
  if (end == std::string::npos) return state_;
  const std::string head = in.substr(0, end + 2);
  in.erase(0, end + 4);
  return parse_head(head, charge);
}

HttpRequestReader::State HttpRequestReader::parse_head(std::string_view head,
                                                       const std::function<bool(int64_t)>& charge) {
  if (head.find('\0') != std::string_view::npos) return refuse(400, "a NUL byte in the request headers");
  size_t eol = head.find("\r\n");
  const std::string_view line = head.substr(0, eol);
  const size_t s1 = line.find(' '), s2 = line.rfind(' ');
  if (s1 == std::string_view::npos || s1 == s2) return refuse(400, "malformed request line");
  method_ = line.substr(0, s1);
  target_ = line.substr(s1 + 1, s2 - s1 - 1);
  version_ = line.substr(s2 + 1);
  if (!is_token(method_) || target_.empty() || target_.find(' ') != std::string::npos ||
      (version_ != "HTTP/1.1" && version_ != "HTTP/1.0"))
    return refuse(400, "malformed request line");
  for (size_t pos = eol + 2; pos < head.size(); pos = eol + 2) {
    eol = head.find("\r\n", pos);
    const std::string_view h = head.substr(pos, eol - pos);
    const size_t colon = h.find(':');
    if (h.find_first_of("\r\n") != std::string_view::npos || colon == std::string_view::npos ||
        !is_token(h.substr(0, colon)))
      return refuse(400, fmt::format("malformed header line {}", headers_.size() + 1));
    headers_.emplace_back(h.substr(0, colon), trimmed(h.substr(colon + 1)));
  }
  const std::string connection = header("Connection");
  keep_alive_ = version_ == "HTTP/1.1" ? !iequals(connection, "close") : iequals(connection, "keep-alive");
  expects_continue_ = iequals(header("Expect"), "100-continue");
  int64_t length = -1;
  bool encoded = false;
  for (const auto& [n, v] : headers_) {
    if (iequals(n, "Transfer-Encoding")) {
      if (!iequals(v, "chunked")) return refuse(501, fmt::format("transfer coding '{}' is not supported (only chunked)", v));
      if (encoded) return refuse(400, "Transfer-Encoding given twice");
      encoded = chunked_ = true;
    } else if (iequals(n, "Content-Length")) {
      const int64_t l = decimal(v);
      if (l < 0) return refuse(400, fmt::format("Content-Length '{}' is not a number", v.substr(0, 40)));
      if (length >= 0 && l != length) return refuse(400, "two different Content-Lengths");
      length = l;
    }
  }
  if (chunked_ && length >= 0) return refuse(400, "both Content-Length and Transfer-Encoding");
  content_length_ = std::max<int64_t>(length, 0);
  if (content_length_ > limits_.max_body_bytes)
    return refuse(413, fmt::format("request body of {} bytes over the limit of {} bytes", content_length_,
                                   limits_.max_body_bytes));
  if (content_length_ > 0 && !charge(content_length_))
    return refuse(503, "server busy: the request bodies in flight are at the memory limit (--max-inflight-mb)");
  body_.reserve(static_cast<size_t>(content_length_));
  return state_ = content_length_ > 0 || chunked_ ? State::body : State::complete;
}

HttpRequestReader::State HttpRequestReader::read_chunked(std::string& in,
                                                         const std::function<bool(int64_t)>& charge) {
  for (;;) {
    if (chunk_left_ > 0) {
      const size_t take = std::min(in.size(), static_cast<size_t>(chunk_left_));
      body_.append(in, 0, take);
      in.erase(0, take);
      chunk_left_ -= static_cast<int64_t>(take);
      if (chunk_left_ > 0) return state_;
      chunk_left_ = -2;
    }
    if (chunk_left_ == -2) {  // the CRLF that ends a chunk's data
      if (in.size() < 2) {
        if (!in.empty() && in[0] != '\r') return refuse(400, "malformed chunked body: no CRLF after a chunk");
        return state_;
      }
      if (in[0] != '\r' || in[1] != '\n') return refuse(400, "malformed chunked body: no CRLF after a chunk");
      in.erase(0, 2);
      chunk_left_ = -1;
      continue;
    }
    const size_t eol = in.find("\r\n");
    if (eol == std::string::npos) {
      if (static_cast<int64_t>(in.size()) > kMaxChunkSizeLine + limits_.max_header_bytes)
        return refuse(400, "malformed chunked body: a line too long");
      return state_;
    }
    const std::string_view line(in.data(), eol);
    if (chunk_left_ == -3) {  // trailers, ignored, up to the blank line
      trailer_bytes_ += static_cast<int64_t>(eol) + 2;
      if (trailer_bytes_ > limits_.max_header_bytes)
        return refuse(431, fmt::format("chunked trailers over the limit of {} bytes", limits_.max_header_bytes));
      if (eol == 0) {
        in.erase(0, 2);
        return state_ = State::complete;
      }
    } else {  // a chunk's size line: hex digits, then perhaps ";extensions"
      if (static_cast<int64_t>(eol) > kMaxChunkSizeLine) return refuse(400, "malformed chunked body: a long size line");
      const std::string_view digits = trimmed(line.substr(0, line.find(';')));
      int64_t size = 0;
      if (digits.empty() || digits.size() > 15) return refuse(400, "malformed chunked body: a bad chunk size");
      for (char c : digits) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) return refuse(400, "malformed chunked body: a bad chunk size");
        const int d = c <= '9' ? c - '0' : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
        size = size * 16 + d;
      }
      if (static_cast<int64_t>(body_.size()) + size > limits_.max_body_bytes)
        return refuse(413, fmt::format("request body over the limit of {} bytes", limits_.max_body_bytes));
      if (size > 0 && !charge(size))
        return refuse(503, "server busy: the request bodies in flight are at the memory limit (--max-inflight-mb)");
      chunk_left_ = size == 0 ? -3 : size;
    }
    in.erase(0, eol + 2);
  }
}

std::string HttpRequestReader::forwarded(const std::string& peer) const {
  std::string out = method_ + " " + target_ + " HTTP/1.1\r\n";
  for (const auto& [n, v] : headers_) {
    if (!hop_by_hop(n)) out += n + ": " + v + "\r\n";
  }
  out += "Connection: close\r\nX-Forwarded-For: " + peer + "\r\n";
  if (!body_.empty() || chunked_ || method_ == "POST" || method_ == "PUT")
    out += fmt::format("Content-Length: {}\r\n", body_.size());
  out += "\r\n";
  out += body_;
  return out;
}

}  // namespace splitpoint
