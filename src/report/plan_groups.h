#pragma once
// The plans of a report grouped the way the charts show them: per model and
// device, then per link (3G, LTE, Wi-Fi first, then others by uplink), each
// link with its plans for the objectives given. Also the words the charts
// use for cuts, links and objectives.
#include <string>
#include <vector>

#include "report/report_inputs.h"

namespace splitpoint {

struct LinkPlans {
  std::string link;  // the plan's link name ("lte")
  double uplink_mbps = 0;
  std::vector<const PlanInput*> plans;  // one per objective, in input order
};

struct DevicePlans {
  std::string model;
  std::string device;  // the plan's device profile name
  std::vector<LinkPlans> links;
  std::vector<const PlanInput*> all() const;
};

std::vector<DevicePlans> group_plans(const std::vector<PlanInput>& plans);

// "3G", "LTE", "Wi-Fi", or the name as given.
std::string link_label(const std::string& link);
// "cut 14 (after block4_pool)", "cut 0 (send the input)", "cut 17 (all local)".
std::string describe_cut(const PlanReport& plan, int cut);
// Which plans chose a cut, by objective: "energy over 3G, LTE; latency over Wi-Fi".
std::string chosen_by(const std::vector<const PlanReport*>& plans);
// Lower case, [a-z0-9-] only: for ids and file names.
std::string slug(const std::string& text);

}  // namespace splitpoint
