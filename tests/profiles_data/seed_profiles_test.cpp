// The device profiles in data/profiles/ (written by scripts/seed-profiles from
// the study's sheets): every file loads through the profile reader, its layers
// are its model's zoo layers (vgg16-seed: names, count, MACs, bytes), and its
// numbers are the study's cells, checked against the CSV files read here
// independently of the script.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/file_io.h"
#include "csv_cells.h"
#include "graph/counting.h"
#include "graph/layers.h"
#include "profile/profile_json.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

using testing::CsvCells;

const std::filesystem::path kProfiles = std::filesystem::path(SPLITPOINT_SOURCE_DIR) / "data" / "profiles";
const std::filesystem::path kSeedData = std::filesystem::path(SPLITPOINT_DATA_DIR) / "seed";

// The study ran prefix models k = 1..17; the Pi and the Jetson could not run
// k = 15..17 ("M.S") and the Coral's k = 15..17 are excluded as impossible
// (see the profiles' provenance), so every profile covers layers 1..14.
const std::map<std::string, size_t> kExpectedLayers = {
    {"rpi3bplus-cpu-f32", 14}, {"rpi3bplus-coral-usb2-u8", 14}, {"jetson-nano-f32", 14}};

ModelProfile load(const std::string& device) { return read_profile_json(kProfiles / (device + ".json")); }

std::vector<std::filesystem::path> profile_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kProfiles))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// A layer's gross energy per inference, J: energy_j if the file has it, else
// power x time (the two agree where both are present).
double gross_energy(const LayerProfile& l) {
  if (l.energy_j) return l.energy_j->gross;
  return l.power_w ? *l.power_w * l.time_ms.median / 1000.0 : 0.0;
}

// ------------------------------------------------------------ every file

struct ZooLayers {
  Graph graph;
  std::vector<Layer> layers;
};

ZooLayers zoo_layers(const std::string& model) {
  ZooOptions options;
  options.weights = false;
  ZooLayers z{build_zoo_model(model, options), {}};
  z.layers = group_layers(z.graph);
  return z;
}

// Any profile here, seed or measured: it loads, and its layers are layers
// 1..n of its model's zoo graph.
TEST(SeedProfiles, EveryFileLoadsAndItsLayersAreTheZooGraphs) {
  for (const auto& path : profile_files()) {
    SCOPED_TRACE(path.string());
    const ModelProfile p = read_profile_json(path);
    EXPECT_EQ(p.device, path.stem().string());
    EXPECT_FALSE(p.provenance.empty());
    const ZooLayers zoo = zoo_layers(p.model);
    ASSERT_LE(p.layers.size(), zoo.layers.size());
    double sum_ms = 0;
    for (size_t i = 0; i < p.layers.size(); ++i) {
      const LayerProfile& l = p.layers[i];
      const Layer& z = zoo.layers[i];
      SCOPED_TRACE(l.name);
      EXPECT_EQ(l.index, z.index);
      EXPECT_EQ(l.name, zoo.graph.node(z.main).name);
      EXPECT_EQ(l.kind, zoo.graph.op_label(z.main));
      int64_t macs = 0, params = 0;
      for (NodeId n : z.nodes) {
        macs += node_macs(zoo.graph, n);
        params += node_params(zoo.graph, n);
      }
      EXPECT_EQ(l.macs, macs);
      EXPECT_EQ(l.parameters, params);
      EXPECT_EQ(l.output_shape, zoo.graph.tensor(z.output).shape.dims());
      EXPECT_GE(l.time_ms.median, 0.0);
      sum_ms += l.time_ms.median;
      // power = gross energy / time (docs/profile-format.md).
      if (l.power_w && l.energy_j) {
        EXPECT_NEAR(*l.power_w * l.time_ms.median / 1000.0, l.energy_j->gross, 1e-6);
      }
    }
    EXPECT_NEAR(p.sum_of_layers_ms, sum_ms, 1e-6);
  }
}

// The three profiles from the study's sheets: vgg16-seed, prefixes 1..14,
// bytes in the measured dtype, layer times that add up to the prefix times.
TEST(SeedProfiles, SeedProfilesAreTheStudysPrefixModels) {
  const ZooLayers zoo = zoo_layers("vgg16-seed");
  ASSERT_EQ(zoo.layers.size(), 17u);
  for (const auto& [device, count] : kExpectedLayers) {
    SCOPED_TRACE(device);
    const ModelProfile p = load(device);
    EXPECT_EQ(p.model, "vgg16-seed");
    EXPECT_EQ(p.measurement.method, "study");
    // The dtype is the device id's suffix: "...-f32", "...-u8".
    EXPECT_EQ(p.measurement.dtype, device.substr(device.rfind('-') + 1));
    const bool eight_bit = p.measurement.dtype == "u8";
    ASSERT_EQ(p.layers.size(), count);
    double sum_ms = 0;
    for (size_t i = 0; i < p.layers.size(); ++i) {
      const LayerProfile& l = p.layers[i];
      const Layer& z = zoo.layers[i];
      SCOPED_TRACE(l.name);
      // Constants: float32 throughout; 8-bit: one byte per weight, the biases
      // (the rank-1 constants) int32.
      int64_t weight_bytes = 0;
      for (NodeId n : z.nodes) {
        for (TensorId t : zoo.graph.node(n).inputs) {
          const TensorInfo& info = zoo.graph.tensor(t);
          if (!info.constant) continue;
          weight_bytes += info.shape.elements() * (!eight_bit ? 4 : (info.shape.rank() == 1 ? 4 : 1));
        }
      }
      EXPECT_EQ(l.weight_bytes, weight_bytes);
      EXPECT_EQ(l.output_bytes, zoo.graph.tensor(z.output).shape.elements() * (eight_bit ? 1 : 4));
      // The prefix method: layer times add up to the prefix times.
      sum_ms += l.time_ms.median;
      ASSERT_TRUE(l.cumulative_ms.has_value());
      EXPECT_NEAR(*l.cumulative_ms, sum_ms, 1e-6);
      if (l.time_ms.median == 0) {
        EXPECT_FALSE(l.power_w.has_value());
      } else {
        EXPECT_TRUE(l.power_w.has_value());
      }
    }
  }
}

TEST(SeedProfiles, FilesAreWrittenInTheWritersOwnLayout) {
  // Read and written back, a file comes out byte for byte the same: the script
  // writes exactly the fields, order and layout of profile_to_json.
  for (const auto& path : profile_files()) {
    const std::vector<uint8_t> bytes = read_file_bytes(path);
    const std::string text(bytes.begin(), bytes.end());
    EXPECT_EQ(profile_to_json(read_profile_json(path)), text) << path;
  }
}

// ------------------------------------------------------------ against the sheets' cells
// Line numbers are the CSV files' own (1-based); column 0 is the prefix model
// k, column 2 its time in s, column 3 its power in W.

// Energy of prefix k as the study computes it: power x time, J.
double prefix_energy(const CsvCells& sheet, size_t line) { return sheet.number(line, 2) * sheet.number(line, 3); }

TEST(SeedProfiles, RaspberryPiIsRoundOneOfTheSheet) {
  const CsvCells sheet((kSeedData / "1st_raspi3bplus_float.csv").string());
  const ModelProfile p = load("rpi3bplus-cpu-f32");
  ASSERT_EQ(p.layers.size(), 14u);
  // Line 16 is k=14: 0.9778 s.
  EXPECT_EQ(sheet.number(16, 0), 14.0);
  EXPECT_NEAR(*p.layers[13].cumulative_ms, 977.8, 1e-9);
  EXPECT_NEAR(*p.layers[13].cumulative_ms, 1000 * sheet.number(16, 2), 1e-9);
  // block4_conv1 (k=11, line 13) minus k=10 (line 12): 0.7743 - 0.6396 s = 134.7 ms.
  EXPECT_NEAR(p.layers[10].time_ms.median, 134.7, 1e-9);
  EXPECT_NEAR(p.layers[10].time_ms.median, 1000 * (sheet.number(13, 2) - sheet.number(12, 2)), 1e-9);
  // block4_conv3 as float32: (3*3*512*512 + 512) parameters x 4 B = 9,439,232 B.
  EXPECT_EQ(p.layers[12].weight_bytes, 9'439'232);
  // Layer 1 is prefix 1: 0.0377 s at 4.084 W.
  EXPECT_NEAR(p.layers[0].time_ms.median, 37.7, 1e-9);
  EXPECT_NEAR(*p.layers[0].power_w, 4.084, 1e-9);
  // block2_conv2 (k=5, line 7): (5.098 W x 0.3362 s - 4.943 W x 0.2331 s) / (0.3362 - 0.2331) s
  //   = (1.7139476 - 1.1522133) J / 0.1031 s = 0.5617343 J / 0.1031 s = 5.44844 W.
  const double gross5 = prefix_energy(sheet, 7) - prefix_energy(sheet, 6);
  EXPECT_NEAR(gross5, 0.5617343, 1e-9);
  EXPECT_NEAR(*p.layers[4].power_w, gross5 / (sheet.number(7, 2) - sheet.number(6, 2)), 1e-5);
  // Layers 1..14 together use the energy of prefix 14: 5.625 W x 0.9778 s = 5.500125 J.
  double energy = 0;
  for (const auto& l : p.layers) energy += gross_energy(l);
  EXPECT_NEAR(energy, 5.500125, 1e-5);
  EXPECT_NEAR(energy / (*p.layers[13].cumulative_ms / 1000.0), sheet.number(16, 3), 1e-5);
  // k=15..17 (lines 17-19) could not be run: not in the profile.
  for (size_t line = 17; line <= 19; ++line) EXPECT_EQ(sheet.text(line, 2), "M.S") << line;
}

TEST(SeedProfiles, CoralIsTheSteadyStateTableOfTheMonsoonSheet) {
  const CsvCells sheet((kSeedData / "1st_coral_monsoon.csv").string());
  const ModelProfile p = load("rpi3bplus-coral-usb2-u8");
  ASSERT_EQ(p.layers.size(), 14u);
  EXPECT_EQ(sheet.text(1, 2), "After first time");
  // Line 16 is k=14 of the steady-state table: 1.612 s (the first-run table has 5.783 s on line 35).
  EXPECT_EQ(sheet.number(16, 0), 14.0);
  EXPECT_NEAR(*p.layers[13].cumulative_ms, 1612.0, 1e-9);
  EXPECT_NEAR(*p.layers[13].cumulative_ms, 1000 * sheet.number(16, 2), 1e-9);
  // block4_conv3 as uint8: 3*3*512*512 = 2,359,296 one-byte weights + 512 int32 biases = 2,361,344 B.
  EXPECT_EQ(p.layers[12].weight_bytes, 2'361'344);
  // block4_conv3 (k=13, line 15) minus k=12 (line 14): 1.573 - 1.13 s = 443 ms.
  EXPECT_NEAR(p.layers[12].time_ms.median, 443.0, 1e-9);
  EXPECT_NEAR(p.layers[12].time_ms.median, 1000 * (sheet.number(15, 2) - sheet.number(14, 2)), 1e-9);
  // The study's own "Computation" column (7) is the energy of prefix k; layer 2's
  // energy is the difference of lines 4 and 3: 0.3913696 - 0.0309393 = 0.3604303 J.
  const double gross2 = sheet.number(4, 7) - sheet.number(3, 7);
  EXPECT_NEAR(gross2, 0.3604303, 1e-9);
  EXPECT_NEAR(gross_energy(p.layers[1]), gross2, 1e-6);
  // ... and layers 1..14 use the energy of prefix 14: 2.5198784 J.
  double energy = 0;
  for (const auto& l : p.layers) energy += gross_energy(l);
  EXPECT_NEAR(energy, sheet.number(16, 7), 1e-5);
  EXPECT_NEAR(energy, 2.5198784, 1e-5);
}

TEST(SeedProfiles, JetsonIsRoundOneOfTheSheet) {
  const CsvCells sheet((kSeedData / "1st_jetson_nano_float.csv").string());
  const ModelProfile p = load("jetson-nano-f32");
  ASSERT_EQ(p.layers.size(), 14u);
  EXPECT_EQ(sheet.number(16, 0), 14.0);
  EXPECT_NEAR(*p.layers[13].cumulative_ms, 96.0, 1e-9);
  // block4_conv2 (k=12, line 14) minus k=11 (line 13): 0.077 - 0.05700000000000001 s = 20 ms.
  EXPECT_NEAR(p.layers[11].time_ms.median, 20.0, 1e-9);
  EXPECT_NEAR(p.layers[11].time_ms.median, 1000 * (sheet.number(14, 2) - sheet.number(13, 2)), 1e-9);
  // block3_pool (k=10, line 12) takes no time at the sheet's 1 ms resolution: 0.046 s twice.
  EXPECT_EQ(sheet.number(12, 2), sheet.number(11, 2));
  EXPECT_EQ(p.layers[9].time_ms.median, 0.0);
  EXPECT_FALSE(p.layers[9].power_w.has_value());
  for (size_t line = 17; line <= 19; ++line) EXPECT_EQ(sheet.text(line, 2), "M.S") << line;
}

}  // namespace
}  // namespace splitpoint
