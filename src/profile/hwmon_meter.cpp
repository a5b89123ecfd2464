#include "profile/hwmon_meter.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "core/error.h"
#include "profile/sysfs_attribute.h"

namespace splitpoint {

namespace fs = std::filesystem;

namespace {

struct Channel {
  fs::path directory;
  std::string directory_name;  // hwmon2
  std::string device_name;     // ina3221
  int index = 0;
  std::string label;  // may be empty
  bool reads_power = false;

  std::string describe() const {
    std::string text = device_name + " (" + directory_name + ") channel " + std::to_string(index);
    if (!label.empty()) text += " " + label;
    text += reads_power ? fmt::format(": power{}_input", index)
                        : fmt::format(": curr{0}_input x in{0}_input", index);
    return text;
  }
};

// The N of "<prefix><N>_input", or -1.
int channel_index(const std::string& file_name, const std::string& prefix) {
  const std::string suffix = "_input";
  if (file_name.size() <= prefix.size() + suffix.size() || file_name.rfind(prefix, 0) != 0 ||
      file_name.compare(file_name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return -1;
  const char* begin = file_name.data() + prefix.size();
  const char* end = file_name.data() + file_name.size() - suffix.size();
  int index = -1;
  const auto [stop, error] = std::from_chars(begin, end, index);
  return error == std::errc() && stop == end ? index : -1;
}

std::vector<Channel> list_channels(const fs::path& hwmon) {
  std::vector<Channel> channels;
  std::error_code ec;
  std::vector<fs::path> devices;
  for (const auto& entry : fs::directory_iterator(hwmon, ec)) devices.push_back(entry.path());
  std::sort(devices.begin(), devices.end());
  for (const fs::path& device : devices) {
    std::set<int> power, current, voltage;
    for (const auto& file : fs::directory_iterator(device, ec)) {
      const std::string file_name = file.path().filename().string();
      if (int i = channel_index(file_name, "power"); i >= 0) power.insert(i);
      if (int i = channel_index(file_name, "curr"); i >= 0) current.insert(i);
      if (int i = channel_index(file_name, "in"); i >= 0) voltage.insert(i);
    }
    std::set<int> indices = power;
    for (int i : current)
      if (voltage.count(i)) indices.insert(i);
    for (int i : indices) {
      Channel channel;
      channel.directory = device;
      channel.directory_name = device.filename().string();
      channel.device_name = read_sysfs_text_if_present(device / "name").value_or(channel.directory_name);
      channel.index = i;
      channel.reads_power = power.count(i) > 0;
      for (const char* kind : {"power", "curr", "in"}) {
        if (auto label = read_sysfs_text_if_present(device / fmt::format("{}{}_label", kind, i))) {
          channel.label = *label;
          break;
        }
      }
      channels.push_back(std::move(channel));
    }
  }
  return channels;
}

std::string describe(const std::vector<Channel>& channels) {
  std::string text;
  for (const Channel& channel : channels) text += (text.empty() ? "" : "; ") + channel.describe();
  return text.empty() ? "none" : text;
}

}  // namespace

HwmonMeter::HwmonMeter(const fs::path& sysfs_root, const std::string& device, const std::string& channel,
                       double interval_s)
    : PollingMeter(Reading::power_w, interval_s) {
  const fs::path hwmon = sysfs_root / "class" / "hwmon";
  std::string spec = device.empty() ? "hwmon" : "hwmon:" + device;
  if (!channel.empty()) spec += ",channel=" + channel;
  std::error_code ec;
  if (!fs::is_directory(hwmon, ec))
    throw Error(spec + ": " + hwmon.string() + " does not exist: this machine exposes no hwmon sensors");
  const std::vector<Channel> all = list_channels(hwmon);
  if (all.empty())
    throw Error(spec + ": no hwmon device under " + hwmon.string() +
                " has a power<N>_input or a curr<N>_input with its in<N>_input");

  std::vector<Channel> candidates;
  for (const Channel& candidate : all)
    if (device.empty() || candidate.device_name == device || candidate.directory_name == device)
      candidates.push_back(candidate);
  if (candidates.empty())
    throw Error(spec + ": no hwmon power sensor named '" + device + "' (sensors: " + describe(all) + ")");
  if (!channel.empty()) {
    std::vector<Channel> matching;
    for (const Channel& candidate : candidates)
      if (std::to_string(candidate.index) == channel || candidate.label == channel) matching.push_back(candidate);
    if (matching.empty())
      throw Error(spec + ": no channel '" + channel + "' (channels: " + describe(candidates) + ")");
    candidates = std::move(matching);
  }
  if (candidates.size() > 1)
    throw Error(spec + ": " + std::to_string(candidates.size()) +
                " power channels match; choose one with hwmon:NAME,channel=C (channels: " + describe(candidates) +
                ")");
  const Channel& chosen = candidates.front();
  directory_ = chosen.directory;
  device_name_ = chosen.device_name;
  channel_ = chosen.index;
  label_ = chosen.label;
  reads_power_ = chosen.reads_power;
  read();  // fails here, not in the middle of a run, if the sensor cannot be read
}

HwmonMeter::~HwmonMeter() { abandon_recording(); }

std::string HwmonMeter::name() const {
  std::string text = fmt::format("hwmon:{} channel {}", device_name_, channel_);
  if (!label_.empty()) text += " " + label_;
  text += reads_power_ ? fmt::format(" ({}: power{}_input)", directory_.string(), channel_)
                       : fmt::format(" ({}: curr{}_input x in{}_input)", directory_.string(), channel_, channel_);
  return text;
}

double HwmonMeter::read() {
  auto value = [&](const char* kind) {
    return static_cast<double>(read_sysfs_integer(directory_ / fmt::format("{}{}_input", kind, channel_)));
  };
  if (reads_power_) return value("power") * 1e-6;  // µW
  return value("curr") * value("in") * 1e-6;       // mA x mV
}

}  // namespace splitpoint
