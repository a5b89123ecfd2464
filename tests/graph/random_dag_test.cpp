// Property tests on random DAGs: topological order, cuts and segments hold
// their invariants on graphs nobody drew by hand. Every expected set is
// computed here by brute force from the graph's edges.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "graph/builder.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"

namespace splitpoint {
namespace {

// A random DAG over tensors of one shape: each node is a 1x1 convolution of
// one earlier tensor, an Add of two, a ReLU (an epilogue) or a Reshape to the
// same shape, so every combination is valid. Some nodes become extra outputs.
Graph random_dag(std::mt19937& rng, int nodes) {
  GraphBuilder b("random", nullptr);
  std::vector<TensorId> pool{b.input("x", Shape{1, 2, 2, 3})};
  auto pick = [&] { return pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(rng)]; };
  std::vector<TensorId> outputs;
  for (int i = 0; i < nodes; ++i) {
    std::string name = std::to_string(i);
    name.insert(0, 1, 'n');
    TensorId t;
    switch (std::uniform_int_distribution<int>(0, 5)(rng)) {
      case 0:
      case 1: t = b.conv2d(name, pick(), 3, 1, ConvOptions{}); break;
      case 2:
      case 3: t = b.add(name, pick(), pick()); break;
      case 4: t = b.relu(name, pick()); break;
      default: t = b.op(name, Reshape{{1, 2, 2, 3}}, {pick()}); break;
    }
    pool.push_back(t);
    if (std::uniform_int_distribution<int>(0, 9)(rng) == 0) outputs.push_back(t);
  }
  outputs.push_back(pool.back());
  return b.finish(outputs);
}

// Brute force: tensors computed or given before the cut and needed after it.
std::set<TensorId> live_by_brute_force(const Graph& g, const std::vector<bool>& head) {
  std::set<TensorId> live;
  for (size_t t = 0; t < g.tensors().size(); ++t) {
    const auto id = static_cast<TensorId>(t);
    if (g.tensor(id).constant) continue;
    const auto producer = g.producer(id);
    const bool is_input = std::count(g.inputs().begin(), g.inputs().end(), id) > 0;
    const bool before = producer ? head[static_cast<size_t>(*producer)] : is_input;
    if (!before) continue;
    bool needed = std::count(g.outputs().begin(), g.outputs().end(), id) > 0;
    for (size_t n = 0; n < g.nodes().size() && !needed; ++n)
      if (!head[n] && std::count(g.nodes()[n].inputs.begin(), g.nodes()[n].inputs.end(), id) > 0) needed = true;
    if (needed) live.insert(id);
  }
  return live;
}

bool closed_under_producers(const Graph& g, const std::vector<bool>& head) {
  for (size_t n = 0; n < g.nodes().size(); ++n) {
    if (!head[n]) continue;
    for (TensorId in : g.nodes()[n].inputs) {
      auto p = g.producer(in);
      if (p && !head[static_cast<size_t>(*p)]) return false;
    }
  }
  return true;
}

TEST(RandomDag, TopologicalOrderIsAPermutationRespectingEdges) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    Graph g = random_dag(rng, 1 + trial % 40);
    auto order = g.topological_order();
    std::vector<int> position(g.nodes().size(), -1);
    for (size_t i = 0; i < order.size(); ++i) position[static_cast<size_t>(order[i])] = static_cast<int>(i);
    ASSERT_EQ(order.size(), g.nodes().size());
    for (size_t n = 0; n < g.nodes().size(); ++n) {
      ASSERT_GE(position[n], 0);
      for (TensorId in : g.nodes()[n].inputs)
        if (auto p = g.producer(in)) {
          EXPECT_LT(position[static_cast<size_t>(*p)], position[n]);
        }
    }
  }
}

TEST(RandomDag, LayerCutsMatchBruteForceAndSegmentsChain) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 150; ++trial) {
    Graph g = random_dag(rng, 1 + trial % 30);
    const auto layers = group_layers(g);
    // Layers partition the nodes.
    std::multiset<NodeId> seen;
    for (const Layer& l : layers) seen.insert(l.nodes.begin(), l.nodes.end());
    ASSERT_EQ(seen.size(), g.nodes().size());
    ASSERT_EQ(std::set<NodeId>(seen.begin(), seen.end()).size(), g.nodes().size());

    const auto cuts = enumerate_cuts(g, layers);
    ASSERT_EQ(cuts.size(), layers.size() + 1);
    for (const Cut& c : cuts) {
      ASSERT_TRUE(closed_under_producers(g, c.head.to_vector()));
      const auto expected = live_by_brute_force(g, c.head.to_vector());
      EXPECT_EQ(std::set<TensorId>(c.tensors.begin(), c.tensors.end()), expected) << "trial " << trial;
      if (&c != &cuts.back() && &c != &cuts.front())
        EXPECT_TRUE(std::is_sorted(c.tensors.begin(), c.tensors.end()));
    }
    // The last cut: the graph's outputs in its order (each once).
    std::vector<TensorId> outputs;
    for (TensorId t : g.outputs())
      if (std::find(outputs.begin(), outputs.end(), t) == outputs.end()) outputs.push_back(t);
    EXPECT_EQ(cuts.back().tensors, outputs) << "trial " << trial;
    EXPECT_EQ(cuts.back().tensors.size(), std::set<TensorId>(g.outputs().begin(), g.outputs().end()).size());

    // Three segments 0->i->j->L: each node exactly once, and each segment's
    // inputs are the previous one's outputs, by name.
    std::uniform_int_distribution<size_t> any(0, cuts.size() - 1);
    size_t i = any(rng), j = any(rng);
    if (i > j) std::swap(i, j);
    const Graph parts[] = {extract_segment(g, cuts[0], cuts[i]), extract_segment(g, cuts[i], cuts[j]),
                           extract_segment(g, cuts[j], cuts.back())};
    std::multiset<std::string> names;
    for (const Graph& p : parts) {
      p.validate();
      for (const Node& n : p.nodes()) names.insert(n.name);
    }
    ASSERT_EQ(names.size(), g.nodes().size());
    ASSERT_EQ(std::set<std::string>(names.begin(), names.end()).size(), g.nodes().size());
    for (int k = 0; k < 2; ++k) {
      std::vector<std::string> out, in;
      for (TensorId t : parts[k].outputs()) out.push_back(parts[k].tensor(t).name);
      for (TensorId t : parts[k + 1].inputs()) in.push_back(parts[k + 1].tensor(t).name);
      std::sort(out.begin(), out.end());
      std::sort(in.begin(), in.end());
      EXPECT_EQ(out, in) << "trial " << trial << " boundary " << k;
    }
  }
}

TEST(RandomDag, ArbitraryHeadsAcceptedIffClosed) {
  std::mt19937 rng(13);
  int accepted = 0, rejected = 0;
  for (int trial = 0; trial < 300; ++trial) {
    Graph g = random_dag(rng, 2 + trial % 20);
    std::vector<bool> head(g.nodes().size());
    for (size_t n = 0; n < head.size(); ++n) head[n] = std::bernoulli_distribution(0.5)(rng);
    if (closed_under_producers(g, head)) {
      ++accepted;
      Cut c = cut_from_head(g, head);
      const auto expected = live_by_brute_force(g, head);
      EXPECT_EQ(std::set<TensorId>(c.tensors.begin(), c.tensors.end()), expected);
    } else {
      ++rejected;
      EXPECT_THROW(cut_from_head(g, head), Error);
    }
  }
  // Both branches were exercised.
  EXPECT_GT(accepted, 10);
  EXPECT_GT(rejected, 10);
}

}  // namespace
}  // namespace splitpoint
