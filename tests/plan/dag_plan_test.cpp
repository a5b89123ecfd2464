// The DAG planner against the chain planner: for device energy (no RTT, no
// per-head overhead) the two count a layer cut the same way, so on any model
// the min-cut's best layer cut must equal the chain planner's best energy, and
// the min-cut can only do as well or better.
#include "plan/dag_plan.h"

#include <gtest/gtest.h>

#include "cost/cut_sizes.h"
#include "cost/link_profile.h"
#include "cost/measured_device_profile.h"
#include "graph/counting.h"
#include "plan/chain_search.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

ChainInputs inputs_for(const Graph& graph, const std::vector<Layer>& layers, const std::string& link) {
  ModelProfile pi = read_profile_json(std::string(SPLITPOINT_SOURCE_DIR) + "/data/profiles/rpi3bplus-cpu-f32.json");
  ChainInputs in;
  // The Pi's profile of vgg16-seed predicts any model's layers by its per-type fit.
  in.device = device_profile_from_measurements(graph, layers, "a 64 px variant", {pi}, {"pi"}).profile;
  in.server = in.device;
  for (LayerCost& c : in.server.layers) c.time_ms /= 30;
  in.link = parse_link(link);
  in.cut_bytes = cut_send_bytes(graph, enumerate_cuts(graph, layers), DType::f32);
  for (TensorId id : graph.outputs()) in.result_bytes += tensor_bytes(graph, id, DType::f32);
  return in;
}

void expect_energy_agrees(const std::string& model, const std::string& link) {
  Graph graph = build_zoo_model(model, {.weights = false, .image_size = 64});
  auto layers = group_layers(graph);
  ChainInputs in = inputs_for(graph, layers, link);
  ChainPlan chain = plan_chain(in, parse_objective("energy"), {});
  ASSERT_TRUE(chain.best.has_value());
  double chain_best = chain.cuts[static_cast<size_t>(*chain.best)].energy_j;
  auto dag = plan_dag(graph, layers, in, DType::f32, parse_objective("energy"));
  ASSERT_TRUE(dag.has_value());
  EXPECT_NEAR(dag->best_layer_cut_cost, chain_best, 1e-9 * chain_best) << model << " " << link;
  EXPECT_LE(dag->cost, chain_best * (1 + 1e-9)) << model << " " << link;
  if (dag->is_prefix) {
    EXPECT_NEAR(chain.cuts[static_cast<size_t>(dag->prefix_cut)].energy_j, chain_best, 1e-9 * chain_best);
  }
}

TEST(DagPlan, EnergyAgreesWithTheChainPlanner) {
  for (const char* link : {"3g", "lte", "wifi", "lte,up=0.05", "ethernet,radio=wifi"}) {
    expect_energy_agrees("vgg16-seed", link);
    expect_energy_agrees("resnet18", link);
    expect_energy_agrees("mobilenet_v2", link);
  }
}

TEST(DagPlan, OnlyModelsWithSkipConnectionsHaveMultiTensorCuts) {
  Graph vgg = build_zoo_model("vgg16-seed", {.weights = false});
  Graph resnet = build_zoo_model("resnet18", {.weights = false});
  EXPECT_FALSE(has_multi_tensor_cuts(vgg, group_layers(vgg)));
  EXPECT_TRUE(has_multi_tensor_cuts(resnet, group_layers(resnet)));
  auto layers = group_layers(resnet);
  EXPECT_FALSE(plan_dag(resnet, layers, inputs_for(resnet, layers, "wifi"), DType::f32, parse_objective("throughput")));
}

}  // namespace
}  // namespace splitpoint
