// `splitpoint accuracy` (app/accuracy_request.h) on a hand-made model and data set whose answers are worked out
// below by hand: the counts must be those, every lossless codec must give the whole model's output bit for bit at
// every cut, and the JSON must read back. Called directly, no child process.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "plan/accuracy_json.h"
#include "app/accuracy_request.h"
#include "core/error.h"
#include "dataset/idx_file.h"
#include "dataset/labelled_images.h"
#include "formats/model_file.h"
#include "graph/builder.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;

// The weights below, by name.
class HandWeights : public WeightFiller {
 public:
  void fill(const std::string& name, WeightRole, int64_t, Tensor& values) override {
    auto v = values.as<float>();
    if (name == "c1/kernel") v[0] = 1.0f;  // 1x1 conv, one channel: the identity (then ReLU: pixels are >= 0)
    if (name == "c1/bias") v[0] = 0.0f;
    if (name == "fc/kernel") {  // [2, 4] over the pixels in NHWC order p00 p01 p10 p11
      const float w[8] = {1, 0, 1, 0,   // class 0: the left column (p00 + p10)
                          0, 1, 0, 1};  // class 1: the right column (p01 + p11)
      std::copy(w, w + 8, v.begin());
    }
    if (name == "fc/bias") v[0] = v[1] = 0.0f;
  }
};

Graph hand_model() {
  HandWeights weights;
  GraphBuilder b("columns", &weights);
  TensorId x = b.input("image", Shape{1, 2, 2, 1});
  ConvOptions conv;
  conv.activation = Activation::relu;
  x = b.conv2d("c1", x, 1, 1, conv);
  x = b.flatten("flat", x);
  x = b.dense("fc", x, 2, Activation::none);
  return b.finish({x});
}

// Six 2x2 images (p00 p01 p10 p11) and their labels. The model answers 0 when the left column is brighter,
// 1 when the right one is (a tie would go to 0, the lower index; none here):
//   [200,0,200,0]   left 400 > right 0   -> 0, label 0: right
//   [0,255,0,255]   left 0 < right 510   -> 1, label 1: right
//   [10,20,30,40]   left 40 < right 60   -> 1, label 0: wrong
//   [100,50,100,50] left 200 > right 100 -> 0, label 0: right
//   [0,0,0,9]       left 0 < right 9     -> 1, label 1: right
//   [90,10,0,0]     left 90 > right 10   -> 0, label 1: wrong
// 4 right of 6: 66.67 %. The closest margin, 40 vs 60 of 255, is 20 steps of an 8-bit tensor over [0, 60/255]
// or wider, so uint8 at a cut and the u8/i8 models answer the same.
const std::vector<uint8_t> kPixels = {200, 0, 200, 0, 0, 255, 0, 255, 10, 20, 30, 40,
                                      100, 50, 100, 50, 0, 0, 0, 9, 90, 10, 0, 0};
const std::vector<uint8_t> kLabels = {0, 1, 0, 0, 1, 1};

class Accuracy : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("splitpoint-accuracy-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    write_model_file(hand_model(), dir_ / "columns.onnx");
    write(dir_ / "t10k-images-idx3-ubyte", encode_idx({6, 2, 2}, kPixels));
    write(dir_ / "t10k-labels-idx1-ubyte", encode_idx({6}, kLabels));
  }
  void TearDown() override { fs::remove_all(dir_); }
  static void write(const fs::path& path, const std::vector<uint8_t>& bytes) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                static_cast<std::streamsize>(bytes.size()));
  }
  AccuracyRequest request() const {
    AccuracyRequest r;
    r.model = (dir_ / "columns.onnx").string();
    r.data = dir_.string();
    r.backend = "reference";
    r.threads = 1;
    r.codecs = {"fp32", "fp32+zstd", "fp32+lz4", "fp16", "uint8", "uint8+zstd", "uint8+lz4"};
    r.jpeg_qualities = {50, 100};
    return r;
  }
  fs::path dir_;
};

TEST_F(Accuracy, CountsMatchTheHandWorkedAnswers) {
  const AccuracyReport r = execute_accuracy(request());
  EXPECT_EQ(r.images, 6);
  EXPECT_EQ(r.raw_input_bytes, 4);
  ASSERT_EQ(r.whole.size(), 3u);
  for (const WholeAccuracy& w : r.whole) {
    EXPECT_EQ(w.count.correct, 4) << w.dtype;
    EXPECT_EQ(w.count.images, 6) << w.dtype;
  }
  EXPECT_NEAR(r.whole[0].count.percent(), 66.6667, 1e-3);
  EXPECT_NE(r.calibration.find("the test images"), std::string::npos) << r.calibration;
  // Cuts 0..L, each with the seven codecs.
  ASSERT_EQ(r.splits.size(), static_cast<size_t>(r.layers + 1) * 7);
  for (const SplitAccuracy& s : r.splits) {
    EXPECT_EQ(s.count.correct, 4) << "cut " << s.cut << " " << s.codec;
    EXPECT_EQ(s.count.images, 6);
  }
  ASSERT_EQ(r.jpeg.size(), 2u);
  for (const JpegAccuracy& j : r.jpeg) {
    EXPECT_EQ(j.count.images, 6);
    EXPECT_GT(j.mean_bytes, 4);  // a JPEG of 4 pixels is mostly its headers
  }
}

TEST_F(Accuracy, LosslessCodecsGiveTheWholeModelsOutputBitForBit) {
  const AccuracyReport r = execute_accuracy(request());
  for (const SplitAccuracy& s : r.splits) {
    if (s.codec.rfind("fp32", 0) == 0) EXPECT_EQ(s.identical, 6) << "cut " << s.cut << " " << s.codec;
  }
}

TEST_F(Accuracy, BytesAreTheCodecsElementBytes) {
  const AccuracyReport r = execute_accuracy(request());
  std::map<std::pair<int, std::string>, double> bytes;
  for (const SplitAccuracy& s : r.splits) bytes[{s.cut, s.codec}] = s.mean_bytes;
  // Cut 0 sends the 2x2x1 input: 4 elements, 16 B as fp32, 8 B as fp16, 4 B as uint8; cut 1 the conv's 4 values.
  for (int cut : {0, 1}) {
    EXPECT_EQ((bytes[{cut, "fp32"}]), 16) << cut;
    EXPECT_EQ((bytes[{cut, "fp16"}]), 8) << cut;
    EXPECT_EQ((bytes[{cut, "uint8"}]), 4) << cut;
  }
  // Cut L keeps everything on the device: nothing sent.
  EXPECT_EQ((bytes[{r.layers, "fp32"}]), 0);
}

TEST_F(Accuracy, JsonReadsBack) {
  const AccuracyReport r = execute_accuracy(request());
  const AccuracyReport back = accuracy_from_json(accuracy_to_json(r), "test.json");
  EXPECT_EQ(back.model, "columns.onnx");  // the name profiles know a file by (model_name_of)
  EXPECT_EQ(back.images, 6);
  ASSERT_EQ(back.splits.size(), r.splits.size());
  EXPECT_EQ(back.splits[3].codec, r.splits[3].codec);
  EXPECT_EQ(back.splits[3].count.correct, 4);
  EXPECT_EQ(back.jpeg[1].quality, 100);
  ASSERT_EQ(back.whole.size(), 3u);
  EXPECT_EQ(back.whole[2].dtype, "i8");
}

TEST_F(Accuracy, ModelAndDataThatDoNotFitAreErrors) {
  AccuracyRequest r = request();
  write(dir_ / "t10k-images-idx3-ubyte", encode_idx({6, 1, 4}, kPixels));  // 1x4 images
  try {
    execute_accuracy(r);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the images of"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("1x1x4x1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace splitpoint

namespace splitpoint {
namespace {

// The trained Fashion-MNIST model (scripts/train-fashion-mnist) on the first 300 test images against PyTorch's
// own answers, saved by the training script (data/models/fashion_mnist_vgg.torch-predictions-idx1-ubyte): the
// number of right answers must be PyTorch's, counted here from its answers and the labels.
TEST(AccuracyTrained, Fp32CountMatchesPyTorchOnTheFirst300TestImages) {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  ASSERT_TRUE(std::filesystem::exists(dir + "/t10k-labels-idx1-ubyte.gz")) << "install Debian's dataset-fashion-mnist";
  const LabelledImages labels = read_idx_images(dir + "/t10k-images-idx3-ubyte.gz", dir + "/t10k-labels-idx1-ubyte.gz");
  const IdxArray torch = read_idx(std::string(SPLITPOINT_DATA_DIR) + "/models/fashion_mnist_vgg.torch-predictions-idx1-ubyte");
  constexpr int kImages = 300;
  int torch_correct = 0;
  for (int i = 0; i < kImages; ++i) torch_correct += torch.bytes[static_cast<size_t>(i)] == labels.labels[static_cast<size_t>(i)];
  AccuracyRequest r;
  r.model = std::string(SPLITPOINT_DATA_DIR) + "/models/fashion_mnist_vgg.onnx";
  r.data = dir;
  r.limit = kImages;
  r.codecs = {"fp32"};
  r.jpeg_qualities = {};
  r.dtypes = {"f32"};
  r.threads = 1;
  const AccuracyReport report = execute_accuracy(r);
  ASSERT_EQ(report.whole.size(), 1u);
  EXPECT_EQ(report.whole[0].count.images, kImages);
  EXPECT_EQ(report.whole[0].count.correct, torch_correct);
  for (const SplitAccuracy& s : report.splits) {
    EXPECT_EQ(s.identical, kImages) << "cut " << s.cut;  // fp32 at the cut: the whole model's output bit for bit
    EXPECT_EQ(s.count.correct, torch_correct) << "cut " << s.cut;
  }
}

}  // namespace
}  // namespace splitpoint
