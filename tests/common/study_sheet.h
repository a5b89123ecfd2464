#pragma once
// The study's Raspberry Pi 3B+ float sheet (data/seed/1st_raspi3bplus_float.csv),
// read straight from the CSV: an oracle independent of data/profiles.
#include <map>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

namespace splitpoint::testing {

// Prefix model k -> (time s, power W); rows that could not run ("M.S") are absent.
inline std::map<int, std::pair<double, double>> study_pi_float_sheet() {
  std::ifstream in(std::string(SPLITPOINT_DATA_DIR) + "/seed/1st_raspi3bplus_float.csv");
  std::map<int, std::pair<double, double>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::stringstream s(line);
    std::string k, config, time, power;
    std::getline(s, k, ',');
    std::getline(s, config, ',');
    std::getline(s, time, ',');
    std::getline(s, power, ',');
    try {
      rows[static_cast<int>(std::stod(k))] = {std::stod(time), std::stod(power)};
    } catch (...) {
      // header lines and "M.S" (could not run)
    }
  }
  return rows;
}

}  // namespace splitpoint::testing
