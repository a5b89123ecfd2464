// The DAG planner on small chains and DAGs whose best placements were worked
// out by hand (the sums are in the comments). Each case is checked three ways:
// placement_cost of the hand placement, dag_min_cut, and dag_brute_force.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "plan/dag_brute_force.h"
#include "plan/dag_min_cut.h"
#include "plan/layer_dag.h"

namespace splitpoint {
namespace {

constexpr double kTolerance = 1e-12;

DagTensor graph_input(std::vector<int> consumers, double transfer_cost) {
  DagTensor t;
  t.consumers = std::move(consumers);
  t.transfer_cost = transfer_cost;
  return t;
}

DagTensor activation(int producer, std::vector<int> consumers, double transfer_cost) {
  DagTensor t;
  t.producer = producer;
  t.consumers = std::move(consumers);
  t.transfer_cost = transfer_cost;
  return t;
}

DagTensor graph_output(int producer, double return_cost) {
  DagTensor t;
  t.producer = producer;
  t.graph_output = true;
  t.return_cost = return_cost;
  return t;
}

struct HandCase {
  std::string name;
  LayerDag dag;
  std::vector<bool> best;  // on the device, per vertex
  double cost = 0;
};

void expect_plan(const HandCase& c) {
  SCOPED_TRACE(c.name);
  EXPECT_NEAR(placement_cost(c.dag, c.best), c.cost, kTolerance);
  const DagPlacement cut = dag_min_cut(c.dag);
  EXPECT_EQ(cut.on_device, c.best);
  EXPECT_NEAR(cut.cost, c.cost, kTolerance);
  const DagPlacement brute = dag_brute_force(c.dag);
  EXPECT_NEAR(brute.cost, c.cost, kTolerance);
}

// input -x-> v0 -t0-> v1 -t1-> v2 -> output
// (device, server): v0 (5, 1), v1 (5, 1), v2 (20, 1); transfers x 10, t0 2,
// t1 8; return of the output 1. The four admissible placements are the prefixes:
//   none on the device: x 10 + servers 3 + return 1          = 14
//   v0:                 5 + t0 2 + servers 2 + return 1       = 10  <- best
//   v0 v1:              10 + t1 8 + server 1 + return 1       = 20
//   all:                5 + 5 + 20                            = 30
TEST(DagHandComputed, ChainCutAfterFirstLayer) {
  HandCase c{"chain", {}, {true, false, false}, 10};
  c.dag.vertices = {{5, 1}, {5, 1}, {20, 1}};
  c.dag.tensors = {graph_input({0}, 10), activation(0, {1}, 2), activation(1, {2}, 8), graph_output(2, 1)};
  expect_plan(c);
}

// A diamond: input -x-> v0 -f-> {v1, v2}; v1 -a-> v3; v2 -b-> v3; v3 -> output.
// (device, server): v0 (1, 1), v1 (1, 1), v2 (1, 1), v3 (6, 1); transfers x 100,
// f 4, a 3, b 3; return 0.5.
//   none on the device: x 100 + servers 4 + 0.5               = 104.5
//   v0:                 1 + f 4 (once, read by v1 and v2) + 3 + 0.5 = 8.5 <- best
//   v0 v1:              2 + f 4 + a 3 + 2 + 0.5               = 11.5 (v0 v2 the same)
//   v0 v1 v2:           3 + a 3 + b 3 + 1 + 0.5               = 10.5
//   all:                3 + 6                                 = 9
// Sending the fork tensor once (4) beats sending both branches (3 + 3). Were f
// paid per reader (8), "v0" would cost 12.5 and all-local (9) would win.
TEST(DagHandComputed, DiamondSendsForkTensorOnce) {
  HandCase c{"diamond", {}, {true, false, false, false}, 8.5};
  c.dag.vertices = {{1, 1}, {1, 1}, {1, 1}, {6, 1}};
  c.dag.tensors = {graph_input({0}, 100), activation(0, {1, 2}, 4), activation(1, {3}, 3), activation(2, {3}, 3),
                   graph_output(3, 0.5)};
  expect_plan(c);
}

// input -x-> v0 -t0-> v1 -> output, every transfer 50, (device, server) (1, 0.5)
// each, return 0.
//   none: 50 + 1 = 51;  v0: 1 + 50 + 0.5 = 51.5;  all: 1 + 1 = 2 <- best
TEST(DagHandComputed, AllLocalWinsOnASlowLink) {
  HandCase c{"all local", {}, {true, true}, 2};
  c.dag.vertices = {{1, 0.5}, {1, 0.5}};
  c.dag.tensors = {graph_input({0}, 50), activation(0, {1}, 50), graph_output(1, 0)};
  expect_plan(c);
}

// input -x-> v0 -t0-> v1 -t1-> v2 -> output; (device, server) (10, 1) each;
// transfers x 1, t0 5, t1 5; return 1.
//   none: 1 + 3 + 1 = 5 <- best;  v0: 10 + 5 + 2 + 1 = 18;  v0 v1: 20 + 5 + 1 + 1 = 27;
//   all: 30
TEST(DagHandComputed, AllRemoteWinsOnASlowDevice) {
  HandCase c{"all remote", {}, {false, false, false}, 5};
  c.dag.vertices = {{10, 1}, {10, 1}, {10, 1}};
  c.dag.tensors = {graph_input({0}, 1), activation(0, {1}, 5), activation(1, {2}, 5), graph_output(2, 1)};
  expect_plan(c);
}

// input -x-> v0 -t-> {v1, v2}; v1 and v2 each make a graph output (return 0).
// (device, server): v0 (1, 1), v1 (10, 1), v2 (10, 1); transfers x 100, t 5.
//   v0 on the device, v1 and v2 on the server: 1 + t 5 (once) + 1 + 1 = 8 <- best
//   (paid twice it would be 13); v0 v1: 11 + 5 + 1 = 17; all: 21; none: 103.
TEST(DagHandComputed, TensorReadByTwoServerLayersIsPaidOnce) {
  HandCase c{"two server readers", {}, {true, false, false}, 8};
  c.dag.vertices = {{1, 1}, {10, 1}, {10, 1}};
  c.dag.tensors = {graph_input({0}, 100), activation(0, {1, 2}, 5), graph_output(1, 0), graph_output(2, 0)};
  expect_plan(c);
}

// input -x-> v0 -t0-> v1 -> output; v0 (device 10, server 1), v1 (device 1,
// server 10); every transfer and the return 0. The cheapest split, v0 on the
// server and v1 on the device (1 + 1 = 2), is not admissible: the device would
// wait for the server. Admissible: none 1 + 10 = 11, v0 10 + 10 = 20, all
// 10 + 1 = 11. A tie at 11: the planner keeps the layers on the device.
TEST(DagHandComputed, AdmissibilityForbidsServerToDevice) {
  HandCase c{"admissibility", {}, {true, true}, 11};
  c.dag.vertices = {{10, 1}, {1, 10}};
  c.dag.tensors = {graph_input({0}, 0), activation(0, {1}, 0), graph_output(1, 0)};
  expect_plan(c);
  EXPECT_FALSE(is_admissible(c.dag, {false, true}));
}

// input -x-> v0 -t0-> v1 -> output; (device, server) (5, 1) each; x and t0 free
// (transfer 0); the output's return 30.
//   none: 2 + 30 = 32;  v0: 5 + 1 + 30 = 36;  all: 10 <- best
TEST(DagHandComputed, ReturnCostKeepsTheLastLayerLocal) {
  HandCase c{"return", {}, {true, true}, 10};
  c.dag.vertices = {{5, 1}, {5, 1}};
  c.dag.tensors = {graph_input({0}, 0), activation(0, {1}, 0), graph_output(1, 30)};
  expect_plan(c);
}

// Two graph outputs: v0 -> output a (return 4) and -t-> v1 -> output b
// (return 0.5). input -x-> v0. (device, server): v0 (3, 1), v1 (6, 1);
// transfers x 2, t 1.
//   none: x 2 + 2 + returns 4.5 = 8.5;  v0: 3 + t 1 + 1 + 0.5 = 5.5 <- best;  all: 9
TEST(DagHandComputed, EachGraphOutputReturns) {
  HandCase c{"two outputs", {}, {true, false}, 5.5};
  c.dag.vertices = {{3, 1}, {6, 1}};
  c.dag.tensors = {graph_input({0}, 2), graph_output(0, 4), activation(0, {1}, 1), graph_output(1, 0.5)};
  expect_plan(c);
}

// A graph input read by two layers: input -x-> {v0, v1}, v0 -a-> v2, v1 -b-> v2.
// (device, server): v0 (1, 1), v1 (9, 1), v2 (9, 1); transfers x 3, a 1, b 7;
// return 0.
//   none: x 3 + 3 = 6;  v0: 1 + x 3 (v1 reads it on the server) + a 1 + 2 = 7;
//   v1: 9 + x 3 + b 7 + 2 = 21;  v0 v1: 10 + 8 + 1 = 19;  all: 19.  Best: none, 6.
TEST(DagHandComputed, GraphInputReadTwiceIsSentOnce) {
  HandCase c{"shared input", {}, {false, false, false}, 6};
  c.dag.vertices = {{1, 1}, {9, 1}, {9, 1}};
  c.dag.tensors = {graph_input({0, 1}, 3), activation(0, {2}, 1), activation(1, {2}, 7), graph_output(2, 0)};
  expect_plan(c);
  EXPECT_DOUBLE_EQ(placement_cost(c.dag, {true, false, false}), 7);
}

TEST(DagHandComputed, EmptyDag) {
  const DagPlacement p = dag_min_cut(LayerDag{});
  EXPECT_TRUE(p.on_device.empty());
  EXPECT_EQ(p.cost, 0);
}

// Everything free: every admissible placement costs 0; ties keep all on the device.
TEST(DagHandComputed, AllZeroCostsKeepEverythingLocal) {
  HandCase c{"zeros", {}, {true, true, true}, 0};
  c.dag.vertices = {{0, 0}, {0, 0}, {0, 0}};
  c.dag.tensors = {graph_input({0, 1}, 0), activation(0, {2}, 0), activation(1, {2}, 0), graph_output(2, 0)};
  expect_plan(c);
}

}  // namespace
}  // namespace splitpoint
