#pragma once
// The subcommands of `splitpoint`, one file each. Each adds itself to the root
// app; its callback stores the command's exit code in `exit_code`.
#include <CLI/CLI.hpp>

namespace splitpoint::cli {

void add_models_command(CLI::App& app, int& exit_code);
void add_inspect_command(CLI::App& app, int& exit_code);
void add_exec_command(CLI::App& app, int& exit_code);
void add_profile_command(CLI::App& app, int& exit_code);
void add_split_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);
void add_plan_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_validate_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_accuracy_command(CLI::App& app, int& exit_code);

}  // namespace splitpoint::cli
