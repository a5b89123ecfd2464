#pragma once
// The report's inputs: profile, plan, run and accuracy JSONs, told apart by
// their "schema" field (splitpoint-profile, splitpoint-plan, splitpoint-run,
// splitpoint-accuracy).
// A validate JSON (splitpoint-validate) is recognised and skipped with a note;
// any other file is an error naming it.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "plan/accuracy_table.h"
#include "plan/plan_json_reader.h"
#include "plan/plan_report.h"
#include "profile/profile_json.h"
#include "report/run_log.h"

namespace splitpoint {

struct ProfileInput {
  std::string source;  // the file
  ModelProfile profile;
};

struct PlanInput {
  std::string source;
  PlanReport plan;
};

struct AccuracyInput {
  std::string source;
  AccuracyReport accuracy;
};

struct ReportInputs {
  std::vector<ProfileInput> profiles;
  std::vector<PlanInput> plans;
  std::vector<RunLog> runs;
  std::vector<AccuracyInput> accuracies;
  std::vector<std::string> skipped;  // "validate.json: a splitpoint-validate JSON, not charted"
};

// The largest input file: the largest any of the three readers takes (32 MiB).
inline constexpr size_t kMaxReportInputBytes = std::max({kMaxProfileJsonBytes, kMaxPlanJsonBytes, kMaxRunJsonBytes});

// Reads every file in order, each read and parsed once (core/json_document.h:
// at most kMaxReportInputBytes, nesting bounded). Throws Error naming the file
// (missing, too large, not JSON, no or unknown "schema", or a field the kind's
// reader rejects).
ReportInputs read_report_inputs(const std::vector<std::filesystem::path>& files);
// One parsed document `source`, told apart by its "schema" and added to `inputs`.
void add_report_input(const nlohmann::json& document, const std::string& source, ReportInputs& inputs);

}  // namespace splitpoint
