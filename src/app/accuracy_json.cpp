#include "app/accuracy_json.h"

#include <nlohmann/json.hpp>

#include "core/json_document.h"
#include "core/json_field.h"

namespace splitpoint {

namespace {

nlohmann::json count_json(const AccuracyCount& c) {
  return {{"correct", c.correct}, {"images", c.images}, {"accuracy_percent", c.percent()}};
}

AccuracyCount count_of(const JsonField& f) {
  AccuracyCount c;
  c.correct = f.at("correct").integer(0);
  c.images = f.at("images").integer(0);
  if (c.correct > c.images) f.at("correct").fail("more correct answers than images");
  return c;
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
  for (const WholeAccuracy& w : r.whole) {
    nlohmann::json e = count_json(w.count);
    e["dtype"] = w.dtype;
    j["whole"].push_back(e);
  }
  j["splits"] = nlohmann::json::array();
  for (const SplitAccuracy& s : r.splits) {
    nlohmann::json e = count_json(s.count);
    e["cut"] = s.cut;
    e["layer"] = s.layer;
    e["codec"] = s.codec;
    e["total_bytes"] = s.total_bytes;
    e["mean_bytes"] = s.mean_bytes;
    e["identical_to_whole"] = s.identical;
    j["splits"].push_back(e);
  }
  j["jpeg"] = nlohmann::json::array();
  for (const JpegAccuracy& q : r.jpeg) {
    nlohmann::json e = count_json(q.count);
    e["quality"] = q.quality;
    e["total_bytes"] = q.total_bytes;
    e["mean_bytes"] = q.mean_bytes;
    j["jpeg"].push_back(e);
  }
  return j.dump(2) + "\n";
}

namespace {

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
    s.total_bytes = e.at("total_bytes").integer(0);
    s.mean_bytes = e.at("mean_bytes").nonnegative_number();
    s.identical = e.at("identical_to_whole").integer(0);
    r.splits.push_back(s);
  }
  const JsonField jpeg = top.at("jpeg");
  for (size_t i = 0; i < jpeg.array_size(); ++i) {
    const JsonField e = jpeg.at(i);
    JpegAccuracy q;
    q.quality = e.at("quality").int32(1);
    q.count = count_of(e);
    q.total_bytes = e.at("total_bytes").integer(0);
    q.mean_bytes = e.at("mean_bytes").nonnegative_number();
    r.jpeg.push_back(q);
  }
  return r;
}

}  // namespace

AccuracyReport accuracy_from_json(const std::string& text, const std::string& source) {
  return accuracy_from_document(parse_json_document(text, source), source);
}

AccuracyReport read_accuracy_json(const std::filesystem::path& path) {
  return accuracy_from_document(read_json_document(path, size_t{64} << 20, "an accuracy JSON"), path.string());
}

}  // namespace splitpoint
