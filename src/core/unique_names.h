#pragma once
// A set of names that hands out unique ones: `base` while it is free, then
// `base_K`, K counting on from the last suffix given for that base. Constant
// time per name, so a file whose 100k tensors share one name does not take
// quadratic time to load (restarting K at 2 each time did).
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace splitpoint {

class UniqueNames {
 public:
  explicit UniqueNames(int first_suffix = 2) : first_suffix_(first_suffix) {}

  // True if `name` is taken.
  bool contains(const std::string& name) const { return taken_.count(name) > 0; }
  // Takes `name` as it is; false if it was taken already.
  bool take(const std::string& name) { return taken_.insert(name).second; }
  // Takes and returns `base`, or `base_K` for the smallest K not yet tried for `base`.
  std::string unique(const std::string& base) { return take(base) ? base : with_suffix(base); }
  // Takes and returns `base_K` for the smallest K not yet tried for `base` (never `base` itself).
  std::string with_suffix(const std::string& base) {
    int& k = next_suffix_.try_emplace(base, first_suffix_).first->second;
    for (;;) {
      std::string name = base + "_" + std::to_string(k++);
      if (take(name)) return name;
    }
  }

 private:
  int first_suffix_;
  std::unordered_set<std::string> taken_;
  std::unordered_map<std::string, int> next_suffix_;
};

}  // namespace splitpoint
