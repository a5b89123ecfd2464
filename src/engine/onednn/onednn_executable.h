#pragma once
// A segment compiled by the oneDNN backend: its Plan, run with the thread
// count it was compiled for.
#include "engine/backend.h"
#include "engine/onednn/onednn_plan.h"

namespace splitpoint::onednn {

class OnednnExecutable : public Executable {
 public:
  OnednnExecutable(const Graph& segment, Plan plan) : Executable(segment), plan_(std::move(plan)) {}

  const Plan& plan() const { return plan_; }

 protected:
  void execute(std::span<const Tensor> inputs, std::span<Tensor> outputs) override { plan_.run(inputs, outputs); }

 private:
  Plan plan_;
};

// Compiles `segment` (the backend's compile, without the registry).
std::unique_ptr<OnednnExecutable> compile_onednn(const Graph& segment, const CompileOptions& options);

}  // namespace splitpoint::onednn
