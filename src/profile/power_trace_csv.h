#pragma once
// Power traces recorded by an external instrument, as CSV with a header row.
//
// The header decides how a row is read:
//   time     time_s, or Time(s) / Time(ms) / Time(us) (the Monsoon PowerTool
//            and PyMonsoon exports: "Time(ms)")
//   power    power_w / power_mw, or any "...Power(W|mW|uW)" column
//            ("Main Avg Power(mW)"); several: the Main channel's
//   else     current x voltage of one channel: "Main(mA)" x "Main Voltage(V)"
//            (also USB/Aux; units A, mA, uA and V, mV; several: Main's)
// Other columns are ignored; empty trailing cells (a Monsoon export's last
// comma) are allowed; blank lines and lines starting '#' are skipped. Time
// must not go backwards (equal times are averaged by the integration).
#include <filesystem>
#include <string>
#include <vector>

namespace splitpoint {

struct PowerTrace {
  std::vector<double> time_s;
  std::vector<double> power_w;
  std::string columns;  // what was read: "Time(ms), Main Avg Power(mW)"
};

// Throws Error naming the file, and the line and column (number and header)
// of a bad cell.
PowerTrace read_power_trace_csv(const std::filesystem::path& path);

}  // namespace splitpoint
