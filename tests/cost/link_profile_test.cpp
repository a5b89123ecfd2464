// LinkProfile: presets, custom specs, and the radio energy, against values
// computed by hand from Huang et al.'s model (P = alpha * Mbps + beta, mW).
#include "cost/link_profile.h"

#include <gtest/gtest.h>

#include "common/error_message.h"

namespace splitpoint {
namespace {

using testing::error_message;

TEST(LinkProfile, WifiPresetTimesAndRadioEnergyByHand) {
  LinkProfile wifi = parse_link("wifi");
  EXPECT_DOUBLE_EQ(wifi.uplink_mbps, 18.88);
  ASSERT_TRUE(wifi.radio.has_value());
  // 1,000,000 bytes = 8 Mbit at 18.88 Mbit/s = 0.423729 s.
  EXPECT_NEAR(wifi.upload_ms(1000000), 423.7288, 1e-3);
  // 283.17 mW/Mbps x 18.88 Mbps + 132.86 mW = 5479.11 mW.
  EXPECT_NEAR(wifi.upload_power_w(), 5.47911, 1e-5);
  EXPECT_NEAR(wifi.upload_energy_j(1000000), 5.47911 * 0.4237288, 1e-5);
}

TEST(LinkProfile, PresetsMatchTheDesignFacts) {
  LinkProfile g3 = parse_link("3g"), lte = parse_link("lte"), ethernet = parse_link("ethernet");
  EXPECT_DOUBLE_EQ(g3.uplink_mbps, 1.1);
  EXPECT_DOUBLE_EQ(lte.uplink_mbps, 5.85);
  // LTE: 438.39 x 5.85 + 1288.04 = 3852.62 mW.
  EXPECT_NEAR(lte.upload_power_w(), 3.8526215, 1e-6);
  // 3G: 868.98 x 1.1 + 817.88 = 1773.758 mW.
  EXPECT_NEAR(g3.upload_power_w(), 1.773758, 1e-6);
  EXPECT_FALSE(ethernet.radio.has_value());
  EXPECT_EQ(ethernet.upload_energy_j(1 << 20), 0.0);
}

TEST(LinkProfile, CustomSpecs) {
  LinkProfile a = parse_link("10,20");
  EXPECT_DOUBLE_EQ(a.uplink_mbps, 10);
  EXPECT_DOUBLE_EQ(a.downlink_mbps, 10);
  EXPECT_DOUBLE_EQ(a.rtt_ms, 20);
  EXPECT_FALSE(a.radio.has_value());
  EXPECT_DOUBLE_EQ(a.upload_ms(1250), 1.0);  // 10,000 bits at 10 Mbit/s

  LinkProfile b = parse_link("lte,up=10");
  EXPECT_DOUBLE_EQ(b.uplink_mbps, 10);
  EXPECT_DOUBLE_EQ(b.downlink_mbps, 13);  // the preset's downlink stays
  EXPECT_EQ(b.radio->technology, "lte");

  LinkProfile c = parse_link("up=2,rtt=5,radio=3g");
  EXPECT_DOUBLE_EQ(c.downlink_mbps, 2);  // no downlink given: symmetric
  EXPECT_NEAR(c.upload_power_w(), (868.98 * 2 + 817.88) / 1000, 1e-9);
  EXPECT_NEAR(c.download_power_w(), (122.12 * 2 + 817.88) / 1000, 1e-9);

  LinkProfile d = parse_link("wifi,radio=none");
  EXPECT_FALSE(d.radio.has_value());
}

TEST(LinkProfile, WithUplinkScalesTheDownlink) {
  LinkProfile lte = parse_link("lte").with_uplink(11.7);  // twice 5.85
  EXPECT_DOUBLE_EQ(lte.uplink_mbps, 11.7);
  EXPECT_DOUBLE_EQ(lte.downlink_mbps, 26);
  EXPECT_DOUBLE_EQ(lte.rtt_ms, parse_link("lte").rtt_ms);
}

TEST(LinkProfile, BadSpecsNameTheProblem) {
  EXPECT_NE(error_message([] { parse_link("foo"); }).find("unknown link 'foo'"), std::string::npos);
  EXPECT_NE(error_message([] { parse_link("10,abc"); }).find("RTT (ms) 'abc'"), std::string::npos);
  EXPECT_NE(error_message([] { parse_link("up=-1"); }).find("up (Mbps) '-1'"), std::string::npos);
  EXPECT_NE(error_message([] { parse_link("wifi,up=0"); }).find("positive"), std::string::npos);
  EXPECT_NE(error_message([] { parse_link("lte,speed=3"); }).find("unknown key 'speed'"), std::string::npos);
  EXPECT_NE(error_message([] { parse_link("rtt=5"); }).find("no uplink"), std::string::npos);
  EXPECT_NE(error_message([] { parse_link("up=5,radio=5g"); }).find("unknown radio technology '5g'"),
            std::string::npos);
  EXPECT_NE(error_message([] { parse_link(""); }).find("empty"), std::string::npos);
}

}  // namespace
}  // namespace splitpoint
