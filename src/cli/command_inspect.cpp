// `splitpoint inspect MODEL`: per layer, what it computes and what a cut after
// it costs to send; where a head stops fitting the Edge TPU's parameter cache.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "app/model_source.h"
#include "cli/units.h"
#include "core/error.h"
#include "graph/summary.h"

namespace splitpoint::cli {

namespace {

std::string op_with_fused(const LayerSummary& row) {
  std::string s = row.op;
  for (const auto& f : row.fused) s += "+" + f;
  return s;
}

nlohmann::json to_json(const ModelSummary& s) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& r : s.layers) {
    layers.push_back({
        {"index", r.index},
        {"name", r.name},
        {"op", r.op},
        {"fused", r.fused},
        {"output_shape", r.output.dims()},
        {"params", r.params},
        {"macs", r.macs},
        {"cut", {{"tensors", r.cut_tensors}, {"names", r.cut_tensor_names}, {"elements", r.cut_elements},
                 {"bytes_f32", r.cut_elements * 4}, {"bytes_u8", r.cut_elements}}},
        {"cumulative_params", r.cumulative_params},
        {"cumulative_param_bytes_u8", r.cumulative_params},
        {"exceeds_cache", r.exceeds_cache},
    });
  }
  nlohmann::json tensors = nlohmann::json::array();
  for (const auto& t : s.tensors)
    tensors.push_back({{"name", t.name}, {"shape", t.shape.dims()}, {"layer", t.layer},
                       {"bytes_f32", t.elements * 4}, {"bytes_u8", t.elements}});
  return {
      {"schema_version", 1},
      {"model", s.name},
      {"input", {{"shape", s.input.dims()}, {"bytes_f32", s.input_elements * 4}, {"bytes_u8", s.input_elements}}},
      {"layers", layers},
      {"totals", {{"layers", s.layers.size()}, {"params", s.params}, {"macs", s.macs}}},
      {"edgetpu_cache_bytes", s.cache_bytes},
      {"first_layer_over_cache", s.first_layer_over_cache == 0 ? nlohmann::json(nullptr)
                                                              : nlohmann::json(s.first_layer_over_cache)},
      {"tensors", tensors},
  };
}

void print_table(const ModelSummary& s) {
  fmt::print("{}: input {} ({} f32, {} u8)\n\n", s.name, s.input.to_string(), bytes_iec(s.input_elements * 4),
             bytes_iec(s.input_elements));
  size_t name_width = 5, op_width = 2;
  for (const auto& r : s.layers) {
    name_width = std::max(name_width, r.name.size());
    op_width = std::max(op_width, op_with_fused(r).size());
  }
  fmt::print("{:>4}  {:<{}}  {:<{}}  {:<16} {:>13} {:>12} {:>11} {:>11} {:>12}\n", "#", "layer", name_width, "op",
             op_width, "output", "params", "MACs", "cut f32", "cut u8", "cum. params");
  fmt::print("{:>4}  {:<{}}  {:<{}}  {:<16} {:>13} {:>12} {:>11} {:>11} {:>12}\n", "", "", name_width, "", op_width,
             "", "", "", "", "", "as u8");
  for (const auto& r : s.layers) {
    std::string mark;
    if (r.index == s.first_layer_over_cache)
      mark = fmt::format("  <- exceeds the {} Edge TPU cache from here", bytes_iec(s.cache_bytes));
    std::string cut_note = r.cut_tensors > 1 ? fmt::format("  ({} tensors cross)", r.cut_tensors) : "";
    fmt::print("{:>4}  {:<{}}  {:<{}}  {:<16} {:>13} {:>12} {:>11} {:>11} {:>12}{}{}\n", r.index, r.name, name_width,
               op_with_fused(r), op_width, r.output.to_string(), grouped(r.params), si(static_cast<double>(r.macs), "MAC"),
               bytes_iec(r.cut_elements * 4), bytes_iec(r.cut_elements), bytes_iec(r.cumulative_params),
               r.exceeds_cache ? "*" : " ", mark + cut_note);
  }
  fmt::print("\ntotal: {} layers, {} params ({} as u8, {} as f32), {}\n", s.layers.size(), grouped(s.params),
             bytes_iec(s.params), bytes_iec(s.params * 4), si(static_cast<double>(s.macs), "MAC"));
  if (s.first_layer_over_cache == 0) {
    fmt::print("Edge TPU parameter cache ({}): every head fits\n", bytes_iec(s.cache_bytes));
  } else if (s.first_layer_over_cache == 1) {
    fmt::print("Edge TPU parameter cache ({}): no head fits; parameters stream over USB from layer 1 (*)\n",
               bytes_iec(s.cache_bytes));
  } else {
    fmt::print("Edge TPU parameter cache ({}): heads up to layer {} fit; from layer {} on (*) parameters stream over USB\n",
               bytes_iec(s.cache_bytes), s.first_layer_over_cache - 1, s.first_layer_over_cache);
  }
  fmt::print("cut k = after layer k: the device runs layers 1..k and sends the cut tensor(s)\n");
}

void print_tensors(const ModelSummary& s) {
  size_t width = 6;
  for (const auto& t : s.tensors) width = std::max(width, t.name.size());
  fmt::print("{}: every activation tensor\n\n{:>5}  {:<{}}  {:<16} {:>11} {:>11}\n", s.name, "layer", "tensor", width,
             "shape", "f32", "u8");
  for (const auto& t : s.tensors)
    fmt::print("{:>5}  {:<{}}  {:<16} {:>11} {:>11}\n", t.layer == 0 ? std::string("input") : std::to_string(t.layer),
               t.name, width, t.shape.to_string(), bytes_iec(t.elements * 4), bytes_iec(t.elements));
}

}  // namespace

void add_inspect_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "inspect",
      "Per layer: op, output shape, params, MACs, bytes sent by a cut after it (fp32 and uint8), and the\n"
      "cumulative parameter bytes a head ending there puts in the Edge TPU's parameter cache");
  auto model = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto cache_mib = std::make_shared<double>(8.0);
  cmd->add_option("MODEL", *model, "A zoo model name (see `splitpoint models`)")->required();
  auto tensors = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print the table as JSON (schema_version 1), with every tensor and cut");
  cmd->add_flag("--tensors", *tensors, "List every activation tensor with its shape and bytes instead");
  cmd->add_option("--cache-mib", *cache_mib, "Edge TPU on-chip parameter cache in MiB")
      ->default_val(8.0)
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            try {
              size_t used = 0;
              const double v = std::stod(value, &used);
              if (used == value.size() && v > 0 && v < 1e6) return {};
            } catch (const std::exception&) {
            }
            return "must be a positive number of MiB below 1e6, got '" + value + "'";
          },
          "MiB", "PositiveMiB"));
  cmd->callback([=, &exit_code] {
    Graph graph = load_model(*model, /*with_weights=*/false);
    const auto cache_bytes = static_cast<int64_t>(*cache_mib * 1024.0 * 1024.0);
    ModelSummary summary = summarize(graph, cache_bytes);
    if (*json)
      fmt::print("{}\n", to_json(summary).dump(2));
    else if (*tensors)
      print_tensors(summary);
    else
      print_table(summary);
    exit_code = 0;
  });
}

}  // namespace splitpoint::cli
