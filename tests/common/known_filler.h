#pragma once
// A WeightFiller that writes the values a test gives for each weight name;
// fails the test on an unknown name or a size mismatch.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "graph/builder.h"

namespace splitpoint::testing {

class KnownFiller : public WeightFiller {
 public:
  explicit KnownFiller(std::map<std::string, std::vector<float>> values) : values_(std::move(values)) {}
  void fill(const std::string& name, WeightRole, int64_t, Tensor& t) override {
    auto it = values_.find(name);
    if (it == values_.end()) {
      ADD_FAILURE() << "no values for weight " << name;
      return;
    }
    auto out = t.as<float>();
    if (out.size() != it->second.size()) {
      ADD_FAILURE() << name << ": " << out.size() << " elements, " << it->second.size() << " values";
      return;
    }
    std::copy(it->second.begin(), it->second.end(), out.begin());
  }

 private:
  std::map<std::string, std::vector<float>> values_;
};

}  // namespace splitpoint::testing
