#include "serve/split_runner.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "engine/feed.h"
#include "graph/segment.h"
#include "serve/cut_transport.h"
#include "serve/model_naming.h"

namespace splitpoint {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

SplitRunner::SplitRunner(Graph graph, std::string model_name, std::unique_ptr<Backend> backend,
                         SplitRunnerOptions options, OipClient* client)
    : graph_(std::move(graph)),
      model_name_(std::move(model_name)),
      backend_(std::move(backend)),
      options_(options),
      servers_({client}, options.retry_after_s),
      cache_(options.cache_capacity) {
  require_weights(graph_, backend_->name());
  check_tail_name_template(options_.tail_name_template);
  layers_ = group_layers(graph_);
  cuts_ = enumerate_cuts(graph_, layers_);
  input_specs_ = tensor_specs(graph_, graph_.inputs());
  output_specs_ = tensor_specs(graph_, graph_.outputs());
  // An answer holds the outputs, in binary or as JSON numbers (at most ~25 characters each: "-1.2345678901234567e-38,"
  // with room to spare at 32), and a JSON header with names, shapes and parameters (1 MiB is far more than that).
  max_response_bytes_ = int64_t{1} << 20;
  for (const TensorSpec& s : output_specs_) {
    const int64_t elements = s.shape.elements();
    max_response_bytes_ += elements * static_cast<int64_t>(dtype_size(s.dtype)) + elements * 32;
  }
}

void SplitRunner::set_client(OipClient* client) { servers_ = ServerPool({client}, options_.retry_after_s); }

void SplitRunner::set_servers(std::vector<OipClient*> clients) {
  servers_ = ServerPool(std::move(clients), options_.retry_after_s);
}

std::string SplitRunner::tail_name(int cut) const {
  return tail_model_name(model_name_, cut, options_.tail_name_template);
}

std::optional<double> SplitRunner::probe_round_trip() {
  if (!server_usable()) return std::nullopt;
  OipClient* client = servers_.current() ? servers_.current() : servers_.choose();
  if (!client) return std::nullopt;
  const Clock::time_point t = Clock::now();
  if (!client->live()) return std::nullopt;
  return ms_since(t);
}

bool SplitRunner::server_usable() const { return !servers_.empty() && servers_.usable(); }

std::shared_ptr<ExecutableCache::Entry> SplitRunner::segment(int from, int to) {
  return cache_.get(fmt::format("{}-{}", from, to), [&] {
    CompileOptions o;
    o.threads = options_.threads;
    return backend_->compile(extract_segment(graph_, cuts_[static_cast<size_t>(from)], cuts_[static_cast<size_t>(to)]), o);
  });
}

std::vector<Tensor> SplitRunner::remote_outputs(OipClient& client, const InferRequest& request, int cut,
                                                Clock::time_point start, RequestRecord& record) {
  InferResult result = client.infer(tail_name(cut), request, options_.binary_tensors, max_response_bytes_);
  record.request_bytes = result.request_bytes;
  record.response_bytes = result.response_bytes;
  record.server_ms = result.server_compute_ms.value_or(0);
  record.server_wait_ms = result.server_wait_ms;
  record.network_ms = std::max(0.0, result.wall_ms - record.server_ms - record.server_wait_ms);

  const Clock::time_point t = Clock::now();
  std::vector<Tensor> outputs;
  for (const TensorSpec& spec : output_specs_) {
    const OipTensor* found = nullptr;
    for (const OipTensor& o : result.response.outputs) {
      if (o.name == spec.name) found = &o;
    }
    if (!found) throw Error(fmt::format("the server's answer has no output '{}'", spec.name));
    WireLayout wire = WireLayout::as_is;
    if (const auto layout = layouts_.find(cut); layout != layouts_.end()) {
      const auto it = layout->second.outputs.find(spec.name);
      if (it != layout->second.outputs.end()) wire = it->second;
    }
    outputs.push_back(from_wire(tensor_from_plain(*found, wire_spec(spec, wire)), wire));
  }
  record.decode_ms = ms_since(t);
  record.server_nonfinite = 0;
  for (const Tensor& o : outputs) {
    if (o.dtype() != DType::f32) continue;
    for (float v : o.as<float>()) record.server_nonfinite += std::isfinite(v) ? 0 : 1;
  }
  if (record.server_nonfinite > 0 && options_.nonfinite_falls_back)
    throw ServerUnavailable(fmt::format("{}: model '{}': {} NaN or Inf values in the answer", client.url(),
                                        tail_name(cut), record.server_nonfinite));
  record.remote = true;
  record.total_ms = ms_since(start);
  return outputs;
}

void SplitRunner::check_cut(int cut) const {
  if (cut < 0 || cut > layer_count()) throw Error(fmt::format("cut {} is not one of 0..{}", cut, layer_count()));
}

SplitRunner::CutTensors SplitRunner::run_head(const std::vector<Tensor>& inputs, int cut) {
  check_cut(cut);
  if (cut == 0) return {inputs, input_specs_, 0, 0};
  auto head = segment(0, cut);
  std::lock_guard lock(head->run_lock);
  const Clock::time_point t = Clock::now();
  std::vector<Tensor> tensors = head->executable->run(inputs);
  return {std::move(tensors), head->executable->outputs(), ms_since(t), cut};
}

void SplitRunner::set_tail_metadata(int cut, const nlohmann::json& metadata) {
  check_cut(cut);
  TailLayout layout;
  const auto read = [&](const char* key, const std::vector<TensorSpec>& specs, std::map<std::string, WireLayout>& to) {
    if (!metadata.is_object() || !metadata.contains(key) || !metadata[key].is_array()) return;
    for (const auto& listed : metadata[key]) {
      if (!listed.is_object() || !listed.contains("name") || !listed["name"].is_string() || !listed.contains("shape"))
        continue;
      for (const TensorSpec& spec : specs) {
        if (spec.name == listed["name"].get<std::string>()) to[spec.name] = wire_layout(spec, listed["shape"]);
      }
    }
  };
  read("inputs", cut == 0 ? input_specs_ : tensor_specs(graph_, cuts_[static_cast<size_t>(cut)].tensors), layout.inputs);
  read("outputs", output_specs_, layout.outputs);
  layouts_[cut] = std::move(layout);
}

InferRequest SplitRunner::make_request(const CutTensors& at_cut) const {
  InferRequest request;
  const auto layout = layouts_.find(at_cut.cut);
  for (size_t i = 0; i < at_cut.tensors.size(); ++i) {
    WireLayout wire = WireLayout::as_is;
    if (layout != layouts_.end()) {
      const auto it = layout->second.inputs.find(at_cut.specs[i].name);
      if (it != layout->second.inputs.end()) wire = it->second;
    }
    request.inputs.push_back(
        encode_cut_input(at_cut.specs[i].name, to_wire(at_cut.tensors[i], wire), options_.codec));
  }
  for (const TensorSpec& s : output_specs_) request.outputs.push_back({s.name, true});
  return request;
}

std::vector<Tensor> SplitRunner::run(const std::vector<Tensor>& inputs, int cut, RequestRecord& record) {
  check_cut(cut);
  const int count = layer_count();
  record = RequestRecord{};
  record.cut = cut;
  const Clock::time_point start = Clock::now();

  const CutTensors at_cut = run_head(inputs, cut);
  record.head_ms = at_cut.head_ms;
  if (cut == count) {
    record.total_ms = ms_since(start);
    return feed_by_name(output_specs_, at_cut.specs, at_cut.tensors);
  }

  OipClient* client = servers_.empty() ? nullptr : servers_.choose();
  if (!servers_.empty() && !client) {
    record.fallback = true;
    record.fallback_reason = fmt::format("server unavailable ({}); retrying it in {:.1f} s", servers_.last_failure(),
                                         servers_.retry_in_s());
  } else if (client) {
    Clock::time_point t = Clock::now();
    const InferRequest request = make_request(at_cut);
    record.encode_ms = ms_since(t);
    for (const OipTensor& sent : request.inputs) record.tensor_bytes += static_cast<int64_t>(sent.data.size());
    // One server after another (none asked twice), then here.
    std::vector<OipClient*> tried;
    while (client && std::find(tried.begin(), tried.end(), client) == tried.end()) {
      if (!tried.empty()) ++record.failovers;
      tried.push_back(client);
      record.server = client->url();
      try {
        return remote_outputs(*client, request, cut, start, record);
      } catch (const ServerUnavailable& e) {
        servers_.failed(client, e.what());
        record.fallback_reason = e.what();
        client = servers_.size() > 1 ? servers_.choose() : nullptr;
      } catch (const ServerRefused& e) {
        if (e.status() == 401 || e.status() == 403) throw;
        record.refused_status = e.status();
        record.fallback_reason = e.what();
        break;
      }
    }
    record.fallback = true;
  }

  // Finish here: the tail from the same cut.
  auto tail = segment(cut, count);
  std::lock_guard lock(tail->run_lock);
  const Clock::time_point t = Clock::now();
  std::vector<Tensor> outputs =
      tail->executable->run(feed_by_name(tail->executable->inputs(), at_cut.specs, at_cut.tensors));
  record.local_tail_ms = ms_since(t);
  record.total_ms = ms_since(start);
  return feed_by_name(output_specs_, tail->executable->outputs(), outputs);
}

}  // namespace splitpoint
