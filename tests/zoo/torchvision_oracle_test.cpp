// The zoo against PyTorch: torchvision's models run by PyTorch
// (tests/zoo/torchvision_layers.py) give, layer by layer, the output shapes,
// parameter counts and MACs our graphs must have.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "graph/counting.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

// ctest runs each case in a process of its own, so each asks for its model only.
nlohmann::json torchvision_layers(const std::string& model) {
  const std::string cmd =
      std::string("/usr/bin/python3 ") + SPLITPOINT_SOURCE_DIR + "/tests/zoo/torchvision_layers.py " + model;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  char buf[65536];
  size_t n;
  while (pipe && (n = fread(buf, 1, sizeof buf, pipe.get())) > 0) out.append(buf, n);
  return out.empty() ? nlohmann::json() : nlohmann::json::parse(out);
}

// Our graph's layers of the same kinds, in topological order.
nlohmann::json our_layers(const Graph& g) {
  nlohmann::json entries = nlohmann::json::array();
  for (NodeId id : g.topological_order()) {
    const Op& op = g.node(id).op;
    std::string kind;
    if (std::holds_alternative<Conv2D>(op)) kind = "conv";
    if (std::holds_alternative<FullyConnected>(op)) kind = "dense";
    if (std::holds_alternative<BatchNorm>(op)) kind = "batch_norm";
    if (std::holds_alternative<MaxPool2D>(op)) kind = "max_pool";
    if (kind.empty()) continue;
    entries.push_back({{"kind", kind},
                       {"shape", g.tensor(g.node(id).output).shape.dims()},
                       {"params", node_params(g, id)},
                       {"macs", node_macs(g, id)}});
  }
  return entries;
}

class TorchvisionOracle : public ::testing::TestWithParam<const char*> {};

TEST_P(TorchvisionOracle, SameLayersShapesParamsAndMacs) {
  const nlohmann::json oracle = torchvision_layers(GetParam());
  ASSERT_TRUE(oracle.contains(GetParam()))
      << "PyTorch oracle unavailable: run scripts/install-deps (python3-torchvision)";
  ZooOptions o;
  o.weights = false;
  Graph g = build_zoo_model(GetParam(), o);
  const nlohmann::json ours = our_layers(g);
  const nlohmann::json& theirs = oracle[GetParam()];
  ASSERT_EQ(ours.size(), theirs.size()) << GetParam();
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(ours[i], theirs[i]) << GetParam() << " layer entry " << i;
}

INSTANTIATE_TEST_SUITE_P(Zoo, TorchvisionOracle,
                         ::testing::Values("vgg16", "vgg19", "alexnet", "resnet18", "resnet50", "mobilenet_v2"));

}  // namespace
}  // namespace splitpoint
