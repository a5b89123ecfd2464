#include "report/html_report.h"

#include <fmt/core.h>

#include <filesystem>

#include "report/plan_groups.h"

namespace splitpoint {

namespace {

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

const char* kStyle = R"(
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0 auto;
       max-width: 1240px; padding: 16px 20px 40px; color: #222; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 2px solid #ddd; }
h3 { font-size: 1.1em; margin-bottom: 0.3em; }
svg.chart { width: 100%; height: auto; max-width: 1200px; display: block; border: 1px solid #e4e4e4; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
th, td { border: 1px solid #d0d0d0; padding: 3px 7px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
p.missing { background: #fff4e0; border-left: 4px solid #e0a030; padding: 6px 10px; }
p.note { color: #7a5a00; margin: 0.2em 0; }
p.caption { margin: 0.3em 0; color: #444; }
code { background: #f3f3f3; padding: 0 3px; }
.meta { color: #666; }
)";

std::string number_cell(const std::string& text) { return "<td class=\"num\">" + escape(text) + "</td>"; }

std::string inputs_table(const ReportInputs& in) {
  std::string h = "<table><tr><th>file</th><th>kind</th><th>model</th><th>device</th><th>details</th></tr>\n";
  for (const auto& p : in.profiles) {
    const auto& m = p.profile.measurement;
    h += fmt::format("<tr><td><code>{}</code></td><td>profile</td><td>{}</td><td>{}</td><td>{}, {}, method {}, {} "
                     "layers{}</td></tr>\n",
                     escape(p.source), escape(p.profile.model), escape(p.profile.device), escape(m.backend),
                     escape(m.dtype), escape(m.method), p.profile.layers.size(),
                     p.profile.meter ? ", meter " + escape(p.profile.meter->name) : ", no power meter");
  }
  for (const auto& p : in.plans) {
    const PlanReport& r = p.plan;
    h += fmt::format("<tr><td><code>{}</code></td><td>plan</td><td>{}</td><td>{}</td><td>{} over {}, codec {}, "
                     "best {}{}</td></tr>\n",
                     escape(p.source), escape(r.model), escape(r.device.name), escape(objective_name(r.plan.objective)),
                     escape(link_label(r.link.name)), escape(r.codec),
                     r.plan.best ? escape(describe_cut(r, *r.plan.best)) : "none feasible",
                     r.sweep ? ", bandwidth sweep" : "");
  }
  for (const auto& run : in.runs) {
    h += fmt::format("<tr><td><code>{}</code></td><td>run</td><td>{}</td><td>{}</td><td>split {}, objective {}, {}, "
                     "codec {}, {} requests</td></tr>\n",
                     escape(run.source), escape(run.model), escape(run.device_profile), escape(run.split),
                     escape(run.objective), escape(link_label(run.link)), escape(run.codec), run.requests.size());
  }
  h += "</table>\n";
  for (const auto& s : in.skipped) h += "<p class=\"note\">Skipped: " + escape(s) + "</p>\n";
  return h;
}

std::string summary_html(const std::vector<SummaryRow>& rows) {
  if (rows.empty()) return "<p class=\"missing\">No plan JSON given: the summary needs plans.</p>\n";
  std::string h =
      "<table><tr><th>model</th><th>device</th><th>link</th><th>objective</th><th>best cut</th>"
      "<th>predicted ms</th><th>predicted J</th><th>measured ms (requests)</th><th>measured J</th>"
      "<th>gain vs all local</th><th>gain vs all remote</th></tr>\n";
  auto pct = [](const std::optional<double>& v) { return v ? fmt::format("{:.1f}%", 100 * *v) : std::string("-"); };
  for (const SummaryRow& r : rows) {
    h += "<tr><td>" + escape(r.model) + "</td><td>" + escape(r.device) + "</td><td>" + escape(link_label(r.link)) +
         "</td><td>" + escape(r.objective) + "</td><td>" + escape(r.best_cut_label) + "</td>";
    h += number_cell(r.best_cut ? fmt::format("{:.1f}", r.predicted_ms) : "-");
    h += number_cell(r.predicted_j ? fmt::format("{:.3f}", *r.predicted_j) : "-");
    h += number_cell(r.measured_ms ? fmt::format("{:.1f} ({})", *r.measured_ms, r.measured_requests) : "-");
    h += number_cell(r.measured_j ? fmt::format("{:.3f}", *r.measured_j) : "-");
    h += number_cell(pct(r.gain_over_local)) + number_cell(pct(r.gain_over_remote)) + "</tr>\n";
  }
  h += "</table>\n<p class=\"caption\">Predicted: the plan's figures for its best cut (latency end to end, energy on "
       "the device, per inference). Measured: the median over the requests of matching live runs at that cut (same "
       "model, device profile and link; <code>--split auto</code> with the same objective, or a fixed split at that "
       "cut). A live run's layers 1..k ran on the machine that ran <code>splitpoint run</code>, not on the profiled "
       "device: for a cut above 0 its measured time and energy hold that machine's head time (its energy: the "
       "profile's compute energy plus the radio's). Gain: how much lower the best cut's objective score is than running all local or sending the input "
       "(all remote). Also in <a href=\"summary.csv\">summary.csv</a>.</p>\n";
  return h;
}

}  // namespace

std::string html_text(const std::string& text) {
  std::string out;
  bool code = false;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '`') {
      const std::string part = escape(text.substr(start, i - start));
      out += code ? "<code>" + part + "</code>" : part;
      if (i < text.size()) code = !code;
      start = i + 1;
    }
  }
  return out;
}

std::string inline_svg(const std::string& svg, const std::string& id, const std::string& title) {
  std::string s = svg;
  if (s.rfind("<?xml", 0) == 0) s = s.substr(s.find("?>") + 2);
  const std::string prefix = id + "-";
  for (const char* quote : {"'", "\""}) {
    replace_all(s, std::string("id=") + quote, std::string("id=") + quote + prefix);
    replace_all(s, std::string("href=") + quote + "#", std::string("href=") + quote + "#" + prefix);
  }
  replace_all(s, "url(#", "url(#" + prefix);
  const size_t at = s.find("<svg");
  if (at != std::string::npos)
    s.replace(at, 4, fmt::format("<svg id=\"{}\" class=\"chart\" role=\"img\" aria-label=\"{}\"", escape(id), escape(title)));
  const size_t first = s.find_first_not_of(" \t\r\n");
  return first == std::string::npos ? s : s.substr(first);
}

std::string html_report(const ReportInputs& inputs, const std::vector<ChartSection>& sections,
                        const std::map<std::string, std::string>& svgs, const std::vector<SummaryRow>& summary,
                        const std::string& tool, const std::string& date) {
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<title>splitpoint report</title>\n<style>" +
                  std::string(kStyle) + "</style>\n</head>\n<body>\n";
  h += "<h1>splitpoint report</h1>\n";
  const size_t inputs_count =
      inputs.profiles.size() + inputs.plans.size() + inputs.runs.size() + inputs.accuracies.size();
  h += fmt::format("<p class=\"meta\">Written by {} on {} (UTC) from {} input file{}. Charts drawn by gnuplot; the "
                   "data behind each is in the CSV file linked below it. Cut k: the device runs layers 1..k and sends "
                   "the tensors live after layer k; cut 0 sends the input, the last cut runs all locally.</p>\n",
                   escape(tool), escape(date), inputs_count, inputs_count == 1 ? "" : "s");
  h += "<h2>Summary: the best cut per device, link and objective</h2>\n" + summary_html(summary);
  for (const ChartSection& section : sections) {
    h += fmt::format("<h2 id=\"section-{}\">{}. {}</h2>\n<p>{}</p>\n", section.number, section.number,
                     escape(section.title), html_text(section.description));
    if (section.charts.empty()) {
      h += "<p class=\"missing\">Chart left out. " + html_text(section.missing) + "</p>\n";
      continue;
    }
    for (const Chart& chart : section.charts) {
      h += "<figure>\n<h3>" + escape(chart.title) + "</h3>\n";
      const auto svg = svgs.find(chart.id);
      if (svg != svgs.end()) h += svg->second + "\n";
      h += "<p class=\"caption\">" + html_text(chart.caption) + fmt::format(" Data: <a href=\"{0}.csv\">{0}.csv</a>.",
                                                                             escape(chart.id)) + "</p>\n";
      for (const auto& note : chart.notes) h += "<p class=\"note\">" + html_text(note) + "</p>\n";
      h += "</figure>\n";
    }
  }
  h += "<h2>Inputs</h2>\n" + inputs_table(inputs);
  h += "</body>\n</html>\n";
  return h;
}

}  // namespace splitpoint
