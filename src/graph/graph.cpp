#include "graph/graph.h"

#include <algorithm>
#include <queue>

#include "core/error.h"

namespace splitpoint {

TensorId Graph::add_tensor(std::string tensor_name, Shape shape, DType dtype, QuantParams quant) {
  TensorInfo t;
  t.name = std::move(tensor_name);
  t.shape = std::move(shape);
  t.dtype = dtype;
  t.quant = std::move(quant);
  tensors_.push_back(std::move(t));
  producer_.push_back(-1);
  is_output_.push_back(false);
  return static_cast<TensorId>(tensors_.size() - 1);
}

TensorId Graph::add_input(std::string tensor_name, Shape shape, DType dtype, QuantParams quant) {
  TensorId id = add_tensor(std::move(tensor_name), std::move(shape), dtype, std::move(quant));
  inputs_.push_back(id);
  return id;
}

TensorId Graph::add_constant(std::string tensor_name, Tensor data) {
  TensorId id = add_tensor(std::move(tensor_name), data.shape(), data.dtype(), data.quant());
  tensors_[static_cast<size_t>(id)].constant = true;
  tensors_[static_cast<size_t>(id)].data = std::move(data);
  return id;
}

TensorId Graph::add_constant_shape(std::string tensor_name, Shape shape, DType dtype) {
  TensorId id = add_tensor(std::move(tensor_name), std::move(shape), dtype);
  tensors_[static_cast<size_t>(id)].constant = true;
  return id;
}

TensorId Graph::import_tensor(const Graph& other, TensorId id) {
  const TensorInfo& info = other.tensor(id);
  TensorId copy = add_tensor(info.name, info.shape, info.dtype, info.quant);
  tensors_[static_cast<size_t>(copy)].constant = info.constant;
  tensors_[static_cast<size_t>(copy)].data = info.data;
  return copy;
}

void Graph::check_tensor_id(TensorId id, const std::string& where) const {
  if (id < 0 || static_cast<size_t>(id) >= tensors_.size()) {
    throw Error(where + ": tensor " + std::to_string(id) + " out of range (graph has " +
                std::to_string(tensors_.size()) + " tensors)");
  }
}

NodeId Graph::add_node(std::string node_name, Op op, std::vector<TensorId> inputs, TensorId output) {
  const std::string where = "node '" + node_name + "'";
  for (TensorId in : inputs) check_tensor_id(in, where + " input");
  check_tensor_id(output, where + " output");
  if (producer_[static_cast<size_t>(output)] >= 0) {
    throw Error(where + ": output tensor '" + tensor(output).name + "' is already produced by node '" +
                nodes_[static_cast<size_t>(producer_[static_cast<size_t>(output)])].name + "'");
  }
  if (tensor(output).constant) {
    throw Error(where + ": output tensor '" + tensor(output).name + "' is a constant");
  }
  Node n{std::move(node_name), std::move(op), std::move(inputs), output};
  nodes_.push_back(std::move(n));
  NodeId id = static_cast<NodeId>(nodes_.size() - 1);
  producer_[static_cast<size_t>(output)] = id;
  return id;
}

void Graph::mark_output(TensorId id) {
  check_tensor_id(id, "graph output");
  if (is_output_[static_cast<size_t>(id)]) return;
  is_output_[static_cast<size_t>(id)] = true;
  outputs_.push_back(id);
}

TensorInfo& Graph::tensor(TensorId id) {
  check_tensor_id(id, "graph");
  return tensors_[static_cast<size_t>(id)];
}
const TensorInfo& Graph::tensor(TensorId id) const {
  check_tensor_id(id, "graph");
  return tensors_[static_cast<size_t>(id)];
}

const Node& Graph::node(NodeId id) const {
  if (id < 0 || static_cast<size_t>(id) >= nodes_.size()) {
    throw Error("node " + std::to_string(id) + " out of range (graph has " +
                std::to_string(nodes_.size()) + " nodes)");
  }
  return nodes_[static_cast<size_t>(id)];
}
Node& Graph::node(NodeId id) { return const_cast<Node&>(static_cast<const Graph&>(*this).node(id)); }

std::optional<NodeId> Graph::producer(TensorId id) const {
  check_tensor_id(id, "graph");
  int p = producer_[static_cast<size_t>(id)];
  if (p < 0) return std::nullopt;
  return p;
}

std::vector<NodeId> Graph::consumers(TensorId id) const {
  std::vector<NodeId> result;
  for (size_t n = 0; n < nodes_.size(); ++n) {
    const auto& ins = nodes_[n].inputs;
    if (std::find(ins.begin(), ins.end(), id) != ins.end()) result.push_back(static_cast<NodeId>(n));
  }
  return result;
}

std::optional<TensorId> Graph::find_tensor(const std::string& tensor_name) const {
  for (size_t i = 0; i < tensors_.size(); ++i)
    if (tensors_[i].name == tensor_name) return static_cast<TensorId>(i);
  return std::nullopt;
}

std::optional<NodeId> Graph::find_node(const std::string& node_name) const {
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].name == node_name) return static_cast<NodeId>(i);
  return std::nullopt;
}

std::vector<NodeId> Graph::topological_order() const {
  const size_t n = nodes_.size();
  std::vector<int> pending(n, 0);
  std::vector<std::vector<NodeId>> successors(n);
  for (size_t i = 0; i < n; ++i) {
    for (TensorId in : nodes_[i].inputs) {
      int p = producer_[static_cast<size_t>(in)];
      if (p >= 0) {
        ++pending[i];
        successors[static_cast<size_t>(p)].push_back(static_cast<NodeId>(i));
      }
    }
  }
  std::priority_queue<NodeId, std::vector<NodeId>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.push(static_cast<NodeId>(i));
  std::vector<NodeId> order;
  order.reserve(n);
  while (!ready.empty()) {
    NodeId id = ready.top();
    ready.pop();
    order.push_back(id);
    for (NodeId s : successors[static_cast<size_t>(id)])
      if (--pending[static_cast<size_t>(s)] == 0) ready.push(s);
  }
  if (order.size() != n) {
    std::string names;
    int listed = 0;
    for (size_t i = 0; i < n && listed < 8; ++i) {
      if (pending[i] > 0) {
        names += (listed++ ? ", '" : "'") + nodes_[i].name + "'";
      }
    }
    throw Error("graph '" + name + "' has a cycle through node(s) " + names);
  }
  return order;
}

void Graph::validate() const {
  // Flags, not searches of inputs_ per node: a model with 100k inputs is not quadratic.
  std::vector<bool> is_input(tensors_.size(), false);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& nd = nodes_[i];
    const std::string where = "node " + std::to_string(i) + " '" + nd.name + "' (" +
                              std::string(op_name(nd.op)) + ")";
    if (nd.inputs.empty()) throw Error(where + ": has no inputs");
    for (TensorId in : nd.inputs) check_tensor_id(in, where + " input");
    check_tensor_id(nd.output, where + " output");
  }
  for (TensorId in : inputs_) {
    check_tensor_id(in, "graph input");
    is_input[static_cast<size_t>(in)] = true;
    if (producer_[static_cast<size_t>(in)] >= 0)
      throw Error("graph input '" + tensor(in).name + "' is produced by a node");
    if (tensor(in).constant) throw Error("graph input '" + tensor(in).name + "' is a constant");
  }
  for (TensorId out : outputs_) {
    check_tensor_id(out, "graph output");
    if (!tensor(out).constant && producer_[static_cast<size_t>(out)] < 0 && !is_input[static_cast<size_t>(out)])
      throw Error("graph output '" + tensor(out).name +
                  "' is neither a graph input, a constant, nor produced by a node");
  }
  // Every non-constant tensor a node reads must be a graph input or produced.
  for (const Node& nd : nodes_) {
    for (TensorId in : nd.inputs) {
      const TensorInfo& t = tensor(in);
      if (t.constant || producer_[static_cast<size_t>(in)] >= 0) continue;
      if (!is_input[static_cast<size_t>(in)])
        throw Error("node '" + nd.name + "': input tensor '" + t.name +
                    "' is neither a graph input, a constant, nor produced by a node");
    }
  }
  (void)topological_order();
}

bool Graph::has_weights() const {
  return std::all_of(tensors_.begin(), tensors_.end(),
                     [](const TensorInfo& t) { return !t.constant || t.data.has_data(); });
}

bool Graph::has_8bit_activations() const {
  return std::any_of(tensors_.begin(), tensors_.end(),
                     [](const TensorInfo& t) { return !t.constant && is_8bit(t.dtype); });
}

std::string Graph::op_label(NodeId id) const {
  const Node& nd = node(id);
  if (const auto* conv = std::get_if<Conv2D>(&nd.op)) {
    const Shape& in = tensor(nd.inputs.at(0)).shape;
    if (conv->groups > 1 && in.rank() == 4 && conv->groups == in[3]) return "DepthwiseConv2D";
  }
  return std::string(op_name(nd.op));
}

}  // namespace splitpoint
