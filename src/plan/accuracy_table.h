#pragma once
// The rate-accuracy table `splitpoint accuracy` measures (app/accuracy_request.h): top-1 accuracy of the whole
// model per precision, of every cut with each cut-tensor codec and of the input sent as JPEG, with the bytes each
// sends. Plain data: written and read as the accuracy JSON (plan/accuracy_json.h), planned with
// (plan/accuracy_bound.h), charted (report).
#include <cstdint>
#include <string>
#include <vector>

namespace splitpoint {

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

}  // namespace splitpoint
