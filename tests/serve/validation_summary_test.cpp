// validate's numbers (serve/link_validation.h) on hand-made runs whose medians
// and overheads are worked out by hand below: the per-point medians, the
// per-run expectation (compute + bytes / bandwidth + RTT), the overhead as the
// median of per-run overheads (not the overhead of the medians), and the
// per-link headline (median |error|, overhead over split points only).
#include <gtest/gtest.h>

#include <vector>

#include "serve/link_validation.h"

namespace splitpoint {
namespace {

// 8 Mbit/s each way, 20 ms RTT: 10,000 B up = 10 ms, 1,000 B down = 1 ms.
LinkProfile test_link() {
  LinkProfile l;
  l.name = "hand";
  l.uplink_mbps = 8;
  l.downlink_mbps = 8;
  l.rtt_ms = 20;
  return l;
}

RequestRecord remote_run(double head, double server, double network, double total) {
  RequestRecord r;
  r.cut = 3;
  r.remote = true;
  r.head_ms = head;
  r.encode_ms = 1;
  r.decode_ms = 1;
  r.server_ms = server;
  r.network_ms = network;
  r.total_ms = total;
  r.tensor_bytes = 10'000;
  return r;
}

TEST(ValidationSummary, SplitPointMediansAndOverheadByHand) {
  // expected = head + encode 1 + decode 1 + server + upload 10 + RTT 20 + download 1
  //   run 1: 5 + 2 + 10 + 31 = 48, overhead (60 - 48) / 60  = 0.20
  //   run 2: 7 + 2 + 12 + 31 = 52, overhead (80 - 52) / 80  = 0.35
  //   run 3: 6 + 2 + 11 + 31 = 50, overhead (50 - 50) / 50  = 0
  //   run 4: 9 + 2 + 30 + 31 = 72, overhead (100 - 72) / 100 = 0.28
  //   run 5: a fallback (counted, not measured)
  // medians of four: measured (60 + 80) / 2 = 70, head (6 + 7) / 2 = 6.5,
  // server (11 + 12) / 2 = 11.5, network (31 + 35) / 2 = 33, expected
  // (50 + 52) / 2 = 51, overhead (0.20 + 0.28) / 2 = 0.24 (the overhead of the
  // medians would be (70 - 51) / 70 = 0.271); error (70 - 56) / 70 = 0.2.
  std::vector<RequestRecord> runs{remote_run(5, 10, 30, 60), remote_run(7, 12, 35, 80), remote_run(6, 11, 31, 50),
                                  remote_run(9, 30, 40, 100)};
  RequestRecord fallback = remote_run(1, 0, 0, 999);
  fallback.remote = false;
  fallback.fallback = true;
  runs.insert(runs.begin() + 2, fallback);
  const ValidationPoint p = summarize_point(test_link(), 3, 56, runs, 1'000);
  EXPECT_EQ(p.link, "hand");
  EXPECT_EQ(p.cut, 3);
  EXPECT_EQ(p.runs, 5);
  EXPECT_EQ(p.fallbacks, 1);
  EXPECT_EQ(p.tensor_bytes, 10'000);
  EXPECT_DOUBLE_EQ(p.predicted_ms, 56);
  EXPECT_DOUBLE_EQ(p.measured_ms, 70);
  EXPECT_DOUBLE_EQ(p.head_ms, 6.5);
  EXPECT_DOUBLE_EQ(p.server_ms, 11.5);
  EXPECT_DOUBLE_EQ(p.network_ms, 33);
  EXPECT_DOUBLE_EQ(p.expected_ms, 51);
  EXPECT_NEAR(p.overhead, 0.24, 1e-12);
  EXPECT_NEAR(p.prediction_error, 0.2, 1e-12);
}

TEST(ValidationSummary, AllLocalPointExpectsTheHeadOnly) {
  // Cut 5 of 5: nothing sent, expected = head. Runs (head, total): (40, 42),
  // (44, 44), (42, 45): overheads 2/42 = 0.047619, 0, 3/45 = 0.066667, median
  // 0.047619; measured median 44, expected median 42, error (44 - 40) / 44.
  std::vector<RequestRecord> runs(3);
  const double heads[] = {40, 44, 42}, totals[] = {42, 44, 45};
  for (int i = 0; i < 3; ++i) {
    runs[i].cut = 5;
    runs[i].head_ms = heads[i];
    runs[i].local_tail_ms = 0;
    runs[i].total_ms = totals[i];
  }
  const ValidationPoint p = summarize_point(test_link(), 5, 40, runs, 1'000);
  EXPECT_EQ(p.fallbacks, 0);
  EXPECT_DOUBLE_EQ(p.measured_ms, 44);
  EXPECT_DOUBLE_EQ(p.expected_ms, 42);
  EXPECT_NEAR(p.overhead, 2.0 / 42, 1e-12);
  EXPECT_NEAR(p.prediction_error, 4.0 / 44, 1e-12);
}

TEST(ValidationSummary, PerLinkHeadlineByHand) {
  // Link "hand", 5 layers: cut 3 (error +0.2, overhead 0.24), cut 5 (all
  // local: error +0.09, its overhead 0.05 not counted), cut 1 (error -0.3,
  // overhead 0.1), cut 2 with every run a fallback (measured 0: left out);
  // a point of another link (error 0.9) is left out.
  // median |error| of {0.2, 0.09, 0.3} = 0.2 (the signed median would be 0.09);
  // median overhead of {0.24, 0.1} = 0.17.
  auto point = [](const char* link, int cut, double measured, double error, double overhead) {
    ValidationPoint p;
    p.link = link;
    p.cut = cut;
    p.measured_ms = measured;
    p.prediction_error = error;
    p.overhead = overhead;
    return p;
  };
  const std::vector<ValidationPoint> points{point("hand", 3, 70, 0.2, 0.24), point("hand", 5, 44, 0.09, 0.05),
                                            point("hand", 1, 20, -0.3, 0.1), point("hand", 2, 0, 0.7, 0.7),
                                            point("other", 3, 70, 0.9, 0.9)};
  const LinkValidationSummary s = summarize_link(points, "hand", 5);
  EXPECT_NEAR(s.median_abs_prediction_error, 0.2, 1e-12);
  EXPECT_NEAR(s.median_overhead, 0.17, 1e-12);
  const LinkValidationSummary none = summarize_link(points, "absent", 5);
  EXPECT_EQ(none.median_abs_prediction_error, 0);
  EXPECT_EQ(none.median_overhead, 0);
}

}  // namespace
}  // namespace splitpoint
