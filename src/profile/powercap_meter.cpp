#include "profile/powercap_meter.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "profile/sysfs_attribute.h"

namespace splitpoint {

namespace fs = std::filesystem;

namespace {

struct ZoneEntry {
  fs::path directory;
  std::string directory_name;  // intel-rapl:0:1
  std::string name;            // dram
  bool top_level = false;      // one ':' in the directory name
  bool through_mmio = false;   // intel-rapl-mmio:*
};

std::vector<ZoneEntry> list_zones(const fs::path& powercap) {
  std::vector<ZoneEntry> zones;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(powercap, ec)) {
    const std::string directory_name = entry.path().filename().string();
    if (!fs::exists(entry.path() / "energy_uj", ec)) continue;
    ZoneEntry zone;
    zone.directory = entry.path();
    zone.directory_name = directory_name;
    zone.name = read_sysfs_text_if_present(entry.path() / "name").value_or(directory_name);
    zone.top_level = std::count(directory_name.begin(), directory_name.end(), ':') == 1;
    zone.through_mmio = directory_name.find("-mmio") != std::string::npos;
    zones.push_back(std::move(zone));
  }
  std::sort(zones.begin(), zones.end(),
            [](const ZoneEntry& a, const ZoneEntry& b) { return a.directory_name < b.directory_name; });
  return zones;
}

std::string describe(const std::vector<ZoneEntry>& zones) {
  if (zones.empty()) return "none";
  std::string text;
  for (const ZoneEntry& zone : zones) {
    if (!text.empty()) text += ", ";
    text += zone.name + " (" + zone.directory_name + ")";
  }
  return text;
}

}  // namespace

PowercapMeter::PowercapMeter(const fs::path& sysfs_root, const std::string& zone, double interval_s)
    : PollingMeter(Reading::cumulative_energy_j, interval_s) {
  const fs::path powercap = sysfs_root / "class" / "powercap";
  const std::string spec = zone.empty() ? "rapl" : "rapl:" + zone;
  std::error_code ec;
  if (!fs::is_directory(powercap, ec))
    throw Error(spec + ": " + powercap.string() +
                " does not exist: this machine exposes no powercap energy counters (RAPL needs an Intel or AMD "
                "Zen CPU, the intel_rapl driver, and no virtual machine hiding it)");
  const std::vector<ZoneEntry> all = list_zones(powercap);

  std::vector<ZoneEntry> chosen;
  if (zone.empty()) {
    for (const ZoneEntry& entry : all)
      if (entry.top_level && !entry.through_mmio && entry.name.rfind("package", 0) == 0) chosen.push_back(entry);
    if (chosen.empty())
      throw Error(spec + ": no package zone under " + powercap.string() + " (zones: " + describe(all) + ")");
  } else {
    for (const ZoneEntry& entry : all)
      if (entry.directory_name == zone) chosen.push_back(entry);
    if (chosen.empty()) {
      for (const ZoneEntry& entry : all)
        if (entry.name == zone) chosen.push_back(entry);
      // The MMIO view repeats a package counter: count it only when it is all there is.
      const bool any_direct =
          std::any_of(chosen.begin(), chosen.end(), [](const ZoneEntry& entry) { return !entry.through_mmio; });
      if (any_direct)
        std::erase_if(chosen, [](const ZoneEntry& entry) { return entry.through_mmio; });
    }
    if (chosen.empty())
      throw Error(spec + ": no powercap zone named '" + zone + "' under " + powercap.string() +
                  " (zones: " + describe(all) + ")");
  }
  for (const ZoneEntry& entry : chosen) {
    Zone counter;
    counter.directory = entry.directory;
    counter.name = entry.name;
    counter.max_energy_range_uj = read_sysfs_integer(entry.directory / "max_energy_range_uj");
    if (counter.max_energy_range_uj <= 0)
      throw Error(fmt::format("{}: {}: max_energy_range_uj is {}, not a positive range", spec,
                              entry.directory.string(), counter.max_energy_range_uj));
    counter.previous_uj = read_sysfs_integer(entry.directory / "energy_uj");
    zones_.push_back(std::move(counter));
  }
}

PowercapMeter::~PowercapMeter() { abandon_recording(); }

std::string PowercapMeter::name() const {
  std::string zones;
  std::string directories;
  for (const Zone& zone : zones_) {
    if (!zones.empty()) {
      zones += "+";
      directories += ", ";
    }
    zones += zone.name;
    directories += zone.directory.string();
  }
  return "rapl:" + zones + " (" + directories + ")";
}

void PowercapMeter::begin_recording() {
  for (Zone& zone : zones_) {
    zone.previous_uj = read_sysfs_integer(zone.directory / "energy_uj");
    zone.accumulated_uj = 0;
  }
}

double PowercapMeter::read() {
  int64_t total_uj = 0;
  for (Zone& zone : zones_) {
    const int64_t now_uj = read_sysfs_integer(zone.directory / "energy_uj");
    if (now_uj < 0 || now_uj > zone.max_energy_range_uj)
      throw Error(fmt::format("{}: energy_uj {} µJ is outside the counter's range [0, {}]",
                              zone.directory.string(), now_uj, zone.max_energy_range_uj));
    // The counter wraps to 0 after max_energy_range_uj.
    zone.accumulated_uj += now_uj >= zone.previous_uj ? now_uj - zone.previous_uj
                                                      : zone.max_energy_range_uj - zone.previous_uj + now_uj;
    zone.previous_uj = now_uj;
    total_uj += zone.accumulated_uj;
  }
  return static_cast<double>(total_uj) * 1e-6;
}

}  // namespace splitpoint
