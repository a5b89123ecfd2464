#include "profile/power_trace_csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "core/file_io.h"

namespace splitpoint {

namespace {

enum class Quantity { time, power, current, voltage, other };

struct Column {
  size_t index = 0;
  std::string header;   // as written
  Quantity quantity = Quantity::other;
  double scale = 1;     // to s, W, A or V
  std::string channel;  // "main", "usb", "aux" or ""
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (std::isspace(static_cast<unsigned char>(text.front())) || text.front() == '"'))
    text.remove_prefix(1);
  while (!text.empty() && (std::isspace(static_cast<unsigned char>(text.back())) || text.back() == '"'))
    text.remove_suffix(1);
  return text;
}

std::string lower(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

std::vector<std::string_view> split_cells(std::string_view line) {
  std::vector<std::string_view> cells;
  size_t begin = 0;
  for (;;) {
    const size_t comma = line.find(',', begin);
    cells.push_back(trim(line.substr(begin, comma == std::string_view::npos ? std::string_view::npos : comma - begin)));
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  return cells;
}

// "Main Avg Power(mW)" -> label "main avg power", unit "mw"; "time_s" -> "time", "s".
void label_and_unit(std::string_view header, std::string& label, std::string& unit) {
  const std::string text = lower(header);
  const size_t open = text.rfind('(');
  if (open != std::string::npos && !text.empty() && text.back() == ')') {
    label = std::string(trim(std::string_view(text).substr(0, open)));
    unit = std::string(trim(std::string_view(text).substr(open + 1, text.size() - open - 2)));
    return;
  }
  const size_t underscore = text.rfind('_');
  if (underscore != std::string::npos) {
    label = text.substr(0, underscore);
    unit = text.substr(underscore + 1);
    return;
  }
  label = text;
  unit.clear();
}

Column classify(size_t index, std::string_view header) {
  Column column;
  column.index = index;
  column.header = std::string(header);
  std::string label, unit;
  label_and_unit(header, label, unit);
  if (unit == "µs") unit = "us";
  if (unit == "µw") unit = "uw";
  if (unit == "µa") unit = "ua";
  const bool names_time = label.find("time") != std::string::npos;
  if (names_time && (unit == "s" || unit == "ms" || unit == "us")) {
    column.quantity = Quantity::time;
    column.scale = unit == "s" ? 1 : unit == "ms" ? 1e-3 : 1e-6;
  } else if (unit == "w" || unit == "mw" || unit == "uw") {
    column.quantity = Quantity::power;
    column.scale = unit == "w" ? 1 : unit == "mw" ? 1e-3 : 1e-6;
  } else if (unit == "a" || unit == "ma" || unit == "ua") {
    column.quantity = Quantity::current;
    column.scale = unit == "a" ? 1 : unit == "ma" ? 1e-3 : 1e-6;
  } else if (unit == "v" || unit == "mv") {
    column.quantity = Quantity::voltage;
    column.scale = unit == "v" ? 1 : 1e-3;
  }
  // The channel: the label without the words that name the quantity.
  std::string channel;
  size_t begin = 0;
  while (begin < label.size()) {
    size_t end = label.find_first_of(" _", begin);
    if (end == std::string::npos) end = label.size();
    const std::string word = label.substr(begin, end - begin);
    if (!word.empty() && word != "avg" && word != "average" && word != "power" && word != "current" &&
        word != "voltage" && word != "time")
      channel += (channel.empty() ? "" : " ") + word;
    begin = end + 1;
  }
  column.channel = channel;
  return column;
}

// The one column of `candidates`, or Main's when there are several; nullopt if none.
std::optional<Column> pick(const std::vector<Column>& candidates, const std::string& what, const std::string& file) {
  if (candidates.empty()) return std::nullopt;
  if (candidates.size() == 1) return candidates.front();
  std::vector<Column> main;
  for (const Column& column : candidates)
    if (column.channel == "main") main.push_back(column);
  if (main.size() == 1) return main.front();
  std::string names;
  for (const Column& column : candidates) names += (names.empty() ? "" : ", ") + column.header;
  throw Error(file + ": line 1: several " + what + " columns (" + names + ") and no single Main one");
}

double parse_number(std::string_view cell, const std::string& file, size_t line, const Column& column) {
  const std::string where = fmt::format("{}: line {}, column {} ({})", file, line, column.index + 1, column.header);
  if (cell.empty()) throw Error(where + ": empty cell");
  if (cell.front() == '+') cell.remove_prefix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (error != std::errc() || end != cell.data() + cell.size() || !std::isfinite(value))
    throw Error(where + ": '" + std::string(cell) + "' is not a number");
  return value;
}

}  // namespace

PowerTrace read_power_trace_csv(const std::filesystem::path& path) {
  const std::string file = path.string();
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte order mark

  PowerTrace trace;
  std::vector<Column> columns;
  std::optional<Column> time, power, current, voltage;
  size_t line_number = 0;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty() || trim(line).front() == '#') continue;
    const std::vector<std::string_view> cells = split_cells(line);

    if (columns.empty()) {  // the header
      for (size_t i = 0; i < cells.size(); ++i) columns.push_back(classify(i, cells[i]));
      std::vector<Column> times, powers, currents, voltages;
      for (const Column& column : columns) {
        if (column.quantity == Quantity::time) times.push_back(column);
        if (column.quantity == Quantity::power) powers.push_back(column);
        if (column.quantity == Quantity::current) currents.push_back(column);
        if (column.quantity == Quantity::voltage) voltages.push_back(column);
      }
      const std::string header_where = fmt::format("{}: line {}", file, line_number);
      if (times.empty())
        throw Error(header_where + ": no time column in the header (expected time_s, or Time(s), Time(ms) or "
                    "Time(us) as in a Monsoon export)");
      if (times.size() > 1) throw Error(header_where + ": several time columns");
      time = times.front();
      power = pick(powers, "power", file);
      if (!power) {
        current = pick(currents, "current", file);
        if (current) {
          for (const Column& column : voltages)
            if (column.channel == current->channel) voltage = column;
          if (!voltage && voltages.size() == 1) voltage = voltages.front();
        }
        if (!current || !voltage)
          throw Error(header_where + ": no power column (power_w, or e.g. Main Avg Power(mW)) and no current "
                      "with its voltage (e.g. Main(mA) and Main Voltage(V)) in the header");
      }
      trace.columns = time->header + ", " + (power ? power->header : current->header + " x " + voltage->header);
      continue;
    }

    auto cell_of = [&](const Column& column) -> std::string_view {
      if (column.index >= cells.size())
        throw Error(fmt::format("{}: line {}, column {} ({}): missing (the row has {} columns)", file, line_number,
                                column.index + 1, column.header, cells.size()));
      return cells[column.index];
    };
    const double t = parse_number(cell_of(*time), file, line_number, *time) * time->scale;
    if (!trace.time_s.empty() && t < trace.time_s.back())
      throw Error(fmt::format("{}: line {}, column {} ({}): time {} s comes before the previous row's {} s", file,
                              line_number, time->index + 1, time->header, t, trace.time_s.back()));
    double watts = 0;
    if (power) {
      watts = parse_number(cell_of(*power), file, line_number, *power) * power->scale;
    } else {
      watts = parse_number(cell_of(*current), file, line_number, *current) * current->scale *
              parse_number(cell_of(*voltage), file, line_number, *voltage) * voltage->scale;
    }
    trace.time_s.push_back(t);
    trace.power_w.push_back(watts);
  }
  if (columns.empty()) throw Error(file + ": empty (expected a header row, e.g. time_s,power_w)");
  if (trace.time_s.size() < 2)
    throw Error(fmt::format("{}: {} sample(s): a trace needs at least two", file, trace.time_s.size()));
  if (trace.time_s.back() == trace.time_s.front())
    throw Error(file + ": every sample has the same time: the trace spans no time");
  return trace;
}

}  // namespace splitpoint
