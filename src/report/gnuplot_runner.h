#pragma once
// Runs gnuplot (Debian's gnuplot-nox) as a child process: the script on its
// standard input, the SVG it writes to standard output returned. No shell is
// involved. Gnuplot is looked up on PATH, or taken from $SPLITPOINT_GNUPLOT.
#include <string>

namespace splitpoint {

// Throws Error naming `what` (the chart) if gnuplot is missing ("install
// gnuplot-nox"), fails (its messages), runs longer than `timeout_s` (killed),
// or writes no SVG.
std::string run_gnuplot(const std::string& script, const std::string& what, double timeout_s = 30);

}  // namespace splitpoint
