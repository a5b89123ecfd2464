// The splitpoint binary starts OpenMP with passive waits unless the user chose
// (src/cli/openmp_wait_policy.cpp). libgomp itself is the oracle: with
// OMP_DISPLAY_ENV=true it prints the wait policy it runs with on stderr.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "cli/run_cli.h"

namespace splitpoint {
namespace {

// Sets (or, with nullopt, removes) an environment variable for a scope.
class EnvScope {
 public:
  EnvScope(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) saved_ = old;
    if (value)
      ::setenv(name, value->c_str(), 1);
    else
      ::unsetenv(name);
  }
  ~EnvScope() {
    if (saved_)
      ::setenv(name_, saved_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  EnvScope(const EnvScope&) = delete;
  EnvScope& operator=(const EnvScope&) = delete;

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

TEST(OpenmpWaitPolicy, PassiveUnlessTheUserChose) {
  EnvScope display("OMP_DISPLAY_ENV", "true");
  EnvScope spin("GOMP_SPINCOUNT", std::nullopt);
  {
    EnvScope policy("OMP_WAIT_POLICY", std::nullopt);  // ctest sets it for the tests; a user's shell does not
    const auto r = testing::run_cli("models");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("OMP_WAIT_POLICY = 'PASSIVE'"), std::string::npos) << r.err;
  }
  {
    EnvScope policy("OMP_WAIT_POLICY", "active");
    const auto r = testing::run_cli("models");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("OMP_WAIT_POLICY = 'ACTIVE'"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace splitpoint
