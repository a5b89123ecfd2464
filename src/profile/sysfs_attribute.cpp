#include "profile/sysfs_attribute.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/error.h"

namespace splitpoint {

namespace {

// Reads the attribute; returns errno on failure, 0 on success.
int try_read(const std::filesystem::path& path, std::string& text) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  text.clear();
  char buffer[256];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return error;
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return 0;
}

}  // namespace

std::string read_sysfs_text(const std::filesystem::path& path) {
  std::string text;
  const int error = try_read(path, text);
  if (error == EACCES || error == EPERM)
    throw Error(path.string() + ": permission denied (only root may read it on this system: run as root, or "
                "grant read access, e.g. `sudo chmod o+r " + path.string() + "`)");
  if (error == ENOENT) throw Error(path.string() + ": no such file");
  if (error != 0) throw Error(path.string() + ": cannot read: " + std::strerror(error));
  return text;
}

int64_t read_sysfs_integer(const std::filesystem::path& path) {
  const std::string text = read_sysfs_text(path);
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty())
    throw Error(path.string() + ": '" + text + "' is not an integer");
  return value;
}

std::optional<std::string> read_sysfs_text_if_present(const std::filesystem::path& path) {
  std::string text;
  if (try_read(path, text) != 0) return std::nullopt;
  return text;
}

}  // namespace splitpoint
