#pragma once
// `splitpoint accuracy MODEL --images PATH` as a request executed: for a model without labelled data (an ImageNet
// classifier with real weights, e.g. Coral's quantized MobileNets in data/models), how often every split with
// each cut codec gives the unsplit model's top-1 answer, on real images:
//   - the unsplit model (in its own precision: an 8-bit .tflite runs in 8 bits) answers each image: its top-1;
//   - every cut 0..L-1 with each codec: the model run once with every node's output kept, each cut's tensors
//     through the codec (app/cut_tails.h: an 8-bit tensor's real values encoded, decoded and quantized back with
//     its own scale and zero point), the tail (layers k+1..L) run on them; `agree` counts the images whose top-1
//     is the unsplit model's, `identical` those whose whole output is the unsplit model's, bit for bit. Cut L
//     sends nothing and is the unsplit model.
// Images (`images`): a directory of image files (PNG, JPEG, BMP, PGM/PPM; by name, sorted), one image file, each
// decoded, resized to the model's input (bilinear) and scaled per `preprocess` (core/image.h); or a .npy uint8
// array N,H,W,3 already at the input's size (scaled the same, not resized). An 8-bit model input takes the scaled
// image quantized with its own scale and zero point (what `exec --input` does).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace splitpoint {

struct AgreementRequest {
  std::string model;
  std::string images;
  std::string preprocess = "tf";  // Coral's MobileNets take [-1, 1] (their uint8 input: scale 1/128, zero point 128)
  int64_t limit = 0;              // the first N images (0: all)
  std::vector<std::string> codecs = {"fp32", "fp16", "uint8", "uint8+zstd", "uint8+lz4"};
  std::string backend;  // empty: the default
  int threads = 2;
  std::function<void(const std::string&)> stage;
  std::function<void(int64_t done, int64_t total)> progress;
};

struct ImageAnswer {
  std::string image;  // the file's name, or "FILE.npy[i]"
  int64_t top1 = 0;   // the unsplit model's
};

struct SplitAgreement {
  int cut = 0;
  std::string layer;  // the layer before the cut ("input" for cut 0)
  std::string codec;
  int64_t agree = 0;
  int64_t identical = 0;
  int64_t images = 0;
  int64_t total_bytes = 0;   // the codec's encoded element bytes over all images
  double mean_bytes = 0;     // per image
  int64_t native_bytes = 0;  // the cut's tensors per image in the model's own element types
  double agreement_percent() const {
    return images == 0 ? 0.0 : 100.0 * static_cast<double>(agree) / static_cast<double>(images);
  }
};

struct AgreementReport {
  std::string model;
  std::string tool;
  std::string date;
  std::string images_source;
  std::string preprocess;
  std::string input_dtype;  // the model's input: f32, u8 or i8
  std::string backend;
  int threads = 0;
  int layers = 0;
  std::vector<ImageAnswer> answers;
  std::vector<SplitAgreement> splits;  // by cut 0..L, then codec in the request's order
};

// Throws Error (bad input, naming the option) before any long work.
void check_agreement_request(const AgreementRequest& request);

AgreementReport execute_agreement(const AgreementRequest& request);

// The report as JSON (schema "splitpoint-agreement", version 1; docs/accuracy.md).
std::string agreement_to_json(const AgreementReport& report);

}  // namespace splitpoint
