#pragma once
// A serial device (USB serial, Bluetooth RFCOMM, a pseudo-terminal) in raw
// mode, with reads that give up after a timeout instead of hanging.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace splitpoint {

class SerialPort {
 public:
  // Opens `device` and configures it raw, 8 data bits, no parity, 1 stop bit
  // (8N1), at `baud` (9600, 19200, 38400, 57600 or 115200). Throws Error naming
  // the device if it is missing, not a terminal, or cannot be configured.
  SerialPort(const std::string& device, int baud);
  ~SerialPort();
  SerialPort(const SerialPort&) = delete;
  SerialPort& operator=(const SerialPort&) = delete;

  const std::string& device() const { return device_; }

  // Drops whatever was received and not read yet.
  void discard_input();
  // Writes all of `bytes`; throws Error on failure.
  void write(std::span<const uint8_t> bytes);
  // Reads until `buffer` is full or `timeout_s` has passed since the call;
  // returns the number of bytes read. Throws Error on a read failure.
  size_t read(std::span<uint8_t> buffer, double timeout_s);

 private:
  std::string device_;
  int fd_ = -1;
};

}  // namespace splitpoint
