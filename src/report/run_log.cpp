#include "report/run_log.h"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file_io.h"
#include "core/json_field.h"

namespace splitpoint {

RunLog read_run_json_text(std::string_view text, const std::string& source) {
  return read_run_json_document(parse_json_document(text, source), source);
}

RunLog read_run_json_document(const nlohmann::json& document, const std::string& source) {
  const JsonField top(document, source, "");
  top.require_schema(kRunSchema, kRunSchemaVersion);
  RunLog r;
  r.source = source;
  r.model = top.at("model").string();
  r.split = top.at("split").string();
  r.objective = top.at("objective").string();
  r.codec = top.at("codec").string();
  r.device_profile = top.at("device_profile").string();
  r.server_profile = top.at("server_profile").string();
  if (top.has("emulated_link")) {
    const JsonField l = top.at("emulated_link");
    r.link = l.at("name").string();
    r.emulated_uplink_mbps = l.at("uplink_mbps").nonnegative_number();
  } else {
    r.link = top.at("prior_link").at("name").string();
  }
  r.layers = top.at("layers").int32(1);
  const JsonField names = top.at("layer_names");
  for (size_t i = 0; i < names.array_size(); ++i) r.layer_names.push_back(names.at(i).string());
  if (static_cast<int>(r.layer_names.size()) != r.layers)
    names.fail(fmt::format("{} names for {} layers", r.layer_names.size(), r.layers));
  const JsonField requests = top.at("requests");
  for (size_t i = 0; i < requests.array_size(); ++i) {
    const JsonField q = requests.at(i);
    q.require_object();
    RunRequest e;
    e.index = q.at("index").int32(0);
    e.cut = q.at("cut").int32(0);
    if (e.cut > r.layers) q.at("cut").fail(fmt::format("cut {} out of range 0..{}", e.cut, r.layers));
    e.where = q.at("where").one_of({"server", "local", "fallback"});
    e.explored = q.at("explored").boolean();
    e.measured_ms = q.at("ms").at("total").nonnegative_number();
    e.predicted_ms = q.at("predicted").at("total_ms").nonnegative_number();
    e.measured_j = q.at("energy_j").at("total").nonnegative_number();
    e.predicted_j = q.at("predicted").at("energy_j").nonnegative_number();
    r.requests.push_back(e);
  }
  return r;
}

RunLog read_run_json(const std::filesystem::path& path) {
  return read_run_json_document(read_json_document(path, kMaxRunJsonBytes, "a run JSON"), path.string());
}

}  // namespace splitpoint
