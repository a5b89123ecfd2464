// `splitpoint models`: the zoo, one line each.
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "zoo/zoo.h"

namespace splitpoint::cli {

void add_models_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("models", "List the built-in models (the zoo)");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print as JSON");
  cmd->callback([json, &exit_code] {
    if (*json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& m : zoo_models()) out.push_back({{"name", m.name}, {"description", m.description}});
      fmt::print("{}\n", out.dump(2));
    } else {
      for (const auto& m : zoo_models()) fmt::print("{:<14} {}\n", m.name, m.description);
    }
    exit_code = 0;
  });
}

}  // namespace splitpoint::cli
