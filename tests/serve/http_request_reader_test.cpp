// HttpRequestReader on hand-written bytes: a request split anywhere is read
// the same; a chunked body is de-chunked and forwarded with its length; the
// limits and the strict framing rules refuse with the status they name.
#include <gtest/gtest.h>

#include "serve/http_request_reader.h"

namespace splitpoint {
namespace {

using State = HttpRequestReader::State;

const auto kAlwaysRoom = [](int64_t) { return true; };

HttpRequestLimits small_limits() {
  HttpRequestLimits l;
  l.max_header_bytes = 256;
  l.max_header_lines = 4;
  l.max_body_bytes = 100;
  return l;
}

// Feeds `bytes` whole; the refusal's status, or 0 if it completed.
int status_of(const std::string& bytes, HttpRequestLimits limits = small_limits()) {
  HttpRequestReader r(limits);
  std::string in = bytes;
  const State s = r.feed(in, kAlwaysRoom);
  if (s == State::refused) return r.refusal().status;
  return s == State::complete ? 0 : -1;
}

TEST(HttpRequestReader, ARequestFedAByteAtATimeIsTheSameRequest) {
  const std::string bytes = "POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
  HttpRequestReader r(small_limits());
  std::string in;
  State s = State::head;
  for (char c : bytes) {
    in += c;
    s = r.feed(in, kAlwaysRoom);
  }
  ASSERT_EQ(s, State::complete);
  EXPECT_EQ(r.method(), "POST");
  EXPECT_EQ(r.target(), "/v2/models/m/infer");
  EXPECT_TRUE(r.keep_alive());
  EXPECT_EQ(r.forwarded("10.0.0.7"),
            "POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Forwarded-For: 10.0.0.7\r\n"
            "Content-Length: 5\r\n\r\nhello");
}

TEST(HttpRequestReader, ChunkedIsDechunkedAndTheNextRequestStays) {
  HttpRequestReader r(small_limits());
  // 4 + 5 = 9 bytes, "Wikipedia"; then a pipelined GET.
  std::string in = "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-Forwarded-For: spoofed\r\n\r\n"
                   "4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer-Field: t\r\n\r\nGET / HTTP/1.1\r\n\r\n";
  ASSERT_EQ(r.feed(in, kAlwaysRoom), State::complete);
  EXPECT_EQ(r.forwarded("1.2.3.4"),
            "POST /p HTTP/1.1\r\nConnection: close\r\nX-Forwarded-For: 1.2.3.4\r\nContent-Length: 9\r\n\r\nWikipedia");
  EXPECT_EQ(in, "GET / HTTP/1.1\r\n\r\n");
}

TEST(HttpRequestReader, ConnectionCloseAndHttp10EndTheConnection) {
  HttpRequestReader a(small_limits()), b(small_limits()), c(small_limits());
  std::string in = "GET / HTTP/1.1\r\nConnection: close\r\n\r\n";
  a.feed(in, kAlwaysRoom);
  EXPECT_FALSE(a.keep_alive());
  in = "GET / HTTP/1.0\r\n\r\n";
  b.feed(in, kAlwaysRoom);
  EXPECT_FALSE(b.keep_alive());
  in = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
  c.feed(in, kAlwaysRoom);
  EXPECT_TRUE(c.keep_alive());
}

TEST(HttpRequestReader, HeaderLimitsGive431) {
  // 256-byte limit: a header value of 300 bytes, with or without the end of the headers yet.
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nX: " + std::string(300, 'a')), 431);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nX: " + std::string(300, 'a') + "\r\n\r\n"), 431);
  // 4 header lines pass, 5 do not.
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"), 0);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n"), 431);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n"), 431);  // before the end
}

TEST(HttpRequestReader, FramingThatCouldSmuggleIsRefused) {
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"), 400);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"), 0);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nContent-Length: -3\r\n\r\n"), 400);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nContent-Length: 3 \r\n\r\nabc"), 0);  // optional whitespace
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nContent-Length: 0x3\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nA: 1\nB: 2\r\n\r\n"), 400);  // a bare LF inside the head
  EXPECT_EQ(status_of("GET / HTTP/2.0\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET /\r\n\r\n"), 400);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"), 501);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), 400);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX"), 400);  // no CRLF after data
}

TEST(HttpRequestReader, BodyLimitsGive413AndABudgetThatRefusesGives503) {
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n"), 413);  // the limit is 100
  // Chunked: 0x40 + 0x40 = 128 > 100 at the second chunk's size line.
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + std::string(64, 'a') +
                      "\r\n40\r\n"),
            413);
  HttpRequestReader r(small_limits());
  std::string in = "POST / HTTP/1.1\r\nContent-Length: 50\r\n\r\n";
  int64_t asked = 0;
  EXPECT_EQ(r.feed(in, [&](int64_t n) { asked = n; return false; }), State::refused);
  EXPECT_EQ(r.refusal().status, 503);
  EXPECT_EQ(asked, 50);
}

TEST(HttpRequestReader, ReadsNoMoreThanTheHeadLimitOrTheBodyLeaves) {
  HttpRequestReader r(small_limits());
  EXPECT_EQ(r.wanted(0), 260u);    // 256 + the 4 bytes of the blank line
  EXPECT_EQ(r.wanted(250), 10u);
  std::string in = "POST / HTTP/1.1\r\nContent-Length: 30\r\n\r\n0123456789";
  ASSERT_EQ(r.feed(in, kAlwaysRoom), State::body);
  EXPECT_EQ(r.wanted(0), 20u);  // 30 - 10 came
}

}  // namespace
}  // namespace splitpoint
