// splitpoint: split inference of CNNs between an edge device and a server.

#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "core/version.h"
#include "core/error.h"

namespace {

int run(int argc, char** argv) {
  CLI::App app{
      "splitpoint: find and run the best split of a CNN between an edge device and a server.\n"
      "A cut k means the device runs layers 1..k and sends the tensor(s) live after layer k."};
  app.set_version_flag("--version", splitpoint::kToolVersion);
  app.require_subcommand(1);
  int exit_code = 0;
  splitpoint::cli::add_models_command(app, exit_code);
  splitpoint::cli::add_inspect_command(app, exit_code);
  splitpoint::cli::add_exec_command(app, exit_code);
  splitpoint::cli::add_profile_command(app, exit_code);
  splitpoint::cli::add_split_command(app, exit_code);
  splitpoint::cli::add_export_command(app, exit_code);
  splitpoint::cli::add_plan_command(app, exit_code);
  splitpoint::cli::add_serve_command(app, exit_code);
  splitpoint::cli::add_run_command(app, exit_code);
  splitpoint::cli::add_validate_command(app, exit_code);
  splitpoint::cli::add_report_command(app, exit_code);
  splitpoint::cli::add_accuracy_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return splitpoint::kExitUserError;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const splitpoint::Error& e) {
    std::fflush(stdout);
    if (e.kind() == splitpoint::ErrorKind::kInternal) {
      std::fprintf(stderr, "splitpoint: internal error: %s\n", e.what());
    } else {
      std::fprintf(stderr, "splitpoint: error: %s\n", e.what());
    }
    return splitpoint::exit_code_for(e.kind());
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "splitpoint: internal error: %s\n", e.what());
    return 1;
  } catch (...) {
    std::fprintf(stderr, "splitpoint: internal error\n");
    return 1;
  }
}
