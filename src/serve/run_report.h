#pragma once
// What `splitpoint run` measured, as data: every request's record and a
// summary, written as JSON (schema "splitpoint-run", version 1; docs/serve.md)
// for `splitpoint report` and for comparing runs.
#include <optional>
#include <string>
#include <vector>

#include "cost/link_profile.h"
#include "serve/live_split.h"

namespace splitpoint {

struct RunEntry {
  int index = 0;
  std::string input;       // file name, or "random#SEED"
  LiveRecord record;
  std::optional<int64_t> top1;
  std::optional<int64_t> label;  // the expected class, when labels were given
};

struct RunReport {
  std::string tool, date;
  std::string model, server, server_model;
  std::string codec, split, objective;
  std::string device_profile, server_profile;
  LinkProfile prior_link;
  std::optional<LinkProfile> emulated_link;
  int layers = 0;
  std::vector<std::string> layer_names;  // layer k is layer_names[k-1]
  std::vector<RunEntry> entries;
};

struct RunSummary {
  int requests = 0, remote = 0, local = 0, fallbacks = 0;
  std::vector<std::string> fallback_inputs;
  double median_total_ms = 0, p90_total_ms = 0;
  double median_predicted_ms = 0;
  double median_abs_error = 0;  // median over requests of |measured - predicted| / measured (requests run as planned)
  double median_energy_j = 0;
  int labelled = 0, correct = 0;  // requests with a label; of those, whose top-1 answer is it
};

RunSummary summarize(const RunReport& report);
std::string run_report_json(const RunReport& report);

// Median and the q-quantile (nearest rank) of values; 0 for none.
double median_of(std::vector<double> values);
double quantile_of(std::vector<double> values, double q);

}  // namespace splitpoint
