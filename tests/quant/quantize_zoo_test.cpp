// quantize_graph on every zoo model (small images, real weights, fabricated
// ranges): the invariants of an 8-bit graph (quant/quantize.h) and the float
// model's layers and cuts.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "graph/cut.h"
#include "graph/fold_batch_norm.h"
#include "graph/layers.h"
#include "quant/quantize.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

// Fabricated calibration: tensor number i gets [-r, r] with r = 1 + i % 5.
float fabricated_radius(TensorId id) { return 1.0f + static_cast<float>(id % 5); }

TensorRanges fabricated_ranges(const Graph& g) {
  TensorRanges ranges;
  for (TensorId t : g.inputs()) ranges[g.tensor(t).name] = {-fabricated_radius(t), fabricated_radius(t)};
  for (const Node& n : g.nodes())
    ranges[g.tensor(n.output).name] = {-fabricated_radius(n.output), fabricated_radius(n.output)};
  return ranges;
}

std::vector<std::string> layer_signature(const Graph& g) {
  std::vector<std::string> s;
  for (const Layer& l : group_layers(g)) s.push_back(g.node(l.main).name + " -> " + g.tensor(l.output).name);
  return s;
}

std::vector<std::vector<std::string>> cut_tensor_names(const Graph& g) {
  std::vector<std::vector<std::string>> names;
  for (const Cut& c : enumerate_cuts(g, group_layers(g))) {
    names.emplace_back();
    for (TensorId t : c.tensors) names.back().push_back(g.tensor(t).name);
  }
  return names;
}

bool contains(const std::vector<TensorId>& ids, TensorId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

int64_t element(const Tensor& t, size_t i) {
  switch (t.dtype()) {
    case DType::u8: return t.as<uint8_t>()[i];
    case DType::i8: return t.as<int8_t>()[i];
    case DType::i32: return t.as<int32_t>()[i];
    default: return 0;
  }
}

// |s (q - zp) - w| <= s / 2 for every weight, and |q - zp| <= 127.
void expect_weights_round_to_nearest(const TensorInfo& q, const TensorInfo& w) {
  SCOPED_TRACE(w.name);
  ASSERT_EQ(q.shape, w.shape);
  const auto values = w.data.as<float>();
  const size_t channels = q.quant.scales.size();
  const size_t per_channel = values.size() / channels;
  int64_t worst = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const size_t c = i / per_channel;
    const double s = q.quant.scales[c];
    const int64_t level = element(q.data, i) - q.quant.zero_points[c];
    worst = std::max(worst, std::abs(level));
    const double error = std::fabs(s * static_cast<double>(level) - values[i]);
    if (error > 0.5 * s * (1 + 1e-5)) {
      ADD_FAILURE() << "element " << i << ": " << values[i] << " quantized to level " << level << " of scale " << s;
      return;
    }
  }
  EXPECT_LE(worst, 127);
}

void check_quantized(const Graph& model, const Graph& f, const Graph& q, QuantScheme scheme) {
  const DType dtype = quant_scheme_dtype(scheme);
  // Inputs and outputs: the float model's names, float32.
  ASSERT_EQ(q.inputs().size(), f.inputs().size());
  for (size_t i = 0; i < f.inputs().size(); ++i) {
    const TensorId in = q.inputs()[i];
    EXPECT_EQ(q.tensor(in).name, f.tensor(f.inputs()[i]).name);
    EXPECT_EQ(q.tensor(in).dtype, DType::f32);
    for (NodeId reader : q.consumers(in)) EXPECT_TRUE(std::holds_alternative<Quantize>(q.node(reader).op));
  }
  ASSERT_EQ(q.outputs().size(), f.outputs().size());
  for (size_t i = 0; i < f.outputs().size(); ++i) {
    const TensorId out = q.outputs()[i];
    EXPECT_EQ(q.tensor(out).name, f.tensor(f.outputs()[i]).name);
    EXPECT_EQ(q.tensor(out).dtype, DType::f32);
    EXPECT_EQ(q.tensor(out).shape, f.tensor(f.outputs()[i]).shape);
    ASSERT_TRUE(q.producer(out));
    EXPECT_TRUE(std::holds_alternative<Dequantize>(q.node(*q.producer(out)).op));
  }
  // Every node but (de)quantize works on 8-bit per-tensor activations.
  const TensorRanges ranges = fabricated_ranges(f);
  for (const Node& n : q.nodes()) {
    SCOPED_TRACE(n.name);
    const TensorInfo& out = q.tensor(n.output);
    if (std::holds_alternative<Quantize>(n.op)) {
      EXPECT_TRUE(contains(q.inputs(), n.inputs[0]));
      EXPECT_EQ(out.dtype, dtype);
      continue;
    }
    if (std::holds_alternative<Dequantize>(n.op)) {
      EXPECT_EQ(q.tensor(n.inputs[0]).dtype, dtype);
      EXPECT_TRUE(contains(q.outputs(), n.output));
      EXPECT_EQ(out.dtype, DType::f32);
      continue;
    }
    EXPECT_FALSE(std::holds_alternative<BatchNorm>(n.op));
    EXPECT_EQ(out.dtype, dtype);
    ASSERT_EQ(out.quant.scales.size(), 1u);
    EXPECT_GT(out.quant.scales[0], 0.0f);
    EXPECT_GE(out.quant.zero_points[0], dtype == DType::u8 ? 0 : -128);
    EXPECT_LE(out.quant.zero_points[0], dtype == DType::u8 ? 255 : 127);
    const TensorInfo& x = q.tensor(n.inputs[0]);
    EXPECT_FALSE(x.constant);
    for (TensorId in : n.inputs) {
      if (q.tensor(in).constant) continue;
      EXPECT_EQ(q.tensor(in).dtype, dtype);
      EXPECT_EQ(q.tensor(in).quant.scales.size(), 1u);
    }
    // Output parameters per op.
    if (std::holds_alternative<MaxPool2D>(n.op) || std::holds_alternative<AvgPool2D>(n.op) ||
        std::holds_alternative<Reshape>(n.op) || std::holds_alternative<Relu>(n.op) ||
        std::holds_alternative<Relu6>(n.op)) {
      EXPECT_EQ(out.quant, x.quant);
    } else if (std::holds_alternative<Softmax>(n.op)) {
      EXPECT_EQ(out.quant, QuantParams::per_tensor(1.0f / 256, dtype == DType::u8 ? 0 : -128));
    } else {
      const auto f_node = f.find_node(n.name);  // the float node of the same name
      ASSERT_TRUE(f_node);
      EXPECT_FLOAT_EQ(out.quant.scales[0], 2 * fabricated_radius(f.node(*f_node).output) / 255);
    }
    const bool conv = std::holds_alternative<Conv2D>(n.op);
    if (!conv && !std::holds_alternative<FullyConnected>(n.op)) {
      for (TensorId in : n.inputs) EXPECT_FALSE(q.tensor(in).constant);
      continue;
    }
    // Weights: the scheme's layout; values rounded to nearest.
    const TensorInfo& w = q.tensor(n.inputs[1]);
    EXPECT_TRUE(w.constant);
    EXPECT_EQ(w.dtype, dtype);
    const int64_t channels = w.shape[0];
    if (scheme == QuantScheme::i8 && conv) {
      EXPECT_EQ(w.quant.scales.size(), static_cast<size_t>(channels));
      EXPECT_EQ(w.quant.axis, 0);
      EXPECT_EQ(w.quant.zero_points, std::vector<int64_t>(static_cast<size_t>(channels), 0));
    } else {
      ASSERT_EQ(w.quant.scales.size(), 1u);
      EXPECT_EQ(w.quant.zero_points[0], scheme == QuantScheme::u8 ? 128 : 0);
    }
    expect_weights_round_to_nearest(w, f.tensor(*f.find_tensor(w.name)));
    if (n.inputs.size() < 3) continue;
    // Bias: int32, scale s_x * s_w[c], zero point 0.
    const TensorInfo& b = q.tensor(n.inputs[2]);
    EXPECT_TRUE(b.constant);
    EXPECT_EQ(b.dtype, DType::i32);
    ASSERT_EQ(b.quant.scales.size(), w.quant.scales.size());
    for (size_t c = 0; c < b.quant.scales.size(); ++c) {
      EXPECT_FLOAT_EQ(b.quant.scales[c], x.quant.scales[0] * w.quant.scales[c]);
      EXPECT_EQ(b.quant.zero_points[c], 0);
    }
  }
  // Only graph inputs and outputs are float.
  std::set<TensorId> used;
  for (const Node& n : q.nodes()) {
    used.insert(n.output);
    used.insert(n.inputs.begin(), n.inputs.end());
  }
  for (TensorId t : used) {
    if (q.tensor(t).dtype == DType::f32) {
      EXPECT_TRUE(contains(q.inputs(), t) || contains(q.outputs(), t)) << q.tensor(t).name;
    }
  }
  // Activations keep their names and shapes; layers and cuts are the float model's.
  for (const Node& n : f.nodes()) {
    if (contains(f.outputs(), n.output)) continue;
    const auto t = q.find_tensor(f.tensor(n.output).name);
    ASSERT_TRUE(t) << f.tensor(n.output).name;
    EXPECT_EQ(q.tensor(*t).shape, f.tensor(n.output).shape);
  }
  const auto layers = layer_signature(q);
  EXPECT_EQ(layers, layer_signature(f));
  EXPECT_EQ(layers, layer_signature(model));
  EXPECT_EQ(cut_tensor_names(q), cut_tensor_names(f));
}

class QuantizeZoo : public ::testing::TestWithParam<std::string> {};

TEST_P(QuantizeZoo, EightBitGraphKeepsTheFloatModelsLayers) {
  ZooOptions options;
  options.image_size = GetParam() == "alexnet" ? 64 : 32;  // alexnet's smallest input is 63
  const Graph model = build_zoo_model(GetParam(), options);
  const Graph f = fold_batch_norm(model);
  for (QuantScheme scheme : {QuantScheme::u8, QuantScheme::i8}) {
    SCOPED_TRACE(quant_scheme_name(scheme));
    const Graph q = quantize_graph(f, fabricated_ranges(f), scheme);
    check_quantized(model, f, q, scheme);
  }
}

std::vector<std::string> zoo_names() {
  std::vector<std::string> names;
  for (const ZooEntry& e : zoo_models()) names.push_back(e.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(AllModels, QuantizeZoo, ::testing::ValuesIn(zoo_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace splitpoint
