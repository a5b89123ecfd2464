// Hostile report inputs (issue 19): every string field of the profile, plan
// and run JSONs carrying text that would run a command if it reached gnuplot
// (or a shell) as code, HTML that would run as script, and CSV cells a
// spreadsheet would take for formulas; JSON nested 100,000 levels deep, a
// number too large for a double, and a 511 MB file. The hostile files are
// made here from the fixture's real inputs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <regex>

#include "report/report_fixture.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::report_fixture;
using testing::run_cli;

struct Scratch {
  fs::path dir;
  explicit Scratch(const std::string& name)
      : dir(fs::temp_directory_path() / ("splitpoint_report_hostile_" + name + std::to_string(::getpid()))) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
};

// Text that makes gnuplot (or a shell) create `marker`-N if any of it is run: a line ending a datablock then a
// command; backquote substitution; breaking out of a single- or double-quoted literal; a new command after ';' and
// after a line break; a shell's $( ); plus HTML that would run as script and a formula for a spreadsheet.
std::string payload(const fs::path& marker) {
  const std::string m = marker.string();
  return "=HYPERLINK(\"http://example.invalid\",\"x\")\nEOD\nsystem(\"touch " + m + "-1\")\nEOD\n" +
         "`touch " + m + "-2`" + "' . system('touch " + m + "-3') . '" + "\" . system(\"touch " + m + "-4\") . \"" +
         "\"; system(\"touch " + m + "-5\"); \"\r\n!touch " + m + "-6\n$(touch " + m + "-7)" +
         "\x1b[31m\t<script>alert(1)</script><img src=x onerror=alert(2)>";
}

// Every string value's JSON pointer (keys are not touched: they are the schema's).
void string_paths(const json& j, const std::string& pointer, std::vector<std::string>& out) {
  if (j.is_string()) out.push_back(pointer);
  if (j.is_object())
    for (const auto& item : j.items()) string_paths(item.value(), pointer + "/" + item.key(), out);
  if (j.is_array())
    for (size_t i = 0; i < j.size(); ++i) string_paths(j[i], pointer + "/" + std::to_string(i), out);
}

// "layers[3].kind" -> "/layers/3/kind"
std::string pointer_of(const std::string& field) {
  std::string p;
  std::string part;
  for (char c : field) {
    if (c == '.' || c == '[' || c == ']') {
      if (!part.empty()) p += "/" + part;
      part.clear();
    } else {
      part += c;
    }
  }
  if (!part.empty()) p += "/" + part;
  return p;
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {  // RFC 4180
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field), field.clear();
    } else if (c == '\n') {
      rows.back().push_back(field), field.clear();
      rows.emplace_back();
    } else {
      field += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

bool is_number(const std::string& s) {
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Every string field of every input kind at once carries the payload (in front of its value). A field the readers
// check against a list (dtype, method, where...) is refused with exit 2 naming it: it gets its value back and the
// report is tried again, until it renders. No marker may ever appear; the page, the SVGs and the CSVs must hold
// the text only as text.
TEST(ReportHostile, NoStringFieldOfAnyInputRunsAnything) {
  const auto& f = report_fixture();
  ASSERT_TRUE(f.error.empty()) << f.error;
  Scratch s("fields");
  const fs::path marker = s.dir / "pwned";
  const std::string text = payload(marker);
  struct Input {
    fs::path path;
    json original, hostile;
  };
  std::vector<Input> inputs;
  // One of each kind: the study's profile (with energy), a plan with a sweep and a JPEG, the Edge TPU plan, the run,
  // the accuracy JSON (its codec names are the rate-accuracy chart's key titles).
  for (const char* name : {"rpi3bplus-cpu-f32.json", "plan-pi-lte-energy.json", "plan-edgetpu-lte-energy.json",
                           "run-lte-auto.json", "accuracy-fashion-mnist.json"}) {
    Input in{s.dir / name, testing::read_json(f.inputs / name), {}};
    in.hostile = in.original;
    std::vector<std::string> paths;
    string_paths(in.original, "", paths);
    for (const std::string& p : paths) {
      if (p == "/schema") continue;  // tells the kinds apart: another value is an unknown kind
      in.hostile[json::json_pointer(p)] = text + in.original[json::json_pointer(p)].get<std::string>();
    }
    inputs.push_back(in);
  }
  std::string args;
  for (const Input& in : inputs) args += " " + in.path.string();
  const fs::path out = s.dir / "report";
  int restored = 0;
  testing::CliResult r;
  for (int attempt = 0; attempt < 400; ++attempt) {
    for (const Input& in : inputs) std::ofstream(in.path) << in.hostile.dump();
    r = run_cli("report" + args + " -o " + out.string());
    for (int k = 1; k <= 7; ++k) ASSERT_FALSE(fs::exists(marker.string() + "-" + std::to_string(k))) << k << r.err;
    if (r.exit_code == 0) break;
    ASSERT_EQ(r.exit_code, 2) << r.err;  // a clean refusal, never a crash or an internal error
    // "splitpoint: error: FILE: FIELD: ..." -> restore FIELD of FILE
    bool found = false;
    for (Input& in : inputs) {
      const std::string prefix = "splitpoint: error: " + in.path.string() + ": ";
      if (r.err.rfind(prefix, 0) != 0) continue;
      const std::string rest = r.err.substr(prefix.size());
      const std::string pointer = pointer_of(rest.substr(0, rest.find(": ")));
      ASSERT_TRUE(in.hostile.contains(json::json_pointer(pointer)) &&
                  in.hostile[json::json_pointer(pointer)] != in.original[json::json_pointer(pointer)])
          << "an error that names no hostile field: " << r.err;
      in.hostile[json::json_pointer(pointer)] = in.original[json::json_pointer(pointer)];
      found = true;
      ++restored;
    }
    ASSERT_TRUE(found) << r.err;
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(restored, 0);  // the checked fields were tried too (each refused with exit 2)
  for (int k = 1; k <= 7; ++k) EXPECT_FALSE(fs::exists(marker.string() + "-" + std::to_string(k))) << k;

  const std::string html = testing::slurp(out / "report.html");
  EXPECT_EQ(lower(html).find("<script"), std::string::npos);
  EXPECT_EQ(lower(html).find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);  // shown, as text
  int svgs = 0, csvs = 0, formula_cells = 0;
  for (const auto& entry : fs::directory_iterator(out)) {
    const std::string name = entry.path().filename().string();
    const std::string content = testing::slurp(entry.path());
    if (entry.path().extension() == ".svg") {
      ++svgs;
      EXPECT_EQ(lower(content).find("<script"), std::string::npos) << name;
      EXPECT_EQ(content.find('\x1b'), std::string::npos) << name;
    }
    if (entry.path().extension() == ".csv") {
      ++csvs;
      for (const auto& row : parse_csv(content))
        for (const std::string& cell : row) {
          if (cell.empty() || std::string("=+-@\t\r").find(cell.front()) == std::string::npos) continue;
          EXPECT_TRUE(is_number(cell)) << name << ": a cell a spreadsheet runs as a formula: " << cell;
        }
      // The payload's formula is there, neutralised with a leading '.
      if (content.find("'=HYPERLINK(") != std::string::npos) ++formula_cells;
    }
  }
  EXPECT_GE(svgs, 5);
  EXPECT_GE(csvs, 5);
  EXPECT_GE(formula_cells, 1);
  // The layer names reached a chart as data (its x labels): HYPERLINK shows in the profile chart's SVG.
  bool label_drawn = false;
  for (const auto& entry : fs::directory_iterator(out))
    if (entry.path().filename().string().rfind("profile-", 0) == 0 && entry.path().extension() == ".svg")
      label_drawn = label_drawn || testing::slurp(entry.path()).find("HYPERLINK") != std::string::npos;
  EXPECT_TRUE(label_drawn);
}

std::string nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// 100,000 levels (it crashed with SIGSEGV at this depth): exit 2 naming the file and the limit, for each kind.
TEST(ReportHostile, DeepNestingIsRefused) {
  Scratch s("deep");
  for (const char* schema : {"splitpoint-profile", "splitpoint-plan", "splitpoint-run"}) {
    const fs::path file = s.dir / (std::string(schema) + ".json");
    std::ofstream(file) << "{\"schema\": \"" << schema << "\", \"schema_version\": 1, \"x\": " << nested(100000)
                        << "}";
    auto r = run_cli("report " + file.string() + " -o " + (s.dir / "out").string());
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(file.string() + ": x[0]"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nested deeper than 64 levels"), std::string::npos) << r.err;
  }
  // 64 levels of an unknown field are still read (the run's reader ignores nothing: use a plan's extra field).
  const auto& f = report_fixture();
  json plan = testing::read_json(f.inputs / "plan-pi-lte-energy.json");
  plan["notes_from_elsewhere"] = json::parse(nested(60));
  std::ofstream(s.dir / "ok.json") << plan.dump();
  auto r = run_cli("report " + (s.dir / "ok.json").string() + " -o " + (s.dir / "out").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// 1e400 (it gave `internal error: [json.exception.out_of_range.406]`, exit 1): exit 2 naming the file and field.
TEST(ReportHostile, NumberBeyondADoubleNamesTheField) {
  const auto& f = report_fixture();
  Scratch s("overflow");
  std::string text = testing::read_json(f.inputs / "plan-pi-lte-energy.json").dump(1);
  // The third cut's total_ms, rewritten as 1e400.
  size_t at = text.find("\"cuts\":");
  for (int i = 0; i < 3; ++i) at = text.find("\"total_ms\":", at + 1);
  ASSERT_NE(at, std::string::npos);
  const size_t value = at + std::string("\"total_ms\":").size();
  const size_t end = text.find_first_of(",\n}", value);
  text = text.substr(0, value) + " 1e400" + text.substr(end);
  const fs::path file = s.dir / "plan.json";
  std::ofstream(file) << text;
  auto r = run_cli("report " + file.string() + " -o " + (s.dir / "out").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(file.string() + ": not valid JSON at cuts[2].total_ms"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1e400 is out of range"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
}

// A 511 MB plan (it died of bad_alloc): refused before it is read, naming the file and the limit. The file is
// sparse (no disk space used).
TEST(ReportHostile, OversizedInputIsRefusedBeforeReading) {
  Scratch s("size");
  const fs::path file = s.dir / "plan.json";
  std::ofstream(file) << "{\"schema\": \"splitpoint-plan\"";
  fs::resize_file(file, size_t{511} << 20);
  auto r = run_cli("report " + file.string() + " -o " + (s.dir / "out").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(file.string() + ": 535822336 bytes, more than the 32 MiB"), std::string::npos) << r.err;
  // An endless input (a character device) is read only up to the limit.
  r = run_cli("report /dev/zero -o " + (s.dir / "out").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("/dev/zero: more than the 32 MiB"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace splitpoint
