// LinkEstimator: the running estimate of bandwidth and RTT, against values
// worked out by hand from the header's formulas and against exchanges
// generated exactly from a known link.
#include "serve/link_estimator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/error_message.h"

namespace splitpoint {
namespace {

using testing::error_message;

// Wi-Fi-like prior: up 20 Mbps, down 50 Mbps, RTT 10 ms, Wi-Fi radio.
LinkProfile wifi_like_prior() { return parse_link("wifi,up=20,down=50,rtt=10"); }

// The true link the exchanges come from: up 8 Mbps, down 20 Mbps (the prior's
// ratio 2.5), RTT 30 ms. Wall time of an exchange over it, ms.
double true_wall_ms(int64_t up_bytes, int64_t down_bytes, double server_ms) {
  return 30.0 + up_bytes * 8e-3 / 8.0 + down_bytes * 8e-3 / 20.0 + server_ms;
}

void expect_finite_and_positive(const LinkProfile& link) {
  EXPECT_TRUE(std::isfinite(link.uplink_mbps) && link.uplink_mbps > 0) << link.uplink_mbps;
  EXPECT_TRUE(std::isfinite(link.downlink_mbps) && link.downlink_mbps > 0) << link.downlink_mbps;
  EXPECT_TRUE(std::isfinite(link.rtt_ms) && link.rtt_ms >= 0) << link.rtt_ms;
}

TEST(LinkEstimator, ThePriorIsTheEstimateUntilMeasurementsArrive) {
  LinkEstimator estimator(wifi_like_prior());
  LinkProfile link = estimator.estimate();
  EXPECT_EQ(link.name, "estimated");
  EXPECT_DOUBLE_EQ(link.uplink_mbps, 20);
  EXPECT_DOUBLE_EQ(link.downlink_mbps, 50);
  EXPECT_DOUBLE_EQ(link.rtt_ms, 10);
  ASSERT_TRUE(link.radio.has_value());
  EXPECT_EQ(link.radio->technology, "wifi");
  EXPECT_EQ(estimator.bandwidth_samples(), 0);
  EXPECT_EQ(estimator.rtt_samples(), 0);
}

TEST(LinkEstimator, FirstBandwidthUpdateByHand) {
  LinkEstimator estimator(wifi_like_prior(), 0.3);
  // Over the true link: 100,000 B up = 800,000 bit / 8 Mbit/s = 100 ms;
  // 10,000 B down = 80,000 bit / 20 Mbit/s = 4 ms; RTT 30 ms: network 134 ms,
  // and the server computed 5 ms, so the wall time is 139 ms.
  EXPECT_DOUBLE_EQ(true_wall_ms(100000, 10000, 5), 139);
  estimator.add_exchange(100000, 10000, 139, 5);
  // Uplink-equivalent bytes: 100,000 + 10,000 x 20/50 = 104,000 B. At the
  // prior's 20 Mbps (8e-3 / 20 = 4e-4 ms/B) they take 41.6 ms >= 134 / 4 =
  // 33.5 ms: a bandwidth sample. Transfer time: 134 - 10 (prior RTT) = 124 ms,
  // 124 / 104,000 = 1.1923077e-3 ms/B. EWMA: 4e-4 + 0.3 x (1.1923077e-3 -
  // 4e-4) = 6.3769231e-4 ms/B, i.e. 8e-3 / 6.3769231e-4 = 12.545235 Mbps up,
  // x 2.5 = 31.363088 Mbps down; the RTT stays 10 ms.
  LinkProfile link = estimator.estimate();
  EXPECT_NEAR(link.uplink_mbps, 12.545235, 1e-6);
  EXPECT_NEAR(link.downlink_mbps, 31.363088, 1e-6);
  EXPECT_DOUBLE_EQ(link.rtt_ms, 10);
  EXPECT_EQ(estimator.bandwidth_samples(), 1);
  EXPECT_EQ(estimator.rtt_samples(), 0);
}

TEST(LinkEstimator, ConvergesToTheTrueLinkFromExchangesAlone) {
  LinkEstimator estimator(wifi_like_prior(), 0.3);
  // 20 rounds of a large exchange (a cut tensor) and a small one (a tiny
  // request): the large ones teach the bandwidth, the small ones the RTT.
  for (int round = 0; round < 20; ++round) {
    int64_t up = 100000 + 20000 * round;
    estimator.add_exchange(up, 10000, true_wall_ms(up, 10000, 5), 5);
    estimator.add_exchange(1000, 200, true_wall_ms(1000, 200, 3), 3);
  }
  EXPECT_EQ(estimator.bandwidth_samples(), 20);
  EXPECT_EQ(estimator.rtt_samples(), 20);
  LinkProfile link = estimator.estimate();
  EXPECT_NEAR(link.uplink_mbps, 8, 0.08);
  EXPECT_NEAR(link.downlink_mbps, 20, 0.2);
  EXPECT_NEAR(link.rtt_ms, 30, 0.3);
}

TEST(LinkEstimator, ConvergesWithProbes) {
  LinkEstimator estimator(wifi_like_prior(), 0.3);
  for (int round = 0; round < 20; ++round) {
    estimator.add_rtt_probe(30);
    estimator.add_exchange(300000, 8000, true_wall_ms(300000, 8000, 12), 12);
  }
  LinkProfile link = estimator.estimate();
  EXPECT_NEAR(link.uplink_mbps, 8, 0.08);
  EXPECT_NEAR(link.downlink_mbps, 20, 0.2);
  EXPECT_NEAR(link.rtt_ms, 30, 0.3);
}

TEST(LinkEstimator, ProbesMoveTheRttByTheMovingAverage) {
  LinkEstimator estimator(wifi_like_prior(), 0.3);
  estimator.add_rtt_probe(30);  // 10 + 0.3 x (30 - 10) = 16
  EXPECT_DOUBLE_EQ(estimator.estimate().rtt_ms, 16);
  estimator.add_rtt_probe(30);  // 16 + 0.3 x (30 - 16) = 20.2
  EXPECT_NEAR(estimator.estimate().rtt_ms, 20.2, 1e-12);
  estimator.add_rtt_probe(0);  // 20.2 + 0.3 x (0 - 20.2) = 14.14
  EXPECT_NEAR(estimator.estimate().rtt_ms, 14.14, 1e-12);
  EXPECT_EQ(estimator.rtt_samples(), 3);
  EXPECT_EQ(estimator.bandwidth_samples(), 0);
  EXPECT_DOUBLE_EQ(estimator.estimate().uplink_mbps, 20);

  LinkEstimator replacing(wifi_like_prior(), 1.0);  // weight 1: the last sample is the estimate
  replacing.add_rtt_probe(42.5);
  EXPECT_DOUBLE_EQ(replacing.estimate().rtt_ms, 42.5);
}

TEST(LinkEstimator, SmallExchangesUpdateTheRttNotTheBandwidth) {
  LinkEstimator estimator(wifi_like_prior(), 0.3);
  // 1000 B up, 500 B down: 1000 + 500 x 0.4 = 1200 B x 4e-4 ms/B = 0.48 ms,
  // under a quarter of the 40 ms network time. RTT sample 40 - 0.48 = 39.52 ms;
  // 10 + 0.3 x (39.52 - 10) = 18.856 ms.
  estimator.add_exchange(1000, 500, 45, 5);
  LinkProfile link = estimator.estimate();
  EXPECT_NEAR(link.rtt_ms, 18.856, 1e-9);
  EXPECT_DOUBLE_EQ(link.uplink_mbps, 20);
  EXPECT_DOUBLE_EQ(link.downlink_mbps, 50);
  EXPECT_EQ(estimator.rtt_samples(), 1);
  EXPECT_EQ(estimator.bandwidth_samples(), 0);
}

TEST(LinkEstimator, ExchangesNoLongerThanTheServerTimeAreIgnored) {
  LinkEstimator estimator(wifi_like_prior(), 0.3);
  estimator.add_exchange(100000, 1000, 5, 5);
  estimator.add_exchange(100000, 1000, 4, 5);
  estimator.add_exchange(0, 0, 0, 0);
  LinkProfile link = estimator.estimate();
  EXPECT_DOUBLE_EQ(link.uplink_mbps, 20);
  EXPECT_DOUBLE_EQ(link.rtt_ms, 10);
  EXPECT_EQ(estimator.rtt_samples(), 0);
  EXPECT_EQ(estimator.bandwidth_samples(), 0);
}

TEST(LinkEstimator, ZeroBytesIsAnRttSample) {
  LinkEstimator estimator(wifi_like_prior(), 0.3);
  estimator.add_exchange(0, 0, 22, 2);  // network 20 ms: 10 + 0.3 x (20 - 10) = 13
  LinkProfile link = estimator.estimate();
  expect_finite_and_positive(link);
  EXPECT_DOUBLE_EQ(link.rtt_ms, 13);
  EXPECT_DOUBLE_EQ(link.uplink_mbps, 20);
}

TEST(LinkEstimator, AnExchangeFasterThanTheRttEstimateLowersTheRtt) {
  LinkEstimator estimator(wifi_like_prior(), 0.3);
  // 10,000 B up: 4 ms at the estimate, half of the 8 ms network time, but
  // 8 - 10 ms of RTT leaves no time to transfer: the RTT estimate is too high.
  // RTT sample 8 - 4 = 4 ms: 10 + 0.3 x (4 - 10) = 8.2 ms.
  estimator.add_exchange(10000, 0, 8, 0);
  LinkProfile link = estimator.estimate();
  expect_finite_and_positive(link);
  EXPECT_NEAR(link.rtt_ms, 8.2, 1e-12);
  EXPECT_DOUBLE_EQ(link.uplink_mbps, 20);
  EXPECT_EQ(estimator.bandwidth_samples(), 0);

  // Transfer slower than the whole network time at the estimate: the RTT
  // sample is clamped at 0, never negative. 1,000,000 B = 400 ms > 50 ms.
  LinkEstimator clamped(wifi_like_prior(), 1.0);
  clamped.add_exchange(1000000, 0, 9, 0);
  EXPECT_DOUBLE_EQ(clamped.estimate().rtt_ms, 0);
  expect_finite_and_positive(clamped.estimate());
}

TEST(LinkEstimator, ExtremeSamplesStayFinite) {
  LinkEstimator estimator(wifi_like_prior(), 1.0);
  // A huge transfer in a microsecond beyond the RTT.
  estimator.add_exchange(int64_t{1} << 50, 0, 10.001, 0);
  expect_finite_and_positive(estimator.estimate());
  estimator.add_exchange(1, 1, 1e12, 0);
  expect_finite_and_positive(estimator.estimate());
}

TEST(LinkEstimator, RejectsBadArguments) {
  EXPECT_NE(error_message([] { LinkEstimator(wifi_like_prior(), 0); }).find("weight"), std::string::npos);
  EXPECT_NE(error_message([] { LinkEstimator(wifi_like_prior(), 1.5); }).find("weight"), std::string::npos);
  EXPECT_NE(error_message([] { LinkEstimator(wifi_like_prior(), std::nan("")); }).find("weight"), std::string::npos);
  LinkProfile no_bandwidth = wifi_like_prior();
  no_bandwidth.uplink_mbps = 0;
  EXPECT_NE(error_message([&] { LinkEstimator{no_bandwidth}; }).find("bandwidth"), std::string::npos);
  no_bandwidth = wifi_like_prior();
  no_bandwidth.downlink_mbps = std::numeric_limits<double>::infinity();
  EXPECT_NE(error_message([&] { LinkEstimator{no_bandwidth}; }).find("bandwidth"), std::string::npos);

  LinkEstimator estimator(wifi_like_prior());
  EXPECT_NE(error_message([&] { estimator.add_exchange(-1, 0, 10, 1); }).find("negative"), std::string::npos);
  EXPECT_NE(error_message([&] { estimator.add_exchange(1, 1, std::nan(""), 1); }).find("wall"), std::string::npos);
  EXPECT_NE(error_message([&] { estimator.add_exchange(1, 1, 10, -1); }).find("server"), std::string::npos);
  EXPECT_NE(error_message([&] { estimator.add_rtt_probe(-3); }).find("RTT"), std::string::npos);
  EXPECT_EQ(estimator.bandwidth_samples() + estimator.rtt_samples(), 0);
}

}  // namespace
}  // namespace splitpoint
