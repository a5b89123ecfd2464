// `run --labels` and `validate --data` (app/run_request.h, app/validate_request.h) report the live answers'
// top-1 accuracy: the trained Fashion-MNIST model served in this process (tests/serve/local_server.h), its first 30
// test images split at a cut and answered by the server; the number right must be PyTorch's own on those images
// (data/models/fashion_mnist_vgg.torch-predictions-idx1-ubyte, counted here against Debian's labels; an fp32 cut
// gives the whole model's answer bit for bit). Called directly, no child process.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "app/accuracy_request.h"
#include "app/model_source.h"
#include "app/run_request.h"
#include "app/validate_request.h"
#include "dataset/idx_file.h"
#include "dataset/labelled_images.h"
#include "serve/local_server.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;

const std::string kModel = std::string(SPLITPOINT_DATA_DIR) + "/models/fashion_mnist_vgg.onnx";
const std::string kFashion = "/usr/share/datasets/fashion-mnist";
constexpr int kImages = 30;  // PyTorch gets 28 right: images 23 and 25 wrong

class LiveAccuracy : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kFashion + "/t10k-labels-idx1-ubyte.gz")) << "install Debian's dataset-fashion-mnist";
    dir_ = fs::temp_directory_path() / ("splitpoint-live-accuracy-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "images");
    data_ = read_idx_images(kFashion + "/t10k-images-idx3-ubyte.gz", kFashion + "/t10k-labels-idx1-ubyte.gz");
    const IdxArray torch =
        read_idx(std::string(SPLITPOINT_DATA_DIR) + "/models/fashion_mnist_vgg.torch-predictions-idx1-ubyte");
    std::ofstream labels(dir_ / "labels.txt");
    labels << "# the first 30 Fashion-MNIST test labels\n";
    for (int i = 0; i < kImages; ++i) {
      // Image i as a binary PGM (P5): its 28x28 pixels as they are.
      std::ofstream pgm(dir_ / "images" / (std::to_string(100 + i) + ".pgm"), std::ios::binary);
      pgm << "P5\n28 28\n255\n";
      pgm.write(reinterpret_cast<const char*>(data_.image(i)), 28 * 28);
      labels << data_.labels[static_cast<size_t>(i)] << "\n";
      torch_correct_ += torch.bytes[static_cast<size_t>(i)] == data_.labels[static_cast<size_t>(i)];
    }
    ASSERT_EQ(torch_correct_, 28);
    server_ = std::make_unique<testing::LocalServer>(std::vector<Graph>{load_model(kModel, /*with_weights=*/true)});
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }
  fs::path dir_;
  LabelledImages data_;
  int torch_correct_ = 0;
  std::unique_ptr<testing::LocalServer> server_;
};

TEST_F(LiveAccuracy, RunWithLabelsCountsTheServersAnswers) {
  RunRequest r;
  r.model = kModel;
  r.server = server_->url();
  r.split = "3";  // layers 1..3 here, 4..8 on the server
  r.codec = "fp32";
  r.inputs_dir = (dir_ / "images").string();
  r.labels = (dir_ / "labels.txt").string();
  r.quiet = true;
  const RunOutcome outcome = execute_run(r);
  ASSERT_EQ(outcome.report.entries.size(), static_cast<size_t>(kImages));
  for (int i = 0; i < kImages; ++i) {  // images 100..129.pgm in name order, each with its label
    const RunEntry& e = outcome.report.entries[static_cast<size_t>(i)];
    EXPECT_EQ(e.input, std::to_string(100 + i) + ".pgm");
    ASSERT_TRUE(e.label);
    EXPECT_EQ(*e.label, data_.labels[static_cast<size_t>(i)]);
    EXPECT_TRUE(e.record.request.remote) << i;  // answered by the server, not finished here
  }
  const RunSummary s = summarize(outcome.report);
  EXPECT_EQ(s.labelled, kImages);
  EXPECT_EQ(s.correct, torch_correct_);
  EXPECT_NE(run_report_json(outcome.report).find("\"accuracy_percent\""), std::string::npos);
}

TEST_F(LiveAccuracy, LabelsThatDoNotMatchTheImagesAreErrors) {
  RunRequest r;
  r.model = kModel;
  r.server = server_->url();
  r.inputs_dir = (dir_ / "images").string();
  r.labels = (dir_ / "short.txt").string();
  r.quiet = true;
  std::ofstream(dir_ / "short.txt") << "1\n2\n";
  try {
    execute_run(r);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("short.txt: 2 labels, but --inputs"), std::string::npos) << e.what();
  }
  std::ofstream(dir_ / "short.txt") << "1\nseven\n";
  try {
    execute_run(r);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("short.txt: line 2: 'seven' is not a class index"), std::string::npos)
        << e.what();
  }
}

TEST_F(LiveAccuracy, ValidateWithDataCountsTheAnswersPerCut) {
  ValidateRequest v;
  v.model = kModel;
  v.server = server_->url();
  v.links = "wifi";
  v.cuts = "0,6";
  v.repeats = 1;
  v.clients = 0;
  v.threads = 1;
  v.data = kFashion;
  v.data_limit = kImages;
  const ValidateReport report = execute_validate(v);
  ASSERT_EQ(report.answers.size(), 2u);
  for (const AnswerAccuracy& a : report.answers) {
    EXPECT_EQ(a.images, kImages) << a.cut;
    EXPECT_EQ(a.fallbacks, 0) << a.cut;
    EXPECT_EQ(a.correct, torch_correct_) << a.cut;
  }
  EXPECT_EQ(report.answers[0].cut, 0);
  EXPECT_EQ(report.answers[1].cut, 6);
}

// With a lossy codec the live answers are those `splitpoint accuracy` measures offline for that cut and codec: the
// device encodes the same cut tensor, the server decodes and runs the same tail (on the first 200 test images).
TEST_F(LiveAccuracy, LiveUint8AnswersAreTheOfflineMeasurement) {
  ValidateRequest v;
  v.model = kModel;
  v.server = server_->url();
  v.links = "wifi";
  v.cuts = "3,4,7";
  v.repeats = 1;
  v.clients = 0;
  v.threads = 1;
  v.codec = "uint8";
  v.data = kFashion;
  v.data_limit = 200;
  const ValidateReport live = execute_validate(v);
  AccuracyRequest a;
  a.model = kModel;
  a.data = kFashion;
  a.limit = 200;
  a.codecs = {"uint8"};
  a.jpeg_qualities = {};
  a.dtypes = {"f32"};
  a.threads = 1;
  const AccuracyReport offline = execute_accuracy(a);
  ASSERT_EQ(live.answers.size(), 3u);
  for (const AnswerAccuracy& answer : live.answers) {
    const auto s = std::find_if(offline.splits.begin(), offline.splits.end(),
                                [&](const SplitAccuracy& e) { return e.cut == answer.cut; });
    ASSERT_NE(s, offline.splits.end());
    EXPECT_EQ(answer.images, 200);
    EXPECT_EQ(answer.correct, s->count.correct) << "cut " << answer.cut;
  }
}

}  // namespace
}  // namespace splitpoint
