#include "plan/accuracy_json.h"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "core/json_document.h"
#include "core/json_field.h"

namespace splitpoint {

namespace {

// One row of `whole`, `splits` or `jpeg`: its own fields, the count, and the bytes when the row sends any.
nlohmann::json row_json(nlohmann::json own, const AccuracyCount& c, const int64_t* total_bytes = nullptr,
                        double mean_bytes = 0) {
  own["correct"] = c.correct;
  own["images"] = c.images;
  own["accuracy_percent"] = c.percent();
  if (total_bytes) {
    own["total_bytes"] = *total_bytes;
    own["mean_bytes"] = mean_bytes;
  }
  return own;
}

AccuracyCount count_of(const JsonField& f) {
  AccuracyCount c;
  c.correct = f.at("correct").integer(0);
  c.images = f.at("images").integer(0);
  if (c.correct > c.images) f.at("correct").fail("more correct answers than images");
  return c;
}

// A row's total_bytes and mean_bytes.
void bytes_of(const JsonField& f, int64_t& total_bytes, double& mean_bytes) {
  total_bytes = f.at("total_bytes").integer(0);
  mean_bytes = f.at("mean_bytes").nonnegative_number();
}

}  // namespace

std::string accuracy_to_json(const AccuracyReport& r) {
  nlohmann::json j;
  j["schema"] = kAccuracySchema;
  j["schema_version"] = kAccuracySchemaVersion;
  j["model"] = r.model;
  j["tool"] = r.tool;
  j["date"] = r.date;
  j["data"] = r.data;
  j["images"] = r.images;
  j["raw_input_bytes"] = r.raw_input_bytes;
  j["calibration"] = {{"source", r.calibration}, {"images", r.calibration_samples}};
  j["measured_with"] = {{"backend", r.backend}, {"threads", r.threads}};
  j["layers"] = r.layers;
  j["whole"] = nlohmann::json::array();
  for (const WholeAccuracy& w : r.whole) j["whole"].push_back(row_json({{"dtype", w.dtype}}, w.count));
  j["splits"] = nlohmann::json::array();
  for (const SplitAccuracy& s : r.splits)
    j["splits"].push_back(
        row_json({{"cut", s.cut}, {"layer", s.layer}, {"codec", s.codec}, {"identical_to_whole", s.identical}},
                 s.count, &s.total_bytes, s.mean_bytes));
  j["jpeg"] = nlohmann::json::array();
  for (const JpegAccuracy& q : r.jpeg)
    j["jpeg"].push_back(row_json({{"quality", q.quality}}, q.count, &q.total_bytes, q.mean_bytes));
  return j.dump(2) + "\n";
}

AccuracyReport accuracy_from_document(const nlohmann::json& doc, const std::string& source) {
  const JsonField top(doc, source, "");
  top.require_schema(kAccuracySchema, kAccuracySchemaVersion);
  AccuracyReport r;
  r.model = top.at("model").string();
  r.tool = top.optional_string("tool").value_or("");
  r.date = top.optional_string("date").value_or("");
  r.data = top.at("data").string();
  r.images = top.at("images").integer(1);
  r.raw_input_bytes = top.at("raw_input_bytes").integer(0);
  r.layers = top.at("layers").int32(1);
  if (top.has("calibration")) {
    r.calibration = top.at("calibration").at("source").string();
    r.calibration_samples = top.at("calibration").at("images").int32(0);
  }
  if (top.has("measured_with")) {
    r.backend = top.at("measured_with").optional_string("backend").value_or("");
    r.threads = static_cast<int>(top.at("measured_with").optional_integer("threads", 0).value_or(0));
  }
  const JsonField whole = top.at("whole");
  for (size_t i = 0; i < whole.array_size(); ++i)
    r.whole.push_back({whole.at(i).at("dtype").one_of({"f32", "u8", "i8"}), count_of(whole.at(i))});
  const JsonField splits = top.at("splits");
  for (size_t i = 0; i < splits.array_size(); ++i) {
    const JsonField e = splits.at(i);
    SplitAccuracy s;
    s.cut = e.at("cut").int32(0);
    if (s.cut > r.layers) e.at("cut").fail(fmt::format("cut {} is beyond the model's {} layers", s.cut, r.layers));
    s.layer = e.at("layer").string();
    s.codec = e.at("codec").nonempty_string();
    s.count = count_of(e);
    bytes_of(e, s.total_bytes, s.mean_bytes);
    s.identical = e.at("identical_to_whole").integer(0);
    r.splits.push_back(s);
  }
  const JsonField jpeg = top.at("jpeg");
  for (size_t i = 0; i < jpeg.array_size(); ++i) {
    const JsonField e = jpeg.at(i);
    JpegAccuracy q;
    q.quality = e.at("quality").int32(1);
    q.count = count_of(e);
    bytes_of(e, q.total_bytes, q.mean_bytes);
    r.jpeg.push_back(q);
  }
  return r;
}

AccuracyReport accuracy_from_json(const std::string& text, const std::string& source) {
  return accuracy_from_document(parse_json_document(text, source), source);
}

AccuracyReport read_accuracy_json(const std::filesystem::path& path) {
  return accuracy_from_document(read_json_document(path, size_t{64} << 20, "an accuracy JSON"), path.string());
}

}  // namespace splitpoint
