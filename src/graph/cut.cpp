#include "graph/cut.h"

#include <algorithm>
#include <charconv>

#include "core/error.h"

namespace splitpoint {

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
  std::vector<bool> live(graph.tensors().size(), false);
  auto available_in_head = [&](TensorId t) {
    if (graph.tensor(t).constant) return false;
    auto p = graph.producer(t);
    if (p) return static_cast<bool>(cut.head[static_cast<size_t>(*p)]);
    const auto& ins = graph.inputs();
    return std::find(ins.begin(), ins.end(), t) != ins.end();
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
  // Exactly the model's outputs (the last cut) or inputs (cut 0): in the
  // source file's order, which a server binding tensors by position relies on.
  for (const std::vector<TensorId>* file_order : {&graph.outputs(), &graph.inputs()}) {
    std::vector<TensorId> ordered;
    for (TensorId t : *file_order)
      if (std::find(ordered.begin(), ordered.end(), t) == ordered.end()) ordered.push_back(t);
    std::vector<TensorId> sorted = ordered;
    std::sort(sorted.begin(), sorted.end());
    if (sorted == cut.tensors) {
      cut.tensors = std::move(ordered);
      break;
    }
  }
  return cut;
}

std::vector<Cut> enumerate_cuts(const Graph& graph, const std::vector<Layer>& layers) {
  std::vector<Cut> cuts;
  std::vector<bool> head(graph.nodes().size(), false);
  for (size_t k = 0; k <= layers.size(); ++k) {
    if (k > 0)
      for (NodeId id : layers[k - 1].nodes) head[static_cast<size_t>(id)] = true;
    Cut c = cut_from_head(graph, head);
    c.after_layer = static_cast<int>(k);
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
