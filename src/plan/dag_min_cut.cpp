#include "plan/dag_min_cut.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <boost/graph/boykov_kolmogorov_max_flow.hpp>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/range/iterator_range.hpp>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/error.h"

namespace splitpoint {

namespace {

std::string tensor_label(const LayerDag& dag, size_t index) {
  const int producer = dag.tensors[index].producer;
  if (producer < 0) return fmt::format("tensor {} (a graph input)", index);
  return fmt::format("tensor {} (made by vertex {})", index, producer);
}

bool is_cost(double value) { return std::isfinite(value) && value >= 0; }

[[noreturn]] void throw_bad_cost(double value, const std::string& what) {
  throw Error(fmt::format("layer DAG: {} is {}, expected a finite cost >= 0", what, value));
}

// Kahn's algorithm on the vertices (an edge from each tensor's producer to each
// of its consumers); on a cycle, names its vertices in order.
void check_acyclic(const LayerDag& dag) {
  const size_t n = dag.vertices.size();
  std::vector<std::vector<int>> successors(n);
  std::vector<std::vector<int>> predecessors(n);
  std::vector<int> in_degree(n, 0);
  for (const DagTensor& t : dag.tensors) {
    if (t.producer < 0) continue;
    for (int c : t.consumers) {
      successors[static_cast<size_t>(t.producer)].push_back(c);
      predecessors[static_cast<size_t>(c)].push_back(t.producer);
      ++in_degree[static_cast<size_t>(c)];
    }
  }
  std::vector<int> ready;
  for (size_t v = 0; v < n; ++v)
    if (in_degree[v] == 0) ready.push_back(static_cast<int>(v));
  size_t removed = 0;
  while (!ready.empty()) {
    const int v = ready.back();
    ready.pop_back();
    ++removed;
    for (int s : successors[static_cast<size_t>(v)])
      if (--in_degree[static_cast<size_t>(s)] == 0) ready.push_back(s);
  }
  if (removed == n) return;
  // Every vertex left has a predecessor left: walking back from one must
  // revisit a vertex, and the walk from there is a cycle.
  int v = 0;
  while (in_degree[static_cast<size_t>(v)] == 0) ++v;
  std::vector<int> position(n, -1);
  std::vector<int> walk;
  while (position[static_cast<size_t>(v)] < 0) {
    position[static_cast<size_t>(v)] = static_cast<int>(walk.size());
    walk.push_back(v);
    for (int p : predecessors[static_cast<size_t>(v)]) {
      if (in_degree[static_cast<size_t>(p)] > 0) {
        v = p;
        break;
      }
    }
  }
  std::vector<int> cycle(walk.begin() + position[static_cast<size_t>(v)], walk.end());
  std::reverse(cycle.begin(), cycle.end());  // the walk went against the edges
  throw Error(fmt::format("layer DAG: the vertices form a cycle: {} -> {}", fmt::join(cycle, " -> "), cycle.front()));
}

void check_size(const LayerDag& dag, const std::vector<bool>& on_device) {
  if (on_device.size() != dag.vertices.size()) {
    throw Error(fmt::format("placement has {} entries, the layer DAG has {} vertices", on_device.size(),
                            dag.vertices.size()));
  }
}

struct InadmissibleRead {
  int vertex = -1;   // on the device
  size_t tensor = 0;  // made on the server
};

std::optional<InadmissibleRead> find_inadmissible_read(const LayerDag& dag, const std::vector<bool>& on_device) {
  for (size_t i = 0; i < dag.tensors.size(); ++i) {
    const DagTensor& t = dag.tensors[i];
    if (t.producer < 0 || on_device[static_cast<size_t>(t.producer)]) continue;
    for (int c : t.consumers)
      if (on_device[static_cast<size_t>(c)]) return InadmissibleRead{c, i};
  }
  return std::nullopt;
}

// The sum of layer_dag.h, for a valid DAG and an admissible placement.
double sum_placement_cost(const LayerDag& dag, const std::vector<bool>& on_device) {
  double cost = 0;
  for (size_t v = 0; v < dag.vertices.size(); ++v)
    cost += on_device[v] ? dag.vertices[v].device_cost : dag.vertices[v].server_cost;
  for (const DagTensor& t : dag.tensors) {
    const bool made_on_device = t.producer < 0 || on_device[static_cast<size_t>(t.producer)];
    if (made_on_device) {
      const bool read_on_server = std::any_of(t.consumers.begin(), t.consumers.end(),
                                              [&](int c) { return !on_device[static_cast<size_t>(c)]; });
      if (read_on_server) cost += t.transfer_cost;
    } else if (t.graph_output) {
      cost += t.return_cost;
    }
  }
  return cost;
}

double total_cost(const LayerDag& dag) {
  double total = 0;
  for (const DagVertex& v : dag.vertices) total += v.device_cost + v.server_cost;
  for (const DagTensor& t : dag.tensors) total += t.transfer_cost + t.return_cost;
  return total;
}

// The flow network. Vertex 0 is the source (the device side), 1 the sink (the
// server side), 2 + v the DAG's vertex v, then one auxiliary vertex per tensor
// that more than one vertex reads. Every arc has a reverse arc of capacity 0,
// as Boykov-Kolmogorov wants. The arcs are collected first and the graph is
// built once, in compressed sparse row form, when solved.
class FlowNetwork {
 public:
  using Vertex = std::size_t;
  static constexpr Vertex kSource = 0;
  static constexpr Vertex kSink = 1;

  explicit FlowNetwork(size_t vertices) : vertices_(vertices) {}

  Vertex add_vertex() { return vertices_++; }

  void reserve_arcs(size_t arcs) {
    ends_.reserve(2 * arcs);
    capacity_.reserve(2 * arcs);
  }

  void add_arc(Vertex from, Vertex to, double capacity) {
    ends_.emplace_back(from, to);
    ends_.emplace_back(to, from);
    capacity_.push_back(capacity);
    capacity_.push_back(0);
  }

  // Runs the max-flow; returns its value. on_source_side(v) is then valid.
  double solve() {
    // An edge's bundled property is the index of its half-arc in ends_, the
    // half-arcs of one arc being 2a and 2a + 1; the graph numbers its edges in
    // its own order.
    std::vector<std::size_t> half_arcs(ends_.size());
    for (size_t i = 0; i < half_arcs.size(); ++i) half_arcs[i] = i;
    const Graph graph(boost::edges_are_unsorted_multi_pass, ends_.begin(), ends_.end(), half_arcs.begin(),
                      vertices_);
    const auto edge_index = boost::get(boost::edge_index, graph);
    auto index_of = [&](const Edge& e) { return get(edge_index, e); };  // found by ADL in boost::detail
    std::vector<Edge> edge_of_half_arc(ends_.size());
    for (const Edge& e : boost::make_iterator_range(boost::edges(graph))) edge_of_half_arc[graph[e]] = e;
    std::vector<double> capacity(ends_.size());
    std::vector<Edge> reverse(ends_.size());
    for (const Edge& e : boost::make_iterator_range(boost::edges(graph))) {
      const std::size_t half_arc = graph[e];
      capacity[index_of(e)] = capacity_[half_arc];
      reverse[index_of(e)] = edge_of_half_arc[half_arc ^ 1u];
    }
    std::vector<double> residual(ends_.size());
    const auto vertex_index = boost::get(boost::vertex_index, graph);
    const double flow = boost::boykov_kolmogorov_max_flow(
        graph, boost::make_iterator_property_map(capacity.begin(), edge_index),
        boost::make_iterator_property_map(residual.begin(), edge_index),
        boost::make_iterator_property_map(reverse.begin(), edge_index), vertex_index, kSource, kSink);

    // The vertices that can reach the sink in the residual network, found
    // backwards from the sink. (Boost's color map is not used: its first pass
    // over source -> v -> sink paths leaves a v whose two arcs had equal
    // capacities in the sink tree though both are saturated.) Residuals of
    // arcs into the source and out of the sink are not kept up to date by
    // that pass either; the search never needs them.
    reaches_sink_.assign(vertices_, false);
    reaches_sink_[kSink] = true;
    std::vector<Vertex> pending = {kSink};
    while (!pending.empty()) {
      const Vertex to = pending.back();
      pending.pop_back();
      for (const Edge& e : boost::make_iterator_range(boost::out_edges(to, graph))) {
        const Vertex from = boost::target(e, graph);
        const Edge into = reverse[index_of(e)];  // from -> to
        if (reaches_sink_[from] || residual[index_of(into)] <= 0) continue;
        if (from == kSource) throw std::logic_error("dag_min_cut: the max-flow left an augmenting path");
        reaches_sink_[from] = true;
        pending.push_back(from);
      }
    }
    return flow;
  }

  // After solve(): true unless v can reach the sink in the residual network.
  // These vertices are the largest source side of a minimum cut: every
  // minimum cut has all the vertices that reach the sink on its sink side.
  bool on_source_side(Vertex v) const { return !reaches_sink_[v]; }

 private:
  using Graph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, std::size_t>;
  using Edge = boost::graph_traits<Graph>::edge_descriptor;

  size_t vertices_;
  std::vector<std::pair<Vertex, Vertex>> ends_;  // per half-arc
  std::vector<double> capacity_;                 // per half-arc
  std::vector<bool> reaches_sink_;  // per vertex, after solve()
};

}  // namespace

void validate_dag(const LayerDag& dag) {
  const int n = static_cast<int>(dag.vertices.size());
  for (size_t v = 0; v < dag.vertices.size(); ++v) {
    const DagVertex& vertex = dag.vertices[v];
    if (!is_cost(vertex.device_cost)) throw_bad_cost(vertex.device_cost, fmt::format("vertex {}: device cost", v));
    if (!is_cost(vertex.server_cost)) throw_bad_cost(vertex.server_cost, fmt::format("vertex {}: server cost", v));
  }
  for (size_t i = 0; i < dag.tensors.size(); ++i) {
    const DagTensor& t = dag.tensors[i];
    if (t.producer < -1 || t.producer >= n) {
      throw Error(fmt::format("layer DAG: tensor {}: producer {} out of range (-1 for a graph input, or 0..{})", i,
                              t.producer, n - 1));
    }
    for (int c : t.consumers) {
      if (c < 0 || c >= n)
        throw Error(fmt::format("layer DAG: {}: consumer {} out of range (0..{})", tensor_label(dag, i), c, n - 1));
      if (c == t.producer)
        throw Error(fmt::format("layer DAG: {}: vertex {} reads its own output", tensor_label(dag, i), c));
    }
    if (!is_cost(t.transfer_cost)) throw_bad_cost(t.transfer_cost, tensor_label(dag, i) + ": transfer cost");
    if (!is_cost(t.return_cost)) throw_bad_cost(t.return_cost, tensor_label(dag, i) + ": return cost");
  }
  // The flow network's uncuttable arcs take twice the total (dag_min_cut).
  const double total = total_cost(dag);
  if (!(total <= std::numeric_limits<double>::max() / 4))
    throw Error(fmt::format("layer DAG: the costs add up to {}, too large to plan with (at most {:g})", total,
                            std::numeric_limits<double>::max() / 4));
  check_acyclic(dag);
}

bool is_admissible(const LayerDag& dag, const std::vector<bool>& on_device) {
  check_size(dag, on_device);
  return !find_inadmissible_read(dag, on_device);
}

double placement_cost(const LayerDag& dag, const std::vector<bool>& on_device) {
  validate_dag(dag);
  check_size(dag, on_device);
  if (auto read = find_inadmissible_read(dag, on_device)) {
    throw Error(fmt::format("placement is not admissible: vertex {} on the device reads {}, made on the server",
                            read->vertex, tensor_label(dag, read->tensor)));
  }
  return sum_placement_cost(dag, on_device);
}

DagPlacement dag_min_cut(const LayerDag& dag) {
  validate_dag(dag);
  const size_t n = dag.vertices.size();
  using Vertex = FlowNetwork::Vertex;
  auto node = [](int v) { return static_cast<Vertex>(v) + 2; };

  // An arc that no minimum cut crosses. The all-device placement is admissible
  // and costs at most `total`, so a minimum cut costs at most `total`, and a
  // cut crossing an arc of capacity above `total` is never minimal: such an
  // arc is as good as infinite. Doubling (and + 1, for a total of 0) leaves a
  // margin for the rounding of sums of doubles; a finite value keeps every
  // capacity and residual an ordinary number (validate_dag bounds the total
  // so that it cannot overflow).
  const double uncuttable = 2 * total_cost(dag) + 1;

  FlowNetwork network(n + 2);
  size_t arcs = 2 * n;  // at most: two terminal arcs per vertex, three per reader of a tensor, one per tensor
  for (const DagTensor& t : dag.tensors) arcs += 1 + 3 * t.consumers.size();
  network.reserve_arcs(arcs);
  // A vertex on the server pays its server cost, plus the return of each
  // graph output it makes (source -> v is cut when v is on the server side).
  std::vector<double> server_side(n);
  for (size_t v = 0; v < n; ++v) server_side[v] = dag.vertices[v].server_cost;
  for (const DagTensor& t : dag.tensors)
    if (t.graph_output && t.producer >= 0) server_side[static_cast<size_t>(t.producer)] += t.return_cost;
  for (size_t v = 0; v < n; ++v) {
    const Vertex u = node(static_cast<int>(v));
    if (server_side[v] > 0) network.add_arc(FlowNetwork::kSource, u, server_side[v]);
    if (dag.vertices[v].device_cost > 0) network.add_arc(u, FlowNetwork::kSink, dag.vertices[v].device_cost);
  }
  std::vector<int> readers;
  for (const DagTensor& t : dag.tensors) {
    // Admissibility: a consumer on the device with its producer on the server
    // would cut consumer -> producer.
    if (t.producer >= 0)
      for (int c : t.consumers) network.add_arc(node(c), node(t.producer), uncuttable);
    readers = t.consumers;
    std::sort(readers.begin(), readers.end());
    readers.erase(std::unique(readers.begin(), readers.end()), readers.end());
    if (readers.empty() || t.transfer_cost <= 0) continue;
    // The transfer is paid when the tensor is made on the device side and
    // some reader is on the server side. With several readers, an auxiliary
    // vertex takes it once: producer -> aux pays the transfer, and the
    // uncuttable aux -> reader arcs pull aux to the server side as soon as one
    // reader is there. A graph input is made by the source itself.
    const Vertex from = t.producer >= 0 ? node(t.producer) : FlowNetwork::kSource;
    if (readers.size() == 1) {
      network.add_arc(from, node(readers.front()), t.transfer_cost);
      continue;
    }
    const Vertex aux = network.add_vertex();
    network.add_arc(from, aux, t.transfer_cost);
    for (int c : readers) network.add_arc(aux, node(c), uncuttable);
  }

  const double flow = network.solve();
  DagPlacement placement;
  placement.on_device.resize(n);
  for (size_t v = 0; v < n; ++v) placement.on_device[v] = network.on_source_side(node(static_cast<int>(v)));
  if (find_inadmissible_read(dag, placement.on_device))
    throw std::logic_error("dag_min_cut: the minimum cut crossed an uncuttable arc");
  placement.cost = sum_placement_cost(dag, placement.on_device);
  if (std::abs(placement.cost - flow) > 1e-9 * (uncuttable + 1))
    throw std::logic_error(fmt::format("dag_min_cut: the cut costs {} but the flow is {}", placement.cost, flow));
  return placement;
}

}  // namespace splitpoint
