#pragma once
// LinkProfile: the network between device and server — bandwidth each way,
// round-trip time, and the device radio's power while it sends and receives.
//
// Radio power follows Huang et al. (MobiSys 2012), as Neurosurgeon used it:
// P = alpha * throughput_Mbps + beta (mW), with alpha for the uplink or the
// downlink. Wired links (ethernet) carry no radio model: no radio energy.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace splitpoint {

struct RadioPowerModel {
  std::string technology;        // "wifi", "lte", "3g"
  double uplink_mw_per_mbps = 0;   // alpha_u
  double downlink_mw_per_mbps = 0; // alpha_d
  double base_mw = 0;              // beta
};

struct LinkProfile {
  std::string name;  // preset name or the spec it was parsed from
  double uplink_mbps = 0;
  double downlink_mbps = 0;
  double rtt_ms = 0;
  std::optional<RadioPowerModel> radio;

  // Time to move `bytes` one way at the link's rate (no RTT), ms.
  double upload_ms(int64_t bytes) const;
  double download_ms(int64_t bytes) const;
  // Radio power while sending / receiving at the link's rate, W (0 without a radio model).
  double upload_power_w() const;
  double download_power_w() const;
  // Device radio energy to send / receive `bytes`, J.
  double upload_energy_j(int64_t bytes) const;
  double download_energy_j(int64_t bytes) const;
  // The same link at another uplink rate; the downlink scales by the same factor.
  LinkProfile with_uplink(double mbps) const;
};

// The presets: "3g", "lte", "wifi", "ethernet".
std::vector<std::string> link_preset_names();
// A preset name, or custom values: "MBPS[,RTT_MS]" (symmetric, no radio), or
// "up=MBPS,down=MBPS,rtt=MS[,radio=wifi|lte|3g]" (any subset after a preset
// name: "lte,up=10"). Throws Error naming the bad part.
LinkProfile parse_link(const std::string& spec);

// Radio power model of a technology; throws Error for an unknown name.
RadioPowerModel radio_power_model(const std::string& technology);

}  // namespace splitpoint
