// PLACEHOLDER (being written)
#include "cli/commands.h"
namespace splitpoint::cli {
void add_exec_command(CLI::App&, int&) {}
}  // namespace splitpoint::cli
