// validate_dag, placement_cost and dag_brute_force refuse what they cannot
// handle, with an Error naming what is wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "common/error_message.h"
#include "core/error.h"
#include "plan/dag_brute_force.h"
#include "plan/dag_min_cut.h"

namespace splitpoint {
namespace {

using ::testing::HasSubstr;
using testing::error_message;

// input -> v0 -> v1 -> output, all costs 1.
LayerDag small_chain() {
  LayerDag dag;
  dag.vertices = {{1, 1}, {1, 1}};
  DagTensor input;
  input.consumers = {0};
  input.transfer_cost = 1;
  DagTensor middle;
  middle.producer = 0;
  middle.consumers = {1};
  middle.transfer_cost = 1;
  DagTensor output;
  output.producer = 1;
  output.graph_output = true;
  output.return_cost = 1;
  dag.tensors = {input, middle, output};
  return dag;
}

TEST(ValidateDag, AcceptsAValidDag) { EXPECT_NO_THROW(validate_dag(small_chain())); }

TEST(ValidateDag, ProducerOutOfRange) {
  LayerDag dag = small_chain();
  dag.tensors[1].producer = 2;
  EXPECT_THAT(error_message([&] { validate_dag(dag); }), HasSubstr("tensor 1: producer 2 out of range"));
  dag.tensors[1].producer = -2;
  EXPECT_THAT(error_message([&] { validate_dag(dag); }), HasSubstr("tensor 1: producer -2 out of range"));
}

TEST(ValidateDag, ConsumerOutOfRange) {
  LayerDag dag = small_chain();
  dag.tensors[0].consumers = {0, 5};
  EXPECT_THAT(error_message([&] { validate_dag(dag); }),
              HasSubstr("tensor 0 (a graph input): consumer 5 out of range (0..1)"));
}

TEST(ValidateDag, VertexReadingItsOwnOutput) {
  LayerDag dag = small_chain();
  dag.tensors[1].consumers = {1, 0};
  EXPECT_THAT(error_message([&] { validate_dag(dag); }),
              HasSubstr("tensor 1 (made by vertex 0): vertex 0 reads its own output"));
}

TEST(ValidateDag, NegativeOrNonFiniteCosts) {
  LayerDag dag = small_chain();
  dag.vertices[1].server_cost = -0.5;
  EXPECT_THAT(error_message([&] { validate_dag(dag); }), HasSubstr("vertex 1: server cost is -0.5"));
  dag = small_chain();
  dag.vertices[0].device_cost = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(error_message([&] { validate_dag(dag); }), HasSubstr("vertex 0: device cost is nan"));
  dag = small_chain();
  dag.tensors[1].transfer_cost = std::numeric_limits<double>::infinity();
  EXPECT_THAT(error_message([&] { validate_dag(dag); }),
              HasSubstr("tensor 1 (made by vertex 0): transfer cost is inf"));
  dag = small_chain();
  dag.tensors[2].return_cost = -1;
  EXPECT_THAT(error_message([&] { validate_dag(dag); }), HasSubstr("tensor 2 (made by vertex 1): return cost is -1"));
}

TEST(ValidateDag, CostsWhoseTotalOverflows) {
  LayerDag dag = small_chain();
  dag.vertices[0].device_cost = 1e308;
  dag.vertices[1].device_cost = 1e308;
  EXPECT_THAT(error_message([&] { validate_dag(dag); }), HasSubstr("the costs add up to inf, too large to plan with"));
  dag.vertices[1].device_cost = 1e307;
  EXPECT_THAT(error_message([&] { validate_dag(dag); }), HasSubstr("the costs add up to 1.1e+308, too large"));
}

TEST(ValidateDag, Cycle) {
  // v0 -> v1 -> v2 -> v1, and v2 -> v3.
  LayerDag dag;
  dag.vertices.resize(4);
  dag.tensors.resize(4);
  dag.tensors[0].producer = 0;
  dag.tensors[0].consumers = {1};
  dag.tensors[1].producer = 1;
  dag.tensors[1].consumers = {2};
  dag.tensors[2].producer = 2;
  dag.tensors[2].consumers = {1, 3};
  dag.tensors[3].producer = 3;
  dag.tensors[3].graph_output = true;
  const std::string message = error_message([&] { validate_dag(dag); });
  EXPECT_THAT(message, ::testing::AnyOf(HasSubstr("cycle: 1 -> 2 -> 1"), HasSubstr("cycle: 2 -> 1 -> 2")));
  EXPECT_THAT(error_message([&] { dag_min_cut(dag); }), HasSubstr("cycle"));
}

TEST(PlacementCost, WrongSize) {
  EXPECT_THAT(error_message([&] { placement_cost(small_chain(), {true}); }),
              HasSubstr("placement has 1 entries, the layer DAG has 2 vertices"));
  EXPECT_THAT(error_message([&] { is_admissible(small_chain(), {true, true, false}); }),
              HasSubstr("placement has 3 entries"));
}

TEST(PlacementCost, InadmissiblePlacementNamesVertexAndTensor) {
  EXPECT_THAT(error_message([&] { placement_cost(small_chain(), {false, true}); }),
              HasSubstr("vertex 1 on the device reads tensor 1 (made by vertex 0), made on the server"));
}

TEST(PlacementCost, ValidatesTheDag) {
  LayerDag dag = small_chain();
  dag.tensors[0].consumers = {7};
  EXPECT_THAT(error_message([&] { placement_cost(dag, {true, true}); }), HasSubstr("consumer 7 out of range"));
}

TEST(DagBruteForce, RefusesMoreThan24Vertices) {
  LayerDag dag;
  dag.vertices.resize(25);
  EXPECT_THAT(error_message([&] { dag_brute_force(dag); }),
              HasSubstr("the layer DAG has 25 vertices, at most 24 can be enumerated"));
}

TEST(DagMinCut, RefusesAnInvalidDag) {
  LayerDag dag = small_chain();
  dag.vertices[0].server_cost = -1;
  EXPECT_THAT(error_message([&] { dag_min_cut(dag); }), HasSubstr("vertex 0: server cost is -1"));
}

}  // namespace
}  // namespace splitpoint
