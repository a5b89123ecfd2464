#include "formats/onnx/onnx_reader.h"

#include <map>
#include <queue>

#include "core/error.h"
#include "formats/onnx/layout_permutation.h"
#include "formats/onnx/onnx_import_context.h"
#include "formats/onnx/onnx_import_ops.h"
#include "formats/onnx/onnx_proto_io.h"
#include "graph/fold_batch_norm.h"
#include "graph/model_limits.h"
#include "graph/operand_types.h"

namespace splitpoint {

namespace {

constexpr int kOldestOpset = 1;
constexpr int kNewestOpset = 18;

int default_domain_opset(const onnx::ModelProto& model, const std::string& source) {
  for (const onnx::OperatorSetIdProto& o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      if (o.version() < kOldestOpset || o.version() > kNewestOpset)
        throw Error(source + ": opset " + std::to_string(o.version()) + " is not supported (" +
                    std::to_string(kOldestOpset) + ".." + std::to_string(kNewestOpset) + ")");
      return static_cast<int>(o.version());
    }
  }
  throw Error(source + ": the model imports no version of the default ONNX operator set");
}

// "node 12 (Conv 'conv1')"
std::string describe(const onnx::NodeProto& node, int index) {
  std::string s = "node " + std::to_string(index) + " (" + node.op_type();
  if (!node.name().empty()) s += " '" + node.name() + "'";
  return s + ")";
}

// A graph input: FLOAT, UINT8 or INT8 with fixed dimensions (a symbolic first
// dimension is the batch, read as 1); 4-D inputs are stored NHWC.
void add_graph_input(ImportContext& ctx, const onnx::ValueInfoProto& input) {
  const std::string where = ctx.source() + ": input '" + input.name() + "'";
  if (!input.type().has_tensor_type()) throw Error(where + ": not a tensor");
  const onnx::TypeProto_Tensor& type = input.type().tensor_type();
  const auto dtype = dtype_of_elem_type(type.elem_type());
  if (!dtype || *dtype == DType::i32)
    throw Error(where + ": element type " + elem_type_name(type.elem_type()) +
                " is not supported (FLOAT, UINT8 or INT8)");
  if (!type.has_shape()) throw Error(where + ": has no shape; splitpoint needs fixed input shapes");
  std::vector<int64_t> dims;
  for (int d = 0; d < type.shape().dim_size(); ++d) {
    const onnx::TensorShapeProto_Dimension& dim = type.shape().dim(d);
    if (dim.has_dim_value()) {
      if (dim.dim_value() < 1)
        throw Error(where + ": dimension " + std::to_string(d) + " is " + std::to_string(dim.dim_value()));
      dims.push_back(dim.dim_value());
    } else if (d == 0) {
      dims.push_back(1);
    } else {
      throw Error(where + ": dimension " + std::to_string(d) + " is symbolic ('" + dim.dim_param() +
                  "'); only the first (batch) dimension may be");
    }
  }
  checked_elements(dims, where);
  checked_tensor_bytes(Shape(dims), *dtype, where);
  const bool image = dims.size() == 4;
  const TensorId t = ctx.graph.add_input(ctx.unique_tensor_name(input.name()),
                                         Shape(image ? permute_dims(dims, kNchwToNhwc) : dims), *dtype);
  ctx.define_value(input.name(), ctx.activation(t, image ? ValueLayout::nhwc : ValueLayout::plain));
}

// Node indices in an order where every value is produced before it is read
// (Kahn's algorithm, lowest index first); Error naming a node on a cycle.
std::vector<int> node_order(const onnx::GraphProto& g, const std::string& source) {
  const int n = g.node_size();
  std::map<std::string, int> producer;
  for (int i = 0; i < n; ++i)
    for (const std::string& out : g.node(i).output())
      if (!out.empty() && !producer.emplace(out, i).second)
        throw Error(source + ": " + describe(g.node(i), i) + ": output '" + out + "' is also written by " +
                    describe(g.node(producer[out]), producer[out]));
  std::vector<std::vector<int>> readers(static_cast<size_t>(n));
  std::vector<int> waiting(static_cast<size_t>(n), 0);
  for (int i = 0; i < n; ++i)
    for (const std::string& in : g.node(i).input()) {
      auto it = producer.find(in);
      if (in.empty() || it == producer.end()) continue;
      readers[static_cast<size_t>(it->second)].push_back(i);
      ++waiting[static_cast<size_t>(i)];
    }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < n; ++i)
    if (waiting[static_cast<size_t>(i)] == 0) ready.push(i);
  std::vector<int> order;
  while (!ready.empty()) {
    const int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int r : readers[static_cast<size_t>(i)])
      if (--waiting[static_cast<size_t>(r)] == 0) ready.push(r);
  }
  if (static_cast<int>(order.size()) != n) {
    for (int i = 0; i < n; ++i)
      if (waiting[static_cast<size_t>(i)] > 0)
        throw Error(source + ": " + describe(g.node(i), i) + ": is on a cycle (its inputs depend on its outputs)");
  }
  return order;
}

}  // namespace

Graph read_onnx(std::span<const uint8_t> bytes, const std::string& source) {
  const onnx::ModelProto model = parse_model_proto(bytes, source);
  if (!model.has_graph()) throw Error(source + ": the model has no graph");
  const onnx::GraphProto& g = model.graph();
  ImportContext ctx(source, default_domain_opset(model, source));
  ctx.graph.name = g.name().empty() ? "onnx" : g.name();
  if (g.sparse_initializer_size() > 0) throw Error(source + ": sparse initializers are not supported");
  for (const onnx::TensorProto& init : g.initializer()) {
    const std::string where = source + ": initializer '" + init.name() + "'";
    if (init.name().empty()) throw Error(source + ": an initializer has no name");
    if (ctx.find_value(init.name())) throw Error(where + ": defined twice");
    Value value = constant_value(constant_from_proto(init, where));
    ctx.allow_folding_of_file_constant(value.constant->elements());
    ctx.define_value(init.name(), std::move(value));
  }
  for (const onnx::ValueInfoProto& input : g.input())
    if (!ctx.find_value(input.name())) add_graph_input(ctx, input);
  for (const onnx::NodeProto& node : g.node())
    for (const std::string& in : node.input()) ++ctx.reader_counts[in];
  for (const onnx::ValueInfoProto& output : g.output()) ctx.graph_output_names.insert(output.name());

  for (int index : node_order(g, source)) {
    const onnx::NodeProto& node = g.node(index);
    try {
      if (!node.domain().empty() && node.domain() != "ai.onnx")
        throw Error("operator domain '" + node.domain() + "' is not supported");
      ctx.begin_node(node);
      import_node(ctx);
    } catch (const Error& e) {
      throw Error(source + ": " + describe(node, index) + ": " + e.what());
    }
  }

  if (g.output_size() == 0) throw Error(source + ": the graph has no outputs");
  for (const onnx::ValueInfoProto& output : g.output()) {
    const std::string where = source + ": output '" + output.name() + "'";
    const Value* v = ctx.find_value(output.name());
    if (!v) throw Error(where + ": not produced by any node");
    if (v->is_constant()) throw Error(where + ": is a constant (nothing to compute)");
    TensorId t = v->tensor;
    if (v->layout == ValueLayout::flattened_nchw) {
      // The flatten of an NCHW image, stored in NHWC order: the output is in
      // ONNX's order, by a Transpose, under the file's name.
      t = onnx_ordered(ctx, *v, output.name() + "/onnx_order").tensor;
      std::swap(ctx.graph.tensor(t).name, ctx.graph.tensor(v->tensor).name);
    }
    ctx.graph.mark_output(t);
  }
  for (const TensorInfo& t : ctx.graph.tensors())
    if (!t.constant && is_8bit(t.dtype) && t.quant.empty())
      throw Error(source + ": tensor '" + t.name + "' is " + std::string(dtype_name(t.dtype)) +
                  " without quantization parameters (8-bit tensors must be read by DequantizeLinear or QLinear "
                  "operators)");
  try {
    Graph folded = fold_batch_norm(ctx.graph);
    folded.validate();
    check_operand_types(folded);
    check_activation_memory(folded);
    return folded;
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
}

void import_node(ImportContext& ctx) {
  const std::string& op = ctx.node().op_type();
  if (import_layer_node(ctx, op) || import_reshape_node(ctx, op) || import_quantized_node(ctx, op) ||
      import_slice_node(ctx, op) || import_constant_node(ctx, op))
    return;
  throw Error("unsupported operator");
}

}  // namespace splitpoint
