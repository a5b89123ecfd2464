#include "profile/serial_port.h"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "profile/clock.h"

namespace splitpoint {

namespace {

speed_t speed_of(int baud, const std::string& device) {
  switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
  }
  throw Error(device + ": unsupported baud rate " + std::to_string(baud));
}

}  // namespace

SerialPort::SerialPort(const std::string& device, int baud) : device_(device) {
  const speed_t speed = speed_of(baud, device);
  // Non-blocking: open() must not wait for modem lines; reads wait in poll().
  fd_ = ::open(device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) {
    const int error = errno;
    std::string hint;
    if (error == ENOENT) hint = " (for a Bluetooth meter, bind it first: `sudo rfcomm bind 0 MAC`)";
    if (error == EACCES) hint = " (add yourself to the dialout group, or run as root)";
    throw Error(device + ": cannot open: " + std::strerror(error) + hint);
  }
  termios settings{};
  if (::tcgetattr(fd_, &settings) != 0) {
    const int error = errno;
    ::close(fd_);
    throw Error(device + ": not a serial device: " + std::strerror(error));
  }
  ::cfmakeraw(&settings);
  settings.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB | CSTOPB | CRTSCTS);
  settings.c_cflag |= CS8 | CLOCAL | CREAD;
  settings.c_cc[VMIN] = 0;
  settings.c_cc[VTIME] = 0;
  if (::cfsetispeed(&settings, speed) != 0 || ::cfsetospeed(&settings, speed) != 0 ||
      ::tcsetattr(fd_, TCSANOW, &settings) != 0) {
    const int error = errno;
    ::close(fd_);
    throw Error(device + ": cannot configure it as a raw 8N1 line: " + std::strerror(error));
  }
  ::tcflush(fd_, TCIOFLUSH);
}

SerialPort::~SerialPort() {
  if (fd_ >= 0) ::close(fd_);
}

void SerialPort::discard_input() { ::tcflush(fd_, TCIFLUSH); }

void SerialPort::write(std::span<const uint8_t> bytes) {
  size_t written = 0;
  const double deadline = steady_seconds() + 1.0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + written, bytes.size() - written);
    if (n > 0) {
      written += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) throw Error(device_ + ": write failed: " + std::strerror(errno));
    if (steady_seconds() > deadline) throw Error(device_ + ": write timed out after 1 s");
    pollfd waiting{fd_, POLLOUT, 0};
    ::poll(&waiting, 1, 10);
  }
}

size_t SerialPort::read(std::span<uint8_t> buffer, double timeout_s) {
  const double deadline = steady_seconds() + timeout_s;
  size_t received = 0;
  while (received < buffer.size()) {
    const double left_s = deadline - steady_seconds();
    if (left_s <= 0) break;
    pollfd waiting{fd_, POLLIN, 0};
    const int ready = ::poll(&waiting, 1, static_cast<int>(std::ceil(left_s * 1000)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw Error(device_ + ": poll failed: " + std::strerror(errno));
    }
    if (ready == 0) break;
    const ssize_t n = ::read(fd_, buffer.data() + received, buffer.size() - received);
    if (n > 0) {
      received += static_cast<size_t>(n);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      // A hung-up line (the far end closed) reads as end of file or EIO: wait it out.
      if (n < 0 && errno != EIO) throw Error(device_ + ": read failed: " + std::strerror(errno));
      pollfd idle{-1, 0, 0};
      ::poll(&idle, 0, static_cast<int>(std::min(10.0, left_s * 1000)));
    }
  }
  return received;
}

}  // namespace splitpoint
