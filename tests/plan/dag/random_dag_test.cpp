// dag_min_cut against brute force on 600 random small DAGs (at most 14
// vertices) with random costs, many zeros and ties: the min-cut placement is
// admissible and costs what the best of all 2^n placements costs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "plan/dag_brute_force.h"
#include "plan/dag_min_cut.h"

namespace splitpoint {
namespace {

constexpr int kDags = 600;
constexpr int kMaxVertices = 14;

// Costs either small integers (many exact ties) or reals, each zero with
// probability 1/4.
class CostDraw {
 public:
  CostDraw(std::mt19937_64& random, bool integers) : random_(random), integers_(integers) {}
  double operator()() {
    if (std::uniform_int_distribution<int>(0, 3)(random_) == 0) return 0;
    if (integers_) return std::uniform_int_distribution<int>(1, 5)(random_);
    return std::uniform_real_distribution<double>(0, 10)(random_);
  }

 private:
  std::mt19937_64& random_;
  bool integers_;
};

// A random DAG: vertices made in a random topological order (then renumbered
// at random), each making one or two tensors that 0-3 later vertices read;
// one or two graph inputs; each tensor a graph output with probability 1/4,
// and always when nothing reads it.
LayerDag random_dag(std::mt19937_64& random, bool integer_costs) {
  auto integer = [&](int low, int high) { return std::uniform_int_distribution<int>(low, high)(random); };
  CostDraw cost(random, integer_costs);
  const int n = integer(1, kMaxVertices);
  std::vector<int> label(static_cast<size_t>(n));  // topological position -> vertex index
  std::iota(label.begin(), label.end(), 0);
  std::shuffle(label.begin(), label.end(), random);

  LayerDag dag;
  dag.vertices.resize(static_cast<size_t>(n));
  for (DagVertex& v : dag.vertices) v = {cost(), cost()};
  auto readers_after = [&](int position) {  // distinct vertices later in the order
    std::vector<int> later;
    for (int p = position + 1; p < n; ++p) later.push_back(label[static_cast<size_t>(p)]);
    std::shuffle(later.begin(), later.end(), random);
    later.resize(std::min<size_t>(later.size(), static_cast<size_t>(integer(0, 3))));
    return later;
  };
  const int inputs = integer(1, 2);
  for (int i = 0; i < inputs; ++i) {
    DagTensor t;
    t.consumers = readers_after(-1);
    if (t.consumers.empty()) t.consumers = {label[0]};
    t.transfer_cost = cost();
    dag.tensors.push_back(t);
  }
  for (int position = 0; position < n; ++position) {
    const int made = integer(1, 2);
    for (int k = 0; k < made; ++k) {
      DagTensor t;
      t.producer = label[static_cast<size_t>(position)];
      t.consumers = readers_after(position);
      t.transfer_cost = cost();
      t.graph_output = t.consumers.empty() || integer(0, 3) == 0;
      t.return_cost = t.graph_output ? cost() : 0;
      dag.tensors.push_back(t);
    }
  }
  std::shuffle(dag.tensors.begin(), dag.tensors.end(), random);
  return dag;
}

std::vector<bool> placement_of_mask(uint32_t mask, size_t n) {
  std::vector<bool> on_device(n);
  for (size_t v = 0; v < n; ++v) on_device[v] = (mask >> v) & 1u;
  return on_device;
}

TEST(DagRandom, MinCutCostEqualsBruteForce) {
  std::mt19937_64 random(20190429);
  int non_trivial = 0;  // neither all on the device nor all on the server
  for (int i = 0; i < kDags; ++i) {
    const LayerDag dag = random_dag(random, i % 2 == 0);
    SCOPED_TRACE("DAG " + std::to_string(i) + " with " + std::to_string(dag.vertices.size()) + " vertices");
    const DagPlacement cut = dag_min_cut(dag);
    ASSERT_EQ(cut.on_device.size(), dag.vertices.size());
    ASSERT_TRUE(is_admissible(dag, cut.on_device));
    EXPECT_NEAR(placement_cost(dag, cut.on_device), cut.cost, 1e-9);
    const DagPlacement brute = dag_brute_force(dag);
    ASSERT_NEAR(cut.cost, brute.cost, 1e-9);
    const auto on_device = std::count(cut.on_device.begin(), cut.on_device.end(), true);
    if (on_device > 0 && on_device < static_cast<long>(cut.on_device.size())) ++non_trivial;
  }
  // The random costs do exercise real splits, not only the two extremes.
  EXPECT_GT(non_trivial, kDags / 10);
}

// With integer costs the sums are exact, so the tie rule can be checked
// exactly: the min-cut's device set contains the device set of every
// optimal placement (enumerated here).
TEST(DagRandom, TiesKeepTheMostLayersOnTheDevice) {
  std::mt19937_64 random(7);
  int ties = 0;
  for (int i = 0; i < kDags / 2; ++i) {
    const LayerDag dag = random_dag(random, true);
    SCOPED_TRACE("DAG " + std::to_string(i));
    const DagPlacement cut = dag_min_cut(dag);
    const size_t n = dag.vertices.size();
    int optimal = 0;
    for (uint32_t mask = 0; mask < (uint32_t{1} << n); ++mask) {
      const std::vector<bool> on_device = placement_of_mask(mask, n);
      if (!is_admissible(dag, on_device) || placement_cost(dag, on_device) != cut.cost) continue;
      ++optimal;
      for (size_t v = 0; v < n; ++v) {
        if (!on_device[v]) continue;
        EXPECT_TRUE(cut.on_device[v]) << "vertex " << v << " of an optimal placement";
      }
    }
    EXPECT_GE(optimal, 1);
    if (optimal > 1) ++ties;
  }
  EXPECT_GE(ties, 15);  // integer costs do tie (25 of the 300 with this seed)
}

}  // namespace
}  // namespace splitpoint
