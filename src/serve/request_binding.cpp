#include "serve/request_binding.h"

#include <fmt/core.h>

#include "core/error.h"
#include "serve/cut_transport.h"

namespace splitpoint {

namespace {

std::string quoted_names(const std::vector<TensorSpec>& specs) {
  std::string names;
  for (const TensorSpec& s : specs) names += (names.empty() ? "'" : ", '") + s.name + "'";
  return names;
}

const OipTensor* given_input(const InferRequest& request, const std::string& name) {
  const OipTensor* given = nullptr;
  for (const OipTensor& t : request.inputs) {
    if (t.name == name) {
      if (given) throw Error(ErrorKind::kBadInput, fmt::format("input '{}' is given more than once", name));
      given = &t;
    }
  }
  return given;
}

void bind_outputs(const InferRequest& request, const ServedModel& model, BoundRequest& bound) {
  if (request.outputs.empty()) {
    for (size_t i = 0; i < model.outputs.size(); ++i) {
      bound.outputs.push_back(i);
      bound.binary.push_back(request.binary_data_output);
    }
    return;
  }
  for (const OipRequestedOutput& o : request.outputs) {
    size_t index = model.outputs.size();
    for (size_t i = 0; i < model.outputs.size(); ++i) {
      if (model.outputs[i].name == o.name) index = i;
    }
    if (index == model.outputs.size())
      throw Error(ErrorKind::kBadInput, fmt::format("model '{}' has no output '{}'; its outputs: {}", model.name,
                                                    o.name, quoted_names(model.outputs)));
    bound.outputs.push_back(index);
    bound.binary.push_back(o.binary);  // the output's own binary_data, else the request's binary_data_output
  }
}

}  // namespace

BoundRequest bind_request(const InferRequest& request, const ServedModel& model, int64_t max_decoded_bytes) {
  for (const OipTensor& given : request.inputs) {
    bool known = false;
    for (const TensorSpec& s : model.inputs) known = known || s.name == given.name;
    if (!known)
      throw Error(ErrorKind::kBadInput, fmt::format("model '{}' has no input '{}'; its inputs: {}", model.name,
                                                    given.name, quoted_names(model.inputs)));
  }
  BoundRequest bound;
  for (const TensorSpec& spec : model.inputs) {
    const OipTensor* given = given_input(request, spec.name);
    if (!given)
      throw Error(ErrorKind::kBadInput, fmt::format("model '{}' needs input '{}' ({} {})", model.name, spec.name,
                                                    oip_datatype(spec.dtype), spec.shape.to_string()));
    bound.inputs.push_back(decode_cut_input(*given, spec, max_decoded_bytes));
  }
  bind_outputs(request, model, bound);
  return bound;
}

}  // namespace splitpoint
