#pragma once
// The message of the splitpoint::Error that `f` throws; a test failure if it
// throws none.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"

namespace splitpoint::testing {

template <typename F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected splitpoint::Error";
  return {};
}

}  // namespace splitpoint::testing
