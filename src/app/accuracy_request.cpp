#include "app/accuracy_request.h"

#include <fmt/core.h>

#include <chrono>
#include <cstring>
#include <map>
#include <memory>

#include "app/cut_tails.h"
#include "app/model_source.h"
#include "core/error.h"
#include "core/version.h"
#include "cost/cut_codec.h"
#include "cost/device_resolution.h"
#include "cost/jpeg_codec.h"
#include "dataset/labelled_images.h"
#include "engine/backend.h"
#include "engine/calibrate.h"
#include "engine/top_k.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "profile/machine_info.h"
#include "quant/quantize.h"

namespace splitpoint {

void check_accuracy_request(const AccuracyRequest& o) {
  if (o.model.empty()) throw Error("give MODEL (a .onnx or .tflite file, or a zoo name)");
  if (o.data.empty())
    throw Error("give --data (a directory of IDX files, a folder per class, or an IDX images file), or --images for the "
                "top-1 agreement with the unsplit model");
  check_precision_options(o.precision);
  if (o.limit < 0) throw Error(fmt::format("--limit must be 0 (all) or more, is {}", o.limit));
  if (o.threads < 1) throw Error(fmt::format("--threads must be at least 1, is {}", o.threads));
  for (const std::string& codec : o.codecs) parse_codec(codec);
  for (int q : o.jpeg_qualities)
    if (q < 1 || q > 100) throw Error(fmt::format("--jpeg-qualities: {} is outside 1..100", q));
  for (const std::string& d : o.dtypes)
    if (d != "f32" && d != "u8" && d != "i8") throw Error(fmt::format("--dtypes: '{}' is not f32, u8 or i8", d));
}

const TensorInfo& image_input(const Graph& graph, const LabelledImages& data) {
  if (graph.inputs().size() != 1 || graph.outputs().size() != 1)
    throw Error(ErrorKind::kUnsupported,
                fmt::format("{}: labelled images need a model with one input and one output, it has {} and {}", graph.name,
                            graph.inputs().size(), graph.outputs().size()));
  const TensorInfo& input = graph.tensor(graph.inputs()[0]);
  const Shape& s = input.shape;
  if (input.dtype != DType::f32 || s.rank() != 4 || s[0] != 1 || s[1] != data.height || s[2] != data.width ||
      s[3] != data.channels)
    throw Error(fmt::format("{}: the model's input is {} {}, the images of {} are 1x{}x{}x{} (N,H,W,C)", graph.name,
                            dtype_name(input.dtype), s.to_string(), data.source, data.height, data.width,
                            data.channels));
  return input;
}

namespace {

// Image `i` as the model's input: pixels / 255.
Tensor input_of(const uint8_t* pixels, const Shape& shape) { return unit_tensor(pixels, shape); }

int64_t top1(const Tensor& output) { return top_k(output, 1).front().index; }

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.bytes() == b.bytes() && std::memcmp(a.data(), b.data(), a.bytes()) == 0;
}

// The calibration images: the request's file, the training images beside the data, or the test images.
LabelledImages calibration_images(const AccuracyRequest& o, const DataSource& source, std::string& described) {
  if (!o.calibration_data.empty()) {
    described = o.calibration_data;
    return read_idx_images(o.calibration_data);
  }
  if (source.calibration_images) {
    described = source.calibration_images->string();
    return read_idx_images(*source.calibration_images);
  }
  described = source.test.source + " (the test images: no training images given)";
  return source.test;
}

void count(AccuracyCount& c, bool right) {
  ++c.images;
  if (right) ++c.correct;
}

// Splits and JPEG on one image; `whole_output` is the fp32 model's.
void measure_image(CutTails& r, const std::vector<CutCodec>& codecs, const std::vector<int>& qualities,
                   const LabelledImages& data, int64_t i, const Tensor& input, const Tensor& whole_output,
                   AccuracyReport& report) {
  const int64_t label = data.labels[static_cast<size_t>(i)];
  const std::vector<Tensor> values = run_all_values(r, input);
  size_t entry = 0;
  for (size_t k = 0; k < r.tails.size(); ++k) {
    CutTail& tail = r.tails[k];
    for (const CutCodec& codec : codecs) {
      SplitAccuracy& s = report.splits[entry++];
      std::vector<Tensor> decoded;
      for (size_t t = 0; t < tail.value_index.size(); ++t)
        decoded.push_back(
            through_codec(values[tail.value_index[t]], tail.executable->inputs()[t], codec, s.total_bytes));
      const std::vector<Tensor> out = tail.executable->run(decoded);
      if (same_bits(out[0], whole_output)) ++s.identical;
      count(s.count, top1(out[0]) == label);
    }
  }
  for (const CutCodec& codec : codecs) {  // cut L: nothing sent, the whole model's answer
    (void)codec;
    SplitAccuracy& s = report.splits[entry++];
    ++s.identical;
    count(s.count, top1(whole_output) == label);
  }
  for (size_t q = 0; q < qualities.size(); ++q) {
    const auto w = static_cast<int>(data.width), h = static_cast<int>(data.height);
    JpegAccuracy& j = report.jpeg[q];
    std::vector<uint8_t> pixels;
    if (data.channels == 1) {
      const std::vector<uint8_t> jpeg = encode_jpeg_gray(data.image(i), w, h, qualities[q]);
      j.total_bytes += static_cast<int64_t>(jpeg.size());
      int dw = 0, dh = 0;
      pixels = decode_jpeg_gray(jpeg, dw, dh);
    } else {
      const std::vector<uint8_t> jpeg = encode_jpeg(data.image(i), w, h, qualities[q]);
      j.total_bytes += static_cast<int64_t>(jpeg.size());
      pixels = decode_jpeg(jpeg).rgb;
    }
    const Tensor decoded = input_of(pixels.data(), input.shape());
    count(j.count, top1(r.whole->run(std::span<const Tensor>(&decoded, 1))[0]) == label);
  }
}

std::vector<SplitAccuracy> split_entries(const CutTails& r, const std::vector<CutCodec>& codecs) {
  std::vector<SplitAccuracy> out;
  for (size_t k = 0; k <= r.layers.size(); ++k)
    for (const CutCodec& codec : codecs) {
      SplitAccuracy s;
      s.cut = static_cast<int>(k);
      s.layer = k == 0 ? "input" : r.graph.node(r.layers[k - 1].main).name;
      s.codec = codec_name(codec);
      out.push_back(s);
    }
  return out;
}

// The 8-bit model's accuracy, quantized from `graph` on `calibration`.
AccuracyCount quantized_accuracy(const Backend& backend, const Graph& graph, QuantScheme scheme,
                                 const std::vector<std::vector<Tensor>>& calibration, const CompileOptions& options,
                                 const LabelledImages& data, int64_t images, const Shape& shape,
                                 const AccuracyRequest& o) {
  CalibrationOptions calibration_options;
  calibration_options.threads = options.threads;
  calibration_options.method = parse_range_method(o.precision.calibration_method);
  calibration_options.percentile = o.precision.percentile;
  const QuantizedModel quantized = quantize_model(backend, graph, scheme, calibration, calibration_options);
  auto executable = backend.compile(quantized.graph, options);
  if (o.stage) o.stage(fmt::format("the whole model in {} on {} images", quant_scheme_name(scheme), images));
  AccuracyCount c;
  for (int64_t i = 0; i < images; ++i) {
    const Tensor input = input_of(data.image(i), shape);
    count(c, top1(executable->run(std::span<const Tensor>(&input, 1))[0]) == data.labels[static_cast<size_t>(i)]);
    if (o.progress) o.progress(i + 1, images);
  }
  return c;
}

}  // namespace

AccuracyReport execute_accuracy(const AccuracyRequest& o) {
  check_accuracy_request(o);
  std::vector<CutCodec> codecs;
  for (const std::string& c : o.codecs) codecs.push_back(parse_codec(c));
  const DataSource source =
      open_data_source(o.data, o.labels.empty() ? std::nullopt : std::optional<std::filesystem::path>(o.labels));
  const LabelledImages& data = source.test;
  const Graph graph = load_model(o.model, /*with_weights=*/true);
  if (graph.has_8bit_activations())
    throw Error(ErrorKind::kUnsupported,
                fmt::format("{} is an 8-bit model; accuracy takes a float model and quantizes it here", graph.name));
  const Shape shape = image_input(graph, data).shape;
  auto backend = make_backend(o.backend.empty() ? default_backend_name() : o.backend);
  CompileOptions options;
  options.threads = o.threads;

  AccuracyReport report;
  report.model = model_name_of(o.model);
  report.tool = kToolVersion;
  report.date = utc_iso8601(std::chrono::system_clock::now());
  report.data = data.source;
  report.backend = backend->name();
  report.threads = o.threads;
  report.images = o.limit > 0 ? std::min(o.limit, data.count) : data.count;
  report.raw_input_bytes = data.image_bytes();

  if (o.stage) o.stage(fmt::format("compiling {} and its {} tails", graph.name, group_layers(graph).size()));
  CutTails runner = compile_cut_tails(*backend, graph, options);
  report.layers = static_cast<int>(runner.layers.size());
  report.splits = split_entries(runner, codecs);
  for (int q : o.jpeg_qualities) report.jpeg.push_back(JpegAccuracy{q, {}, 0, 0});
  const bool want_f32 = std::find(o.dtypes.begin(), o.dtypes.end(), "f32") != o.dtypes.end();
  WholeAccuracy f32{"f32", {}};
  if (o.stage)
    o.stage(fmt::format("fp32, {} cuts x {} codecs and {} JPEG qualities on {} images", runner.layers.size() + 1,
                        codecs.size(), o.jpeg_qualities.size(), report.images));
  for (int64_t i = 0; i < report.images; ++i) {
    const Tensor input = input_of(data.image(i), shape);
    const Tensor whole_output = runner.whole->run(std::span<const Tensor>(&input, 1))[0];
    count(f32.count, top1(whole_output) == data.labels[static_cast<size_t>(i)]);
    measure_image(runner, codecs, o.jpeg_qualities, data, i, input, whole_output, report);
    if (o.progress) o.progress(i + 1, report.images);
  }
  if (want_f32) report.whole.push_back(f32);
  for (SplitAccuracy& s : report.splits)
    s.mean_bytes = report.images ? static_cast<double>(s.total_bytes) / static_cast<double>(report.images) : 0;
  for (JpegAccuracy& j : report.jpeg)
    j.mean_bytes = report.images ? static_cast<double>(j.total_bytes) / static_cast<double>(report.images) : 0;

  std::vector<std::vector<Tensor>> calibration;
  for (const std::string& dtype : o.dtypes) {
    if (dtype == "f32") continue;
    if (calibration.empty()) {
      const LabelledImages images = calibration_images(o, source, report.calibration);
      if (images.height != data.height || images.width != data.width || images.channels != data.channels)
        throw Error(fmt::format("{}: calibration images are {}x{}x{}, the test images {}x{}x{}", report.calibration,
                                images.height, images.width, images.channels, data.height, data.width,
                                data.channels));
      report.calibration_samples = static_cast<int>(std::min<int64_t>(o.precision.calibration_samples, images.count));
      if (o.stage) o.stage(fmt::format("calibrating on {} images of {}", report.calibration_samples, report.calibration));
      for (int i = 0; i < report.calibration_samples; ++i) calibration.push_back({input_of(images.image(i), shape)});
    }
    report.whole.push_back({dtype, quantized_accuracy(*backend, graph, parse_quant_scheme(dtype), calibration, options,
                                                      data, report.images, shape, o)});
  }
  return report;
}

}  // namespace splitpoint
