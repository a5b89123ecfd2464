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

#include "app/model_precision.h"
#include "dataset/labelled_images.h"
#include "graph/graph.h"
#include "plan/accuracy_table.h"

namespace splitpoint {

struct AccuracyRequest {
  std::string model;
  std::string data;    // dataset/labelled_images.h open_data_source
  std::string labels;  // with an IDX images file as `data`
  std::string calibration_data;  // an IDX images file; empty: the training images beside the data, if any
  // Calibration of the 8-bit models: images, range method, percentile (the dtype is not used: `dtypes` are).
  PrecisionOptions precision{"f32", 200, "minmax", 99.99};
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

// The model's one image input (f32, 1xHxWxC), checked against the images' size: Error (naming both) otherwise.
const TensorInfo& image_input(const Graph& graph, const LabelledImages& data);

// Throws Error (bad input, naming the option) before any long work.
void check_accuracy_request(const AccuracyRequest& request);

AccuracyReport execute_accuracy(const AccuracyRequest& request);

}  // namespace splitpoint
