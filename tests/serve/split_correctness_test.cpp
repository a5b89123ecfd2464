// The live split gives the local answer: through every cut of vgg16-seed and
// of a DAG model (resnet18, whose cuts can carry two tensors), the outputs that
// come back from the server equal the whole model run here — bit for bit with
// the fp32 codec (the engine computes every node the same way in any segment);
// with fp16 and uint8 they equal the local tail run on the decoded cut tensor,
// which is within half the codec's rounding step of the original.
#include <gtest/gtest.h>

#include <cstring>

#include "engine/feed.h"
#include "engine/random_inputs.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "serve/cut_transport.h"
#include "serve/split_runner.h"
#include "serve/local_server.h"

namespace splitpoint {
namespace {

using testing::LocalServer;

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() && std::memcmp(a.data(), b.data(), a.bytes()) == 0;
}

// Every cut, fp32: bit-exact against the whole model run here.
void expect_every_cut_exact(const Graph& graph) {
  LocalServer server({graph});
  OipClient client(server.url());
  SplitRunnerOptions options;
  options.codec = parse_codec("fp32");
  SplitRunner runner(graph, graph.name, make_backend(default_backend_name()), options, &client);
  CompileOptions compile;
  auto whole = make_backend(default_backend_name())->compile(graph, compile);
  const auto input = random_inputs(graph, 7);
  const auto expected = whole->run(input);
  int multi_tensor_cuts = 0;
  const auto cuts = enumerate_cuts(graph, group_layers(graph));
  for (int cut = 0; cut <= runner.layer_count(); ++cut) {
    RequestRecord record;
    const auto got = runner.run(input, cut, record);
    ASSERT_EQ(got.size(), expected.size());
    EXPECT_EQ(record.remote, cut < runner.layer_count()) << "cut " << cut;
    EXPECT_FALSE(record.fallback) << "cut " << cut << ": " << record.fallback_reason;
    for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(same_bytes(got[i], expected[i])) << graph.name << " cut " << cut;
    if (cuts[static_cast<size_t>(cut)].tensors.size() > 1) ++multi_tensor_cuts;
  }
  if (graph.name == "resnet18") { EXPECT_GT(multi_tensor_cuts, 0) << "the DAG model should have cuts of two tensors"; }
}

TEST(SplitCorrectness, EveryCutOfVgg16SeedIsBitExactWithFp32) { expect_every_cut_exact(testing::small_zoo_model("vgg16-seed")); }

TEST(SplitCorrectness, EveryCutOfResnet18IsBitExactWithFp32) { expect_every_cut_exact(testing::small_zoo_model("resnet18")); }

// Lossy codecs: the server's answer equals the local tail on decode(encode(cut
// tensor)), and that tensor is within half a rounding step of the original.
TEST(SplitCorrectness, LossyCodecsAnswerAsTheLocalTailOnTheDecodedTensor) {
  const Graph graph = testing::small_zoo_model("vgg16-seed");
  LocalServer server({graph});
  OipClient client(server.url());
  const auto layers = group_layers(graph);
  const auto cuts = enumerate_cuts(graph, layers);
  auto backend = make_backend(default_backend_name());
  CompileOptions compile;
  const auto input = random_inputs(graph, 11);
  for (const std::string codec_text : {"fp16", "uint8", "uint8+zstd", "fp16+lz4"}) {
    const CutCodec codec = parse_codec(codec_text);
    SplitRunnerOptions options;
    options.codec = codec;
    SplitRunner runner(graph, graph.name, make_backend(default_backend_name()), options, &client);
    for (int cut : {0, 3, 10, 14, 16}) {
      auto head = backend->compile(extract_segment(graph, cuts[0], cuts[static_cast<size_t>(cut)]), compile);
      auto tail = backend->compile(extract_segment(graph, cuts[static_cast<size_t>(cut)], cuts.back()), compile);
      const std::vector<Tensor> at_cut = cut == 0 ? input : head->run(input);
      const auto& specs = cut == 0 ? tail->inputs() : head->outputs();
      std::vector<Tensor> decoded;
      for (size_t i = 0; i < at_cut.size(); ++i) {
        const EncodedTensor e = encode_cut_tensor(at_cut[i], codec);
        decoded.push_back(decode_cut_tensor(e));
        const CodecError err = codec_error(at_cut[i], decoded.back(), e.header);
        EXPECT_LE(err.max_abs_error, err.step / 2 * (1 + 1e-6)) << codec_text << " cut " << cut;
        EXPECT_GT(err.max_abs_error, 0) << codec_text << " cut " << cut << ": a lossy codec changed nothing";
      }
      const auto expected = tail->run(feed_by_name(tail->inputs(), specs, decoded));
      RequestRecord record;
      const auto got = runner.run(input, cut, record);
      ASSERT_TRUE(record.remote) << record.fallback_reason;
      ASSERT_EQ(got.size(), expected.size());
      for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(same_bytes(got[i], expected[i])) << codec_text << " cut " << cut;
      // The bytes sent are the codec's, not float32's.
      int64_t f32_bytes = 0;
      for (const auto& t : at_cut) f32_bytes += static_cast<int64_t>(t.bytes());
      EXPECT_LT(record.tensor_bytes, f32_bytes) << codec_text << " cut " << cut;
    }
  }
}

}  // namespace
}  // namespace splitpoint
