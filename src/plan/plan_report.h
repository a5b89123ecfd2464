#pragma once
// Everything one `splitpoint plan` decided and why, as plain data: the JSON
// (schema "splitpoint-plan", docs/plan.md) is written from this, and
// the report reads it back (plan/plan_json_reader.h).
#include <optional>
#include <string>
#include <vector>

#include "cost/device_profile.h"
#include "cost/edgetpu_model.h"
#include "cost/layer_regression.h"
#include "cost/link_profile.h"
#include "plan/accuracy_bound.h"
#include "plan/bandwidth_sweep.h"
#include "plan/chain_search.h"
#include "plan/dag_plan.h"
#include "plan/multi_tier.h"

namespace splitpoint {

inline constexpr const char* kPlanSchema = "splitpoint-plan";
inline constexpr int kPlanSchemaVersion = 1;

struct PlanLayer {
  int index = 0;  // 1..L
  std::string name;
  std::string kind;
  std::string device_source;  // cost_source_name
  std::string server_source;
  int cut_tensors = 1;        // tensors live after this layer
};

// The codec run on the model's real activations (when it was measured).
struct CodecMeasurement {
  std::string input;  // the image, or "random"
  struct PerCut {
    int cut = 0;
    int64_t raw_bytes = 0;  // float32
    int64_t encoded_bytes = 0;
    double ratio = 0;
    double max_abs_error = 0;
    double step = 0;  // the codec's rounding step at this cut (0: exact)
  };
  std::vector<PerCut> cuts;
};

// "Send the input as JPEG" (the baseline that needs no split at all).
struct JpegBaseline {
  int quality = 0;
  CutEstimate estimate;  // cut 0 with the JPEG's bytes
};

struct PlanReport {
  std::string model;
  std::string tool;
  std::string date;  // UTC ISO 8601
  DeviceProfile device;
  DeviceProfile server;
  // The per-type fits that predicted unmeasured layers (empty: every layer measured or modelled).
  std::vector<TypeFit> device_fits;
  std::vector<TypeFit> server_fits;
  LinkProfile link;
  std::string codec;
  bool image_input = false;  // cut 0 sends the input image's 8-bit pixels, whatever the codec
  std::vector<PlanLayer> layers;
  ChainPlan plan;
  std::optional<JpegBaseline> jpeg;
  std::optional<CodecMeasurement> codec_measurement;
  std::optional<BandwidthSweep> sweep;
  std::optional<DagPlanSummary> dag;
  // An Edge TPU device: what each head keeps in the parameter cache and streams.
  std::vector<EdgeTpuHead> edgetpu_heads;
  int64_t edgetpu_cache_usable_bytes = 0;  // the cache the heads were filled into (0: no Edge TPU)
  // Per cut 0..L: the bytes of the cut's tensors at 4 B (float32) and 1 B
  // (uint8) per element, whatever the codec (cut 0 of an image model: its
  // 8-bit pixels at uint8); empty when unknown. What the report charts.
  std::vector<int64_t> cut_bytes_fp32;
  std::vector<int64_t> cut_bytes_uint8;
  // Planned under an accuracy bound (`--accuracy FILE`): every (cut, codec) and JPEG quality measured there.
  std::optional<AccuracyBoundedPlan> accuracy;
  std::string accuracy_source;  // the accuracy JSON
  // Multi-tier: device -> edge -> cloud (the server is the cloud).
  std::optional<DeviceProfile> edge;
  std::optional<LinkProfile> edge_link;
  std::optional<TierPlan> tiers;
};

std::string plan_to_json(const PlanReport& report);

}  // namespace splitpoint
