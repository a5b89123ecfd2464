#pragma once
// `splitpoint accuracy` as a request executed: top-1 accuracy of a model on labelled images
// (dataset/labelled_images.h), with the bytes each way of sending sends:
//   - the whole model in fp32, and quantized here to u8 and i8 (quant/quantize.h), calibrated on the data set's
//     training images (or, without them, the first test images, said in the report);
//   - every cut 0..L with each cut-tensor codec (cost/cut_codec.h): the float model's cut tensors encoded and
//     decoded, the tail run on the decoded tensors; bytes are the encoded element bytes (header not counted) as
//     the device sends them; cut L sends nothing;
//   - the input-compression baseline: each image as JPEG at several qualities, decoded, the whole float model
//     run on it (cut 0).
// Inputs are the images' pixels / 255 (the `unit` scaling; scripts/train-fashion-mnist trains on the same).
// A lossless codec gives, image by image, the whole model's output bit for bit: `identical` counts those images.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace splitpoint {

struct AccuracyRequest {
  std::string model;
  std::string data;    // dataset/labelled_images.h open_data_source
  std::string labels;  // with an IDX images file as `data`
  std::string calibration_data;  // an IDX images file; empty: the training images beside the data, if any
  int calibration_samples = 200;
  int64_t limit = 0;   // the first N images (0: all)
  std::vector<std::string> codecs = {"fp32", "fp16", "uint8", "uint8+zstd", "uint8+lz4"};
  std::vector<int> jpeg_qualities = {10, 25, 50, 75, 90};
  std::vector<std::string> dtypes = {"f32", "u8", "i8"};  // the whole model's
  std::string backend;  // empty: the default
  int threads = 2;
  // Progress: a stage's text, and images done of the total.
  std::function<void(const std::string&)> stage;
  std::function<void(int64_t done, int64_t total)> progress;
};

struct AccuracyCount {
  int64_t correct = 0;
  int64_t images = 0;
  double percent() const { return images == 0 ? 0.0 : 100.0 * static_cast<double>(correct) / static_cast<double>(images); }
};

struct WholeAccuracy {
  std::string dtype;  // f32, u8, i8
  AccuracyCount count;
};

struct SplitAccuracy {
  int cut = 0;            // 0..L
  std::string layer;      // the layer before the cut ("input" for cut 0)
  std::string codec;      // codec_name
  AccuracyCount count;
  int64_t total_bytes = 0;  // over all images
  double mean_bytes = 0;    // per image
  int64_t identical = 0;    // images whose output is the whole fp32 model's, bit for bit
};

struct JpegAccuracy {
  int quality = 0;
  AccuracyCount count;
  int64_t total_bytes = 0;
  double mean_bytes = 0;
};

struct AccuracyReport {
  std::string model;
  std::string tool;
  std::string date;
  std::string data;         // the test images' source
  std::string calibration;  // the calibration images' source
  int calibration_samples = 0;
  std::string backend;
  int threads = 0;
  int64_t images = 0;
  int64_t raw_input_bytes = 0;  // one image's 8-bit pixels
  int layers = 0;
  std::vector<WholeAccuracy> whole;
  std::vector<SplitAccuracy> splits;  // by cut, then codec in the request's order
  std::vector<JpegAccuracy> jpeg;
};

// Throws Error (bad input, naming the option) before any long work.
void check_accuracy_request(const AccuracyRequest& request);

AccuracyReport execute_accuracy(const AccuracyRequest& request);

}  // namespace splitpoint
