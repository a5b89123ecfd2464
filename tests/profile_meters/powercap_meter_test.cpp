// rapl: powercap energy counters in a fake sysfs tree, advanced while the
// meter samples; energies against hand-computed joules, across a wrap-around.
#include "profile/powercap_meter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/error_message.h"
#include "meter_test_support.h"
#include "profile/power_meter.h"

namespace splitpoint {
namespace {

using testing::error_message;
using testing::mark_after_settling;
using testing::TempDir;
using testing::write_file;

class PowercapMeterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    zone("intel-rapl:0", "package-0", 900'000, 1'000'000);  // wraps at 1 J
    zone("intel-rapl:0:0", "core", 0, 1'000'000);
    zone("intel-rapl:0:1", "dram", 0, 1'000'000);
    zone("intel-rapl:1", "package-1", 0, 5'000'000);
    zone("intel-rapl:1:0", "dram", 0, 1'000'000);
    zone("intel-rapl-mmio:0", "package-0", 0, 1'000'000);  // the package counter again, through MMIO
    zone("psys-less-control", "", 0, 0, /*counter=*/false);
  }

  void zone(const std::string& directory, const std::string& name, int64_t energy_uj, int64_t max_uj,
            bool counter = true) {
    const auto path = root_.path() / "class/powercap" / directory;
    if (!name.empty()) write_file(path / "name", name + "\n");
    if (counter) {
      write_file(path / "max_energy_range_uj", std::to_string(max_uj) + "\n");
      set(directory, energy_uj);
    } else {
      std::filesystem::create_directories(path);
    }
  }

  void set(const std::string& directory, int64_t energy_uj) {
    write_file(root_.path() / "class/powercap" / directory / "energy_uj", std::to_string(energy_uj) + "\n");
  }

  std::unique_ptr<PowerMeter> meter(const std::string& spec) { return make_power_meter(spec, root_.path()); }

  TempDir root_;
};

TEST_F(PowercapMeterTest, SumsThePackageCountersAcrossAWrapAround) {
  const auto meter = this->meter("rapl:interval_ms=1");
  const auto& polling = dynamic_cast<const PollingMeter&>(*meter);
  EXPECT_NE(meter->name().find("rapl:package-0+package-1"), std::string::npos) << meter->name();
  EXPECT_EQ(meter->name().find("mmio"), std::string::npos) << meter->name();

  meter->start();
  const double m0 = mark_after_settling(polling);
  set("intel-rapl:0", 950'000);  // +0.05 J
  set("intel-rapl:1", 200'000);  // +0.2 J
  const double m1 = mark_after_settling(polling);
  set("intel-rapl:0", 100'000);  // wraps: 1'000'000 - 950'000 + 100'000 = +0.15 J
  set("intel-rapl:1", 300'000);  // +0.1 J
  set("intel-rapl:0:0", 500'000);      // a sub-zone: not counted
  set("intel-rapl-mmio:0", 700'000);   // the duplicate: not counted
  const double m2 = mark_after_settling(polling);
  set("intel-rapl:0", 400'000);  // +0.3 J
  const double m3 = mark_after_settling(polling);
  meter->stop();

  EXPECT_NEAR(meter->energy_j(m0, m1), 0.25, 1e-12);
  EXPECT_NEAR(meter->energy_j(m1, m2), 0.25, 1e-12);
  EXPECT_NEAR(meter->energy_j(m2, m3), 0.30, 1e-12);
  EXPECT_NEAR(meter->energy_j(m0, m3), 0.80, 1e-12);
  EXPECT_GT(meter->sample_rate_hz(), 0);
}

TEST_F(PowercapMeterTest, ZoneByNameOrDirectory) {
  EXPECT_NE(meter("rapl:dram")->name().find("rapl:dram+dram"), std::string::npos);
  EXPECT_NE(meter("rapl:intel-rapl:0:0")->name().find("rapl:core ("), std::string::npos);
  // The name matches the MMIO zone too; it repeats intel-rapl:0 and is left out.
  const std::string package = meter("rapl:package-0")->name();
  EXPECT_NE(package.find("rapl:package-0 ("), std::string::npos) << package;
  EXPECT_EQ(package.find("mmio"), std::string::npos) << package;

  const auto core = meter("rapl:core,interval_ms=1");
  const auto& polling = dynamic_cast<const PollingMeter&>(*core);
  core->start();
  const double m0 = mark_after_settling(polling);
  set("intel-rapl:0:0", 123'456);
  set("intel-rapl:0", 999'999);  // another zone: not counted
  const double m1 = mark_after_settling(polling);
  core->stop();
  EXPECT_NEAR(core->energy_j(m0, m1), 0.123456, 1e-12);
}

TEST_F(PowercapMeterTest, UnknownZoneListsTheZones) {
  EXPECT_EQ(error_message([&] { meter("rapl:nonexistent"); }),
            "rapl:nonexistent: no powercap zone named 'nonexistent' under " +
                (root_.path() / "class/powercap").string() +
                " (zones: package-0 (intel-rapl-mmio:0), package-0 (intel-rapl:0), core (intel-rapl:0:0), "
                "dram (intel-rapl:0:1), package-1 (intel-rapl:1), dram (intel-rapl:1:0))");
}

TEST_F(PowercapMeterTest, WindowsOutsideTheRecordingAreErrors) {
  const auto meter = this->meter("rapl");
  const double before = steady_seconds();
  meter->start();
  meter->stop();
  const double after = steady_seconds();
  const std::string message = error_message([&] { meter->energy_j(before, after); });
  EXPECT_NE(message.find("rapl:package-0+package-1"), std::string::npos) << message;
  EXPECT_NE(message.find("is outside the recorded span"), std::string::npos) << message;
}

TEST_F(PowercapMeterTest, CounterOutsideItsRangeStopsTheRecording) {
  const auto meter = this->meter("rapl:package-1,interval_ms=1");
  meter->start();
  set("intel-rapl:1", 6'000'000);  // beyond max_energy_range_uj
  // The sampler meets it and stops (or, if it is slow, stop()'s last sample does).
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string message = error_message([&] { meter->stop(); });
  EXPECT_EQ(message.rfind(meter->name() + ": ", 0), 0u) << message;
  EXPECT_NE(message.find("energy_uj 6000000 µJ is outside the counter's range [0, 5000000]"), std::string::npos)
      << message;
}

TEST(PowercapMeter, NoPowercapDirectory) {
  TempDir empty;
  const std::string message = error_message([&] { make_power_meter("rapl", empty.path()); });
  EXPECT_NE(message.find("rapl: " + (empty.path() / "class/powercap").string() + " does not exist"),
            std::string::npos)
      << message;
}

TEST(PowercapMeter, UnreadableCounterSaysOnlyRootMayReadIt) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  TempDir root;
  const auto zone = root.path() / "class/powercap/intel-rapl:0";
  write_file(zone / "name", "package-0\n");
  write_file(zone / "max_energy_range_uj", "1000\n");
  write_file(zone / "energy_uj", "1\n");
  std::filesystem::permissions(zone / "energy_uj", std::filesystem::perms::none);
  const std::string message = error_message([&] { make_power_meter("rapl", root.path()); });
  EXPECT_NE(message.find("energy_uj: permission denied (only root may read it"), std::string::npos) << message;
}

}  // namespace
}  // namespace splitpoint
