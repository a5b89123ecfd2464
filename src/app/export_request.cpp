#include "app/export_request.h"

#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "app/model_source.h"
#include "core/error.h"
#include "engine/backend.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "serve/model_naming.h"

namespace splitpoint {

namespace fs = std::filesystem;

void check_export_request(const ExportRequest& r) {
  if (r.cuts.empty()) throw Error("--cuts: give at least one cut (a layer number or name; 0: the whole model)");
  if (r.repository.empty()) throw Error("--repository: give the folder to write the model repository to");
  std::error_code ec;
  if (fs::exists(r.repository, ec) && !fs::is_directory(r.repository, ec))
    throw Error(fmt::format("--repository {}: is a file, not a folder", r.repository.string()));
  check_tail_name_template(r.name_template);
  if (r.max_batch_size < 0 || r.max_batch_size > 1024)
    throw Error(fmt::format("--max-batch-size must be from 0 to 1024, is {}", r.max_batch_size));
  if (r.threads < 1) throw Error(fmt::format("--threads must be at least 1, is {}", r.threads));
  check_precision_options(r.precision);
}

ExportReport export_repository(const ExportRequest& r) {
  check_export_request(r);
  auto backend = make_backend(r.backend.empty() ? default_backend_name() : r.backend);
  const PreparedModel prepared =
      prepare_model(*backend, load_model(r.model, /*with_weights=*/true, r.image_size), r.precision, r.threads, r.quiet);
  const Graph& graph = prepared.graph;
  const std::vector<Layer> layers = group_layers(graph);
  const int last = static_cast<int>(layers.size());
  const std::vector<Cut> cuts = enumerate_cuts(graph, layers);

  ExportReport report{graph.name, model_dtype(graph), last, {}};
  std::set<int> seen;
  for (const std::string& spec : r.cuts) {
    const int cut = resolve_cut(graph, layers, spec);
    if (cut < 0 || cut >= last)
      throw Error(fmt::format("--cuts {}: a tail needs at least one layer; give a cut from 0 to {}", spec, last - 1));
    if (!seen.insert(cut).second) throw Error(fmt::format("--cuts: cut {} is given twice", cut));
    Graph tail = cut == 0 ? graph : extract_segment(graph, cuts[static_cast<size_t>(cut)], cuts.back());
    const std::string name = tail_model_name(graph.name, cut, r.name_template);
    tail.name = name;
    ExportedModel m;
    m.cut = cut;
    m.config = write_triton_model(tail, r.repository, name, r.max_batch_size);
    m.config_file = r.repository / name / "config.pbtxt";
    m.model_file = r.repository / name / "1" / "model.onnx";
    m.model_file_bytes = static_cast<int64_t>(fs::file_size(m.model_file));
    report.models.push_back(std::move(m));
  }
  return report;
}

}  // namespace splitpoint
