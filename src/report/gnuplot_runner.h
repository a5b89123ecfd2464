#pragma once
// Runs gnuplot (Debian's gnuplot-nox) as a child process: the script on its
// standard input, the SVG it writes to standard output returned. No shell is
// involved. Gnuplot is looked up on PATH, or taken from $SPLITPOINT_GNUPLOT.
//
// The data the script plots are files, not script text: each of `data_files`
// (plain name -> contents) is written into a fresh private directory (mkdtemp,
// mode 0700) that gnuplot runs in, so the script reads them by name as data
// ('data.tsv'), and the directory is removed afterwards.
#include <map>
#include <string>

namespace splitpoint {

// Throws Error naming `what` (the chart) if gnuplot is missing ("install
// gnuplot-nox"), fails (its messages), runs longer than `timeout_s` (killed),
// or writes no SVG.
std::string run_gnuplot(const std::string& script, const std::map<std::string, std::string>& data_files,
                        const std::string& what, double timeout_s = 30);

}  // namespace splitpoint
