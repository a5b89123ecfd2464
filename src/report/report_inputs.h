#pragma once
// The report's inputs: profile, plan and run JSONs, told apart by their
// "schema" field (splitpoint-profile, splitpoint-plan, splitpoint-run).
// A validate JSON (splitpoint-validate) is recognised and skipped with a note;
// any other file is an error naming it.
#include <filesystem>
#include <string>
#include <vector>

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

struct ReportInputs {
  std::vector<ProfileInput> profiles;
  std::vector<PlanInput> plans;
  std::vector<RunLog> runs;
  std::vector<std::string> skipped;  // "validate.json: a splitpoint-validate JSON, not charted"
};

// Reads every file in order. Throws Error naming the file (missing, not JSON,
// no or unknown "schema", or a field the kind's reader rejects).
ReportInputs read_report_inputs(const std::vector<std::filesystem::path>& files);

}  // namespace splitpoint
