#pragma once
// A parameterized test's name suffix from free text: GoogleTest accepts only
// letters, digits and '_', so everything else ("vgg16-seed") becomes '_'.
#include <cctype>
#include <string>

namespace splitpoint::testing {

inline std::string test_name(std::string text) {
  for (char& c : text)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return text;
}

// For INSTANTIATE_TEST_SUITE_P over std::pair{model, dtype}: "vgg16_seed_u8".
struct ModelDtypeName {
  template <typename Info>
  std::string operator()(const Info& info) const {
    return test_name(std::string(info.param.first) + "_" + info.param.second);
  }
};

}  // namespace splitpoint::testing
