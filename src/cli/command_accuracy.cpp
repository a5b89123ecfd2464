// `splitpoint accuracy MODEL --data D`: top-1 accuracy of the whole model (fp32, u8, i8), of every cut with each
// cut-tensor codec, and of the JPEG input baseline, with the bytes each sends. The work is
// app/accuracy_request.h's; this file parses and prints.
// `splitpoint accuracy MODEL --images PATH`: without labels, the top-1 agreement of every cut and codec with the
// unsplit model (app/agreement_request.h).
#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "plan/accuracy_json.h"
#include "app/accuracy_request.h"
#include "app/agreement_request.h"
#include "core/error.h"
#include "cli/commands.h"
#include "cli/model_precision.h"
#include "cli/output_file.h"
#include "core/file_io.h"
#include "profile/progress_bar.h"

namespace splitpoint::cli {

namespace {

struct AccuracyOptions {
  AccuracyRequest request;
  std::string images;      // --images: the agreement mode
  std::string preprocess = "tf";
  std::string json;
};

std::string bytes_text(double bytes) { return fmt::format("{:.1f} B", bytes); }

void print_report(const AccuracyReport& r) {
  fmt::print("{}: top-1 accuracy on {} images of {} (backend {}, {} threads)\n", r.model, r.images, r.data, r.backend,
             r.threads);
  if (!r.calibration.empty())
    fmt::print("8-bit models calibrated on {} images of {}\n", r.calibration_samples, r.calibration);
  fmt::print("\nwhole model (all on one side):\n");
  for (const WholeAccuracy& w : r.whole)
    fmt::print("  {:<4} {:>7.2f} %  ({} of {})\n", w.dtype, w.count.percent(), w.count.correct, w.count.images);
  const double f32 = r.whole.empty() || r.whole.front().dtype != "f32" ? 0 : r.whole.front().count.percent();
  fmt::print("\nsplit after layer k (the tail runs on the decoded cut tensors); bytes sent per image:\n");
  fmt::print("{:>4} {:<16} {:<12} {:>12} {:>9} {:>10} {:>10}\n", "cut", "layer", "codec", "bytes", "accuracy",
             "drop (pp)", "identical");
  for (const SplitAccuracy& s : r.splits)
    fmt::print("{:>4} {:<16} {:<12} {:>12} {:>7.2f} % {:>10.2f} {:>10}\n", s.cut, s.layer.substr(0, 16), s.codec,
               bytes_text(s.mean_bytes), s.count.percent(), f32 - s.count.percent(), s.identical);
  fmt::print("\nsend the input as JPEG (cut 0; the raw image is {} B):\n", r.raw_input_bytes);
  for (const JpegAccuracy& j : r.jpeg)
    fmt::print("  quality {:>3} {:>12} {:>7.2f} % {:>10.2f}\n", j.quality, bytes_text(j.mean_bytes), j.count.percent(),
               f32 - j.count.percent());
}

void print_agreement(const AgreementReport& r) {
  fmt::print("{} ({} input): top-1 agreement with the unsplit model on {} images of {} (backend {}, {} threads)\n",
             r.model, r.input_dtype, r.answers.size(), r.images_source, r.backend, r.threads);
  for (const ImageAnswer& a : r.answers) fmt::print("  {}: top-1 {}\n", a.image, a.top1);
  fmt::print("\nsplit after layer k (the tail runs on the decoded cut tensors); bytes sent per image:\n");
  fmt::print("{:>4} {:<24} {:<12} {:>12} {:>12} {:>10} {:>10}\n", "cut", "layer", "codec", "bytes", "own bytes",
             "agree", "identical");
  for (const SplitAgreement& s : r.splits)
    fmt::print("{:>4} {:<24} {:<12} {:>12} {:>12} {:>10} {:>10}\n", s.cut, s.layer.substr(0, 24), s.codec,
               bytes_text(s.mean_bytes), s.native_bytes, fmt::format("{}/{}", s.agree, s.images),
               fmt::format("{}/{}", s.identical, s.images));
}

AgreementRequest agreement_request(const AccuracyOptions& o) {
  AgreementRequest a;
  a.model = o.request.model;
  a.images = o.images;
  a.preprocess = o.preprocess;
  a.limit = o.request.limit;
  a.codecs = o.request.codecs;
  a.backend = o.request.backend;
  a.threads = o.request.threads;
  return a;
}

int run_agreement(const AccuracyOptions& o) {
  if (!o.request.data.empty()) throw Error("give --data (labelled images) or --images (agreement), not both");
  AgreementRequest request = agreement_request(o);
  check_agreement_request(request);
  check_output_file("--json", o.json);
  auto bar = std::make_shared<ProgressBar>(stderr, ::isatty(fileno(stderr)) != 0);
  request.stage = [bar](const std::string& text) { bar->stage(text); };
  request.progress = [bar](int64_t done, int64_t total) { bar->runs(static_cast<int>(done), static_cast<int>(total)); };
  const AgreementReport report = execute_agreement(request);
  bar->finish();
  print_agreement(report);
  if (!o.json.empty()) {
    write_file_atomically(o.json, agreement_to_json(report));
    fmt::print("wrote {}\n", o.json);
  }
  return 0;
}

int run_accuracy(const AccuracyOptions& o) {
  if (!o.images.empty()) return run_agreement(o);
  check_accuracy_request(o.request);
  check_output_file("--json", o.json);
  AccuracyRequest request = o.request;
  auto bar = std::make_shared<ProgressBar>(stderr, ::isatty(fileno(stderr)) != 0);
  request.stage = [bar](const std::string& text) { bar->stage(text); };
  request.progress = [bar](int64_t done, int64_t total) { bar->runs(static_cast<int>(done), static_cast<int>(total)); };
  const AccuracyReport report = execute_accuracy(request);
  bar->finish();
  print_report(report);
  if (!o.json.empty()) {
    write_file_atomically(o.json, accuracy_to_json(report));
    fmt::print("wrote {}\n", o.json);
  }
  return 0;
}

}  // namespace

void add_accuracy_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "accuracy",
      "Top-1 accuracy of MODEL on labelled images: the whole model in fp32, u8 and i8 (quantized here, calibrated\n"
      "on the training images), every cut with each cut-tensor codec, and the input sent as JPEG, with the bytes\n"
      "each sends per image (the rate-accuracy table). With --images instead of --data (no labels): the top-1\n"
      "agreement of every cut and codec with the unsplit model (an ImageNet model with real weights).");
  auto options = std::make_shared<AccuracyOptions>();
  AccuracyRequest* o = &options->request;
  // MODEL, --backend, --threads and the calibration of the 8-bit models (--calibration-samples, --calibration,
  // --percentile); the precisions measured are --dtypes.
  add_model_run_options(*cmd, o->model, o->backend, o->precision, o->threads, /*with_dtype=*/false);
  cmd->add_option("--data", o->data,
                  "Labelled images: a directory with t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] "
                  "(e.g. /usr/share/datasets/fashion-mnist), a folder per class, or an IDX or .npy images file with --labels");
  cmd->add_option("--images", options->images,
                  "Unlabelled images for the top-1 agreement with the unsplit model instead of accuracy: a directory "
                  "of image files, one image file, or a .npy uint8 N,H,W,3 at the model's input size");
  cmd->add_option("--preprocess", options->preprocess,
                  "With --images: unit, caffe, torch or tf (Coral's MobileNets: tf, [-1, 1])")
      ->capture_default_str();
  cmd->add_option("--labels", o->labels, "With an IDX images file as --data: its IDX labels file; with a .npy images file (uint8 N,H,W[,C]): "
                  "its .npy labels (any integer type)");
  cmd->add_option("--calibration-data", o->calibration_data,
                  "IDX images to calibrate the 8-bit models on (default: train-images-idx3-ubyte[.gz] beside the "
                  "test files, else the test images)");
  cmd->add_option("--limit", o->limit, "Only the first N images (0: all)")->capture_default_str();
  cmd->add_option("--codecs", o->codecs, "Cut-tensor codecs")->delimiter(',')->capture_default_str();
  cmd->add_option("--jpeg-qualities", o->jpeg_qualities, "JPEG qualities of the input baseline")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--dtypes", o->dtypes, "Whole-model precisions (f32, u8, i8)")->delimiter(',')->capture_default_str();
  cmd->add_option("--json", options->json, "Write the results as JSON here (docs/accuracy.md)");
  cmd->callback([options, &exit_code] { exit_code = run_accuracy(*options); });
}

}  // namespace splitpoint::cli
