#include "report/plan_groups.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>

namespace splitpoint {

namespace {

int link_rank(const std::string& link) {
  if (link == "3g") return 0;
  if (link == "lte") return 1;
  if (link == "wifi") return 2;
  return 3;
}

}  // namespace

std::vector<const PlanInput*> DevicePlans::all() const {
  std::vector<const PlanInput*> out;
  for (const auto& l : links) out.insert(out.end(), l.plans.begin(), l.plans.end());
  return out;
}

std::vector<DevicePlans> group_plans(const std::vector<PlanInput>& plans) {
  std::vector<DevicePlans> groups;
  for (const PlanInput& p : plans) {
    auto g = std::find_if(groups.begin(), groups.end(), [&](const DevicePlans& d) {
      return d.model == p.plan.model && d.device == p.plan.device.name;
    });
    if (g == groups.end()) {
      groups.push_back({p.plan.model, p.plan.device.name, {}});
      g = groups.end() - 1;
    }
    auto l = std::find_if(g->links.begin(), g->links.end(), [&](const LinkPlans& x) { return x.link == p.plan.link.name; });
    if (l == g->links.end()) {
      g->links.push_back({p.plan.link.name, p.plan.link.uplink_mbps, {}});
      l = g->links.end() - 1;
    }
    l->plans.push_back(&p);
  }
  for (auto& g : groups) {
    std::stable_sort(g.links.begin(), g.links.end(), [](const LinkPlans& a, const LinkPlans& b) {
      if (link_rank(a.link) != link_rank(b.link)) return link_rank(a.link) < link_rank(b.link);
      return a.uplink_mbps < b.uplink_mbps;
    });
  }
  return groups;
}

std::string link_label(const std::string& link) {
  if (link == "3g") return "3G";
  if (link == "lte") return "LTE";
  if (link == "wifi") return "Wi-Fi";
  if (link == "ethernet") return "Ethernet";
  return link;
}

std::string describe_cut(const PlanReport& plan, int cut) {
  if (cut == plan.plan.all_remote) return fmt::format("cut {} (send the input)", cut);
  if (cut == plan.plan.all_local) return fmt::format("cut {} (all local)", cut);
  if (cut >= 1 && cut <= static_cast<int>(plan.layers.size()))
    return fmt::format("cut {} (after {})", cut, plan.layers[static_cast<size_t>(cut - 1)].name);
  return fmt::format("cut {}", cut);
}

std::string chosen_by(const std::vector<const PlanReport*>& plans) {
  std::vector<std::pair<std::string, std::vector<std::string>>> by_objective;
  for (const PlanReport* p : plans) {
    const std::string objective = objective_name(p->plan.objective);
    auto it = std::find_if(by_objective.begin(), by_objective.end(), [&](const auto& e) { return e.first == objective; });
    if (it == by_objective.end()) it = by_objective.insert(by_objective.end(), {objective, {}});
    it->second.push_back(link_label(p->link.name));
  }
  std::string text;
  for (const auto& [objective, links] : by_objective) {
    text += (text.empty() ? "" : "; ") + objective + " over ";
    for (size_t i = 0; i < links.size(); ++i) text += (i ? ", " : "") + links[i];
  }
  return text;
}

std::string slug(const std::string& text) {
  std::string s;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) s += static_cast<char>(std::tolower(u));
    else if (!s.empty() && s.back() != '-') s += '-';
  }
  if (s.size() > 60) s.resize(60);  // a file name of the report: short, whatever the input says
  while (!s.empty() && s.back() == '-') s.pop_back();
  return s.empty() ? "x" : s;
}

}  // namespace splitpoint
