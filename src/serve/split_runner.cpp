#include "serve/split_runner.h"

#include <fmt/core.h>

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
      client_(client),
      cache_(options.cache_capacity) {
  require_weights(graph_, backend_->name());
  layers_ = group_layers(graph_);
  cuts_ = enumerate_cuts(graph_, layers_);
  input_specs_ = tensor_specs(graph_, graph_.inputs());
  output_specs_ = tensor_specs(graph_, graph_.outputs());
}

void SplitRunner::set_client(OipClient* client) {
  client_ = client;
  retry_at_ = {};
}

std::optional<double> SplitRunner::probe_round_trip() {
  if (!server_usable()) return std::nullopt;
  const Clock::time_point t = Clock::now();
  if (!client_->live()) return std::nullopt;
  return ms_since(t);
}

bool SplitRunner::server_usable() const { return client_ && Clock::now() >= retry_at_; }

std::shared_ptr<ExecutableCache::Entry> SplitRunner::segment(int from, int to) {
  return cache_.get(fmt::format("{}-{}", from, to), [&] {
    CompileOptions o;
    o.threads = options_.threads;
    return backend_->compile(extract_segment(graph_, cuts_[static_cast<size_t>(from)], cuts_[static_cast<size_t>(to)]), o);
  });
}

void SplitRunner::check_cut(int cut) const {
  if (cut < 0 || cut > layer_count()) throw Error(fmt::format("cut {} is not one of 0..{}", cut, layer_count()));
}

SplitRunner::CutTensors SplitRunner::run_head(const std::vector<Tensor>& inputs, int cut) {
  check_cut(cut);
  if (cut == 0) return {inputs, input_specs_, 0};
  auto head = segment(0, cut);
  std::lock_guard lock(head->run_lock);
  const Clock::time_point t = Clock::now();
  std::vector<Tensor> tensors = head->executable->run(inputs);
  return {std::move(tensors), head->executable->outputs(), ms_since(t)};
}

InferRequest SplitRunner::make_request(const CutTensors& at_cut) const {
  InferRequest request;
  for (size_t i = 0; i < at_cut.tensors.size(); ++i)
    request.inputs.push_back(encode_cut_input(at_cut.specs[i].name, at_cut.tensors[i], options_.codec));
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

  if (client_ && !server_usable()) {
    record.fallback = true;
    record.fallback_reason = fmt::format("server unavailable ({}); retrying it in {:.1f} s", last_failure_,
                                         std::chrono::duration<double>(retry_at_ - Clock::now()).count());
  } else if (client_) {
    try {
      Clock::time_point t = Clock::now();
      const InferRequest request = make_request(at_cut);
      record.encode_ms = ms_since(t);
      for (const OipTensor& sent : request.inputs) record.tensor_bytes += static_cast<int64_t>(sent.data.size());

      InferResult result = client_->infer(tail_model_name(model_name_, cut), request, /*binary=*/true);
      record.request_bytes = result.request_bytes;
      record.response_bytes = result.response_bytes;
      record.server_ms = result.server_compute_ms.value_or(0);
      record.server_wait_ms = result.server_wait_ms;
      record.network_ms = std::max(0.0, result.wall_ms - record.server_ms - record.server_wait_ms);

      t = Clock::now();
      std::vector<Tensor> outputs;
      for (const TensorSpec& spec : output_specs_) {
        const OipTensor* found = nullptr;
        for (const OipTensor& o : result.response.outputs) {
          if (o.name == spec.name) found = &o;
        }
        if (!found) throw Error(fmt::format("the server's answer has no output '{}'", spec.name));
        outputs.push_back(tensor_from_plain(*found, spec));
      }
      record.decode_ms = ms_since(t);
      record.remote = true;
      record.total_ms = ms_since(start);
      return outputs;
    } catch (const ServerUnavailable& e) {
      last_failure_ = e.what();
      retry_at_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.retry_after_s));
      record.fallback = true;
      record.fallback_reason = e.what();
    }
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
