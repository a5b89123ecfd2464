#pragma once
// A UM25C on a pseudo-terminal: the meter opens the slave side; a thread on
// the master side answers every request byte 0xF0 with the frame it was told
// to send (nothing while told to be silent).
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace splitpoint::testing {

// A frame laid out as the UM25C documents it (see profile/um25c_frame.h),
// built here independently: big-endian fields, FF F1 at the end.
inline std::vector<uint8_t> um25c_frame(uint16_t model_id, uint16_t voltage, uint16_t current, uint32_t power,
                                        uint16_t temperature = 31) {
  std::vector<uint8_t> frame(130, 0);
  frame[0] = model_id >> 8;
  frame[1] = model_id & 0xFF;
  frame[2] = voltage >> 8;
  frame[3] = voltage & 0xFF;
  frame[4] = current >> 8;
  frame[5] = current & 0xFF;
  frame[6] = power >> 24;
  frame[7] = (power >> 16) & 0xFF;
  frame[8] = (power >> 8) & 0xFF;
  frame[9] = power & 0xFF;
  frame[10] = temperature >> 8;
  frame[11] = temperature & 0xFF;
  for (size_t i = 12; i < 128; ++i) frame[i] = static_cast<uint8_t>(i * 7);  // data groups etc.: noise
  frame[128] = 0xFF;
  frame[129] = 0xF1;
  return frame;
}

class Um25cEmulator {
 public:
  Um25cEmulator() {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0)
      throw std::runtime_error("cannot create a pseudo-terminal");
    device_ = ::ptsname(master_);
    thread_ = std::thread([this] { answer_until_stopped(); });
  }
  ~Um25cEmulator() {
    stop_ = true;
    thread_.join();
    ::close(master_);
  }

  const std::string& device() const { return device_; }
  // What to send for each 0xF0 from now on; empty: stay silent.
  void answer_with(std::vector<uint8_t> bytes) {
    std::lock_guard lock(mutex_);
    answer_ = std::move(bytes);
  }
  int requests() const { return requests_.load(); }

 private:
  void answer_until_stopped() {
    while (!stop_) {
      pollfd ready{master_, POLLIN, 0};
      if (::poll(&ready, 1, 5) <= 0 || !(ready.revents & POLLIN)) {
        // Nobody has the slave open (POLLHUP): wait for the meter.
        if (ready.revents & POLLHUP) std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
      uint8_t received[64];
      const ssize_t n = ::read(master_, received, sizeof received);
      for (ssize_t i = 0; i < n; ++i) {
        if (received[i] != 0xF0) continue;
        requests_.fetch_add(1);
        std::vector<uint8_t> answer;
        {
          std::lock_guard lock(mutex_);
          answer = answer_;
        }
        size_t written = 0;
        while (written < answer.size()) {
          const ssize_t w = ::write(master_, answer.data() + written, answer.size() - written);
          if (w <= 0) break;
          written += static_cast<size_t>(w);
        }
      }
    }
  }

  int master_ = -1;
  std::string device_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::mutex mutex_;
  std::vector<uint8_t> answer_;
};

}  // namespace splitpoint::testing
