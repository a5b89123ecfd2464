// What a profile records about the machine.
#include "profile/machine_info.h"

#include <gtest/gtest.h>

namespace splitpoint {
namespace {

TEST(MachineInfo, CpuModelFromX86CpuInfo) {
  const char* text =
      "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 1\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu\n\n"
      "processor\t: 1\nmodel name\t: AMD EPYC 7B13\n";
  EXPECT_EQ(cpu_model_from_cpuinfo(text), "AMD EPYC 7B13");
}

TEST(MachineInfo, CpuModelFromRaspberryPiCpuInfo) {
  // A 64-bit Raspberry Pi OS kernel has no "model name" line.
  const char* text =
      "processor\t: 0\nBogoMIPS\t: 38.40\nCPU implementer\t: 0x41\nCPU part\t: 0xd03\n\n"
      "Hardware\t: BCM2835\nRevision\t: a020d3\nModel\t\t: Raspberry Pi 3 Model B Plus Rev 1.3\n";
  EXPECT_EQ(cpu_model_from_cpuinfo(text), "Raspberry Pi 3 Model B Plus Rev 1.3");
  EXPECT_EQ(cpu_model_from_cpuinfo("Hardware\t: BCM2835\n"), "BCM2835");
  EXPECT_EQ(cpu_model_from_cpuinfo("processor : 0\n"), std::nullopt);
}

TEST(MachineInfo, UtcIso8601) {
  // 1764151200 s after the epoch is 2025-11-26 10:00:00 UTC.
  EXPECT_EQ(utc_iso8601(std::chrono::system_clock::from_time_t(1764151200)), "2025-11-26T10:00:00Z");
}

TEST(MachineInfo, ThisMachine) {
  const MachineInfo m = this_machine();
  ASSERT_TRUE(m.cores);
  EXPECT_GE(*m.cores, 1);
  ASSERT_TRUE(m.os);
  EXPECT_EQ(m.os->rfind("Linux ", 0), 0u) << *m.os;
  EXPECT_FALSE(host_name().empty());
}

}  // namespace
}  // namespace splitpoint
