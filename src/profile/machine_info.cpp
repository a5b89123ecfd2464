#include "profile/machine_info.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

namespace splitpoint {

namespace {

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return std::string(s.substr(first, last - first + 1));
}

// The value of the first "key : value" line with this key.
std::optional<std::string> cpuinfo_value(std::string_view text, std::string_view key) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos && trim(line.substr(0, colon)) == key) {
      std::string value = trim(line.substr(colon + 1));
      if (!value.empty()) return value;
    }
    pos = end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> cpu_model_from_cpuinfo(std::string_view cpuinfo) {
  for (const char* key : {"model name", "Model", "Hardware"})
    if (auto value = cpuinfo_value(cpuinfo, key)) return value;
  return std::nullopt;
}

MachineInfo this_machine() {
  MachineInfo m;
  std::ifstream file("/proc/cpuinfo");
  if (file) {
    std::stringstream text;
    text << file.rdbuf();
    m.cpu = cpu_model_from_cpuinfo(text.str());
  }
  if (const unsigned cores = std::thread::hardware_concurrency(); cores > 0) m.cores = static_cast<int>(cores);
  struct utsname name {};
  if (uname(&name) == 0) m.os = std::string(name.sysname) + " " + name.release + " " + name.machine;
  return m;
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "local";
  return name;
}

std::string utc_iso8601(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace splitpoint
