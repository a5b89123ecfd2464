#pragma once
// curl as the tests' independent HTTP client: the status, body and response
// headers of one request, and temp files for request bodies.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace splitpoint::testing {

struct CurlResult {
  int status = 0;
  std::string body;
  std::string headers;
};

inline std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "_" + name)).string();
}

// curl ARGS URL: the HTTP status, the body and the response headers.
inline CurlResult curl(const std::string& args, const std::string& url) {
  const std::string body = temp_path("curl.body"), headers = temp_path("curl.headers");
  const std::string cmd = "curl -s -o " + body + " -D " + headers + " -w '%{http_code}' " + args + " '" + url + "'";
  CurlResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[64] = {0};
  const size_t n = fread(buf, 1, sizeof(buf) - 1, p);
  pclose(p);
  r.status = std::atoi(std::string(buf, n).c_str());
  std::ifstream b(body, std::ios::binary), h(headers);
  r.body.assign(std::istreambuf_iterator<char>(b), {});
  r.headers.assign(std::istreambuf_iterator<char>(h), {});
  std::filesystem::remove(body);
  std::filesystem::remove(headers);
  return r;
}

inline std::string write_temp(const std::string& name, const std::string& bytes) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

}  // namespace splitpoint::testing
