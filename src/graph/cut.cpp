#include "graph/cut.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>

#include "core/error.h"

namespace splitpoint {

namespace {

// Exactly the model's outputs (the last cut) or inputs (cut 0): in the source
// file's order, which a server binding tensors by position relies on; other cuts by tensor id.
// Made once per graph (made per cut, with a search per tensor, it was cuts x outputs^2).
class FileOrder {
 public:
  explicit FileOrder(const Graph& graph) {
    std::vector<bool> seen(graph.tensors().size());
    for (const std::vector<TensorId>* file_order : {&graph.outputs(), &graph.inputs()}) {
      std::fill(seen.begin(), seen.end(), false);
      std::vector<TensorId> ordered;
      for (TensorId t : *file_order)
        if (!seen[static_cast<size_t>(t)]) seen[static_cast<size_t>(t)] = true, ordered.push_back(t);
      std::vector<TensorId> sorted = ordered;
      std::sort(sorted.begin(), sorted.end());
      orders_.push_back({std::move(sorted), std::move(ordered)});
    }
  }

  void apply(Cut& cut) const {
    for (const auto& [sorted, ordered] : orders_) {
      if (sorted == cut.tensors) {
        cut.tensors = ordered;
        return;
      }
    }
  }

 private:
  std::vector<std::pair<std::vector<TensorId>, std::vector<TensorId>>> orders_;  // (ascending, file order)
};

}  // namespace

CutHead::CutHead(std::vector<bool> nodes) : nodes_(std::move(nodes)) {}

std::vector<bool> CutHead::to_vector() const {
  if (!layer_of_) return nodes_;
  std::vector<bool> v(size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = (*this)[i];
  return v;
}

Cut cut_from_head(const Graph& graph, std::vector<bool> head) {
  const size_t n = graph.nodes().size();
  if (head.size() != n) {
    throw Error("cut: head has " + std::to_string(head.size()) + " entries, graph has " + std::to_string(n) +
                " nodes");
  }
  for (size_t i = 0; i < n; ++i) {
    if (!head[i]) continue;
    for (TensorId in : graph.nodes()[i].inputs) {
      auto p = graph.producer(in);
      if (p && !head[static_cast<size_t>(*p)]) {
        throw Error("cut: node '" + graph.nodes()[i].name + "' is before the cut but its input '" +
                    graph.tensor(in).name + "' is produced after it by node '" + graph.node(*p).name + "'");
      }
    }
  }
  Cut cut;
  cut.head = std::move(head);
  std::vector<bool> live(graph.tensors().size(), false), is_input(graph.tensors().size(), false);
  for (TensorId t : graph.inputs()) is_input[static_cast<size_t>(t)] = true;
  auto available_in_head = [&](TensorId t) {
    if (graph.tensor(t).constant) return false;
    auto p = graph.producer(t);
    if (p) return static_cast<bool>(cut.head[static_cast<size_t>(*p)]);
    return static_cast<bool>(is_input[static_cast<size_t>(t)]);
  };
  for (size_t i = 0; i < n; ++i) {
    if (cut.head[i]) continue;
    for (TensorId in : graph.nodes()[i].inputs)
      if (available_in_head(in)) live[static_cast<size_t>(in)] = true;
  }
  for (TensorId out : graph.outputs())
    if (available_in_head(out)) live[static_cast<size_t>(out)] = true;
  for (size_t t = 0; t < live.size(); ++t)
    if (live[t]) cut.tensors.push_back(static_cast<TensorId>(t));
  FileOrder(graph).apply(cut);
  return cut;
}

std::vector<Cut> enumerate_cuts(const Graph& graph, const std::vector<Layer>& layers) {
  // Tensor t is live across cut k when it is available by then (a graph input: 0; else its producer's layer
  // <= k) and still needed after (a reader's layer > k, or t is a graph output): an interval of k per tensor,
  // swept once. (cut_from_head for every k looked at every node for every cut: 100k layers took minutes.)
  const size_t n = graph.nodes().size(), tensor_count = graph.tensors().size();
  const int last = static_cast<int>(layers.size());
  auto layer_of_shared = std::make_shared<std::vector<int>>(n, -1);
  std::vector<int>& layer_of = *layer_of_shared;
  for (size_t l = 0; l < layers.size(); ++l)
    for (NodeId id : layers[l].nodes) layer_of[static_cast<size_t>(id)] = static_cast<int>(l) + 1;
  const bool every_node_in_a_layer = std::find(layer_of.begin(), layer_of.end(), -1) == layer_of.end();
  if (!every_node_in_a_layer) {  // not layers of group_layers: each cut from its head
    std::vector<Cut> cuts;
    std::vector<bool> head(n, false);
    for (int k = 0; k <= last; ++k) {
      if (k > 0)
        for (NodeId id : layers[static_cast<size_t>(k - 1)].nodes) head[static_cast<size_t>(id)] = true;
      Cut c = cut_from_head(graph, head);
      c.after_layer = k;
      cuts.push_back(std::move(c));
    }
    return cuts;
  }
  constexpr int kNever = std::numeric_limits<int>::max();
  std::vector<int> available(tensor_count, kNever), needed_until(tensor_count, 0);
  for (TensorId t : graph.inputs())
    if (!graph.tensor(t).constant) available[static_cast<size_t>(t)] = 0;
  for (size_t i = 0; i < n; ++i) available[static_cast<size_t>(graph.nodes()[i].output)] = layer_of[i];
  for (size_t i = 0; i < n; ++i) {
    const Node& node = graph.nodes()[i];
    for (TensorId in : node.inputs) {
      const auto p = graph.producer(in);
      if (p && layer_of[static_cast<size_t>(*p)] > layer_of[i])  // the check cut_from_head makes
        throw Error("cut: node '" + node.name + "' is before the cut but its input '" + graph.tensor(in).name +
                    "' is produced after it by node '" + graph.node(*p).name + "'");
      needed_until[static_cast<size_t>(in)] = std::max(needed_until[static_cast<size_t>(in)], layer_of[i]);
    }
  }
  for (TensorId t : graph.outputs()) needed_until[static_cast<size_t>(t)] = last + 1;
  std::vector<std::vector<TensorId>> starting(static_cast<size_t>(last) + 1), ending(static_cast<size_t>(last) + 2);
  for (size_t t = 0; t < tensor_count; ++t) {
    if (graph.tensors()[t].constant || available[t] == kNever || needed_until[t] <= available[t]) continue;
    starting[static_cast<size_t>(available[t])].push_back(static_cast<TensorId>(t));
    ending[static_cast<size_t>(needed_until[t])].push_back(static_cast<TensorId>(t));
  }
  std::vector<Cut> cuts;
  cuts.reserve(static_cast<size_t>(last) + 1);
  const FileOrder file_order(graph);
  const std::shared_ptr<const std::vector<int>> heads = std::move(layer_of_shared);
  std::set<TensorId> live;
  for (int k = 0; k <= last; ++k) {
    for (TensorId t : ending[static_cast<size_t>(k)]) live.erase(t);
    for (TensorId t : starting[static_cast<size_t>(k)]) live.insert(t);
    Cut c;
    c.after_layer = k;
    c.head = CutHead(heads, k);
    c.tensors.assign(live.begin(), live.end());
    file_order.apply(c);
    cuts.push_back(std::move(c));
  }
  return cuts;
}

int64_t cut_bytes(const Graph& graph, const Cut& cut, DType dtype) {
  int64_t bytes = 0;
  for (TensorId t : cut.tensors) bytes += graph.tensor(t).shape.elements() * static_cast<int64_t>(dtype_size(dtype));
  return bytes;
}

int resolve_cut(const Graph& graph, const std::vector<Layer>& layers, const std::string& spec) {
  const int last = static_cast<int>(layers.size());
  if (spec == "input") return 0;
  if (spec == "output") return last;
  int value = 0;
  auto [ptr, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), value);
  if (ec == std::errc() && ptr == spec.data() + spec.size()) {
    if (value < 0 || value > last) {
      throw Error("cut " + spec + " out of range: model '" + graph.name + "' has cuts 0 (input) to " +
                  std::to_string(last) + " (output)");
    }
    return value;
  }
  for (const Layer& l : layers)
    if (graph.node(l.main).name == spec) return l.index;
  throw Error("cut '" + spec + "' is neither a number 0.." + std::to_string(last) +
              ", 'input', 'output', nor a layer name of model '" + graph.name +
              "' (see `splitpoint inspect " + graph.name + "`)");
}

}  // namespace splitpoint
