#include "app/agreement_request.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/cut_tails.h"
#include "app/model_source.h"
#include "core/error.h"
#include "core/image.h"
#include "core/npy.h"
#include "core/version.h"
#include "cost/cut_codec.h"
#include "cost/device_resolution.h"
#include "engine/backend.h"
#include "engine/top_k.h"
#include "profile/machine_info.h"
#include "quant/quantize_weights.h"

namespace splitpoint {

namespace {

constexpr int64_t kMaxImages = 100000;

bool is_image_file(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* e : {".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".pgm", ".pnm"})
    if (ext == e) return true;
  return false;
}

bool is_npy(const std::filesystem::path& p) { return p.extension() == ".npy"; }

// The images of `images`, each as the model's input tensor (f32, or quantized for an 8-bit input).
struct ImageSource {
  std::vector<std::filesystem::path> files;  // image files, or none for a .npy
  NpyArray npy;                              // N,H,W,3 uint8
  int64_t count = 0;
  std::string name(int64_t i) const {
    return files.empty() ? fmt::format("{}[{}]", npy_path, i) : files[static_cast<size_t>(i)].filename().string();
  }
  std::string npy_path;
};

ImageSource open_images(const AgreementRequest& o, const Shape& shape) {
  ImageSource s;
  const std::filesystem::path path = o.images;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(path)) {
      if (!entry.is_regular_file() || !is_image_file(entry.path())) continue;
      if (static_cast<int64_t>(s.files.size()) >= kMaxImages)
        throw Error(ErrorKind::kTooLarge, fmt::format("--images {}: more than {} image files", o.images, kMaxImages));
      s.files.push_back(entry.path());
    }
    std::sort(s.files.begin(), s.files.end());
    if (s.files.empty())
      throw Error(fmt::format("--images {}: no image file (.png, .jpg, .jpeg, .bmp, .ppm, .pgm) in the directory",
                              o.images));
    s.count = static_cast<int64_t>(s.files.size());
  } else if (is_npy(path)) {
    s.npy = read_npy(path);
    s.npy_path = o.images;
    if (s.npy.descr != "|u1" || s.npy.shape.size() != 4 || s.npy.shape[3] != 3)
      throw Error(fmt::format("{}: the images must be uint8 N,H,W,3 (as numpy.save writes them), are {} of shape ({})",
                              o.images, s.npy.descr, fmt::join(s.npy.shape, ",")));
    if (s.npy.shape[1] != shape[1] || s.npy.shape[2] != shape[2])
      throw Error(fmt::format("{}: the images are {}x{}, the model's input {}x{} (a .npy is not resized)", o.images,
                              s.npy.shape[1], s.npy.shape[2], shape[1], shape[2]));
    if (s.npy.shape[0] < 1 || s.npy.shape[0] > kMaxImages)
      throw Error(fmt::format("{}: {} images, 1..{} are taken", o.images, s.npy.shape[0], kMaxImages));
    s.count = s.npy.shape[0];
  } else if (std::filesystem::is_regular_file(path, ec)) {
    if (!is_image_file(path))
      throw Error(fmt::format("--images {}: not an image file (.png, .jpg, .jpeg, .bmp, .ppm, .pgm), a .npy or a "
                              "directory", o.images));
    s.files.push_back(path);
    s.count = 1;
  } else {
    throw Error(fmt::format("--images {}: no such file or directory", o.images));
  }
  if (o.limit > 0) s.count = std::min(s.count, o.limit);
  return s;
}

Tensor input_tensor(const ImageSource& s, int64_t i, const TensorInfo& input, Preprocess preprocess) {
  const Shape f32_shape = input.shape;
  Tensor image;
  if (s.files.empty()) {
    const size_t bytes = static_cast<size_t>(f32_shape[1] * f32_shape[2] * 3);
    image = pixels_tensor(s.npy.data.data() + static_cast<size_t>(i) * bytes, f32_shape, preprocess);
  } else {
    image = load_image(s.files[static_cast<size_t>(i)].string(), f32_shape, preprocess);
  }
  if (input.dtype == DType::f32) return image;
  if (input.quant.scales.size() != 1)
    throw Error(ErrorKind::kUnsupported,
                fmt::format("input '{}' is {} without one scale and zero point; it cannot take an image", input.name,
                            dtype_name(input.dtype)));
  return quantize_tensor(image, input.dtype, input.quant);
}

int64_t top1(const Tensor& output, const TensorSpec& spec) { return top_k(real_values(output, spec.quant), 1).front().index; }

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.bytes() == b.bytes() && std::memcmp(a.data(), b.data(), a.bytes()) == 0;
}

}  // namespace

void check_agreement_request(const AgreementRequest& o) {
  if (o.model.empty()) throw Error("give MODEL (a .tflite or .onnx file, or a zoo name)");
  if (o.images.empty()) throw Error("give --images (a directory of images, an image file or a .npy)");
  parse_preprocess(o.preprocess);
  if (o.limit < 0) throw Error(fmt::format("--limit must be 0 (all) or more, is {}", o.limit));
  if (o.threads < 1) throw Error(fmt::format("--threads must be at least 1, is {}", o.threads));
  if (o.codecs.empty()) throw Error("--codecs: give at least one codec");
  for (const std::string& codec : o.codecs) parse_codec(codec);
}

AgreementReport execute_agreement(const AgreementRequest& o) {
  check_agreement_request(o);
  std::vector<CutCodec> codecs;
  for (const std::string& c : o.codecs) codecs.push_back(parse_codec(c));
  const Preprocess preprocess = parse_preprocess(o.preprocess);
  const Graph graph = load_model(o.model, /*with_weights=*/true);
  if (graph.inputs().size() != 1 || graph.outputs().size() != 1)
    throw Error(ErrorKind::kUnsupported,
                fmt::format("{}: top-1 agreement needs a model with one input and one output, it has {} and {}",
                            graph.name, graph.inputs().size(), graph.outputs().size()));
  const TensorInfo& input = graph.tensor(graph.inputs()[0]);
  if (input.shape.rank() != 4 || input.shape[0] != 1 || input.shape[3] != 3)
    throw Error(ErrorKind::kUnsupported,
                fmt::format("{}: the model's input is {}, not an RGB image 1,H,W,3", graph.name, input.shape.to_string()));
  const ImageSource images = open_images(o, input.shape);
  auto backend = make_backend(o.backend.empty() ? default_backend_name() : o.backend);
  CompileOptions options;
  options.threads = o.threads;

  AgreementReport report;
  report.model = model_name_of(o.model);
  report.tool = kToolVersion;
  report.date = utc_iso8601(std::chrono::system_clock::now());
  report.images_source = o.images;
  report.preprocess = o.preprocess;
  report.input_dtype = dtype_name(input.dtype);
  report.backend = backend->name();
  report.threads = o.threads;

  if (o.stage) o.stage(fmt::format("compiling {} and its {} tails", graph.name, group_layers(graph).size()));
  CutTails tails = compile_cut_tails(*backend, graph, options);
  report.layers = static_cast<int>(tails.layers.size());
  const TensorSpec& output_spec = tails.whole->outputs().at(0);
  for (size_t k = 0; k <= tails.layers.size(); ++k) {
    int64_t native = 0;
    if (k < tails.tails.size())
      for (const TensorSpec& spec : tails.tails[k].executable->inputs())
        native += spec.shape.elements() * static_cast<int64_t>(dtype_size(spec.dtype));
    for (const CutCodec& codec : codecs) {
      SplitAgreement s;
      s.cut = static_cast<int>(k);
      s.layer = k == 0 ? "input" : graph.node(tails.layers[k - 1].main).name;
      s.codec = codec_name(codec);
      s.native_bytes = native;
      report.splits.push_back(s);
    }
  }
  if (o.stage)
    o.stage(fmt::format("{} cuts x {} codecs on {} images", tails.layers.size() + 1, codecs.size(), images.count));
  for (int64_t i = 0; i < images.count; ++i) {
    const Tensor x = input_tensor(images, i, input, preprocess);
    const Tensor whole = tails.whole->run(std::span<const Tensor>(&x, 1))[0];
    const int64_t answer = top1(whole, output_spec);
    report.answers.push_back({images.name(i), answer});
    const std::vector<Tensor> values = run_all_values(tails, x);
    size_t entry = 0;
    for (CutTail& tail : tails.tails) {
      for (const CutCodec& codec : codecs) {
        SplitAgreement& s = report.splits[entry++];
        std::vector<Tensor> decoded;
        for (size_t t = 0; t < tail.value_index.size(); ++t)
          decoded.push_back(
              through_codec(values[tail.value_index[t]], tail.executable->inputs()[t], codec, s.total_bytes));
        const Tensor out = tail.executable->run(decoded)[0];
        ++s.images;
        if (top1(out, output_spec) == answer) ++s.agree;
        if (same_bits(out, whole)) ++s.identical;
      }
    }
    for (size_t c = 0; c < codecs.size(); ++c) {  // cut L: the unsplit model's own answer
      SplitAgreement& s = report.splits[entry++];
      ++s.images, ++s.agree, ++s.identical;
    }
    if (o.progress) o.progress(i + 1, images.count);
  }
  for (SplitAgreement& s : report.splits)
    s.mean_bytes = s.images ? static_cast<double>(s.total_bytes) / static_cast<double>(s.images) : 0;
  return report;
}

std::string agreement_to_json(const AgreementReport& r) {
  nlohmann::ordered_json j;
  j["schema"] = "splitpoint-agreement";
  j["schema_version"] = 1;
  j["model"] = r.model;
  j["tool"] = r.tool;
  j["date"] = r.date;
  j["images_source"] = r.images_source;
  j["images"] = r.answers.size();
  j["preprocess"] = r.preprocess;
  j["input_dtype"] = r.input_dtype;
  j["measured_with"] = {{"backend", r.backend}, {"threads", r.threads}};
  j["layers"] = r.layers;
  j["answers"] = nlohmann::ordered_json::array();
  for (const ImageAnswer& a : r.answers) j["answers"].push_back({{"image", a.image}, {"top1", a.top1}});
  j["splits"] = nlohmann::ordered_json::array();
  for (const SplitAgreement& s : r.splits)
    j["splits"].push_back({{"cut", s.cut}, {"layer", s.layer}, {"codec", s.codec}, {"agree", s.agree},
                           {"images", s.images}, {"agreement_percent", s.agreement_percent()},
                           {"identical", s.identical}, {"total_bytes", s.total_bytes}, {"mean_bytes", s.mean_bytes},
                           {"native_bytes", s.native_bytes}});
  return j.dump(2) + "\n";
}

}  // namespace splitpoint
