#pragma once
// The constant power model (`model:IDLE_W,ACTIVE_W`): no instrument, a
// device's power from its data sheet or an earlier measurement. A layer's
// energy is ACTIVE_W x its time; the idle baseline is IDLE_W.
#include <string>

#include "profile/power_meter.h"

namespace splitpoint {

class ConstantPowerModel : public PowerMeter {
 public:
  // Throws Error unless 0 <= idle_w, 0 <= active_w, both finite.
  ConstantPowerModel(double idle_w, double active_w);

  std::string name() const override;
  void start() override;
  void stop() override;
  double sample_rate_hz() const override { return 0; }
  // ACTIVE_W x (t1_s - t0_s); the window must lie within the last start()..stop().
  double energy_j(double t0_s, double t1_s) const override;
  double idle_power_w() const override { return idle_w_; }
  void measure_idle_power(double seconds) override;

 private:
  double idle_w_;
  double active_w_;
  bool recording_ = false;
  double start_s_ = 0;
  double stop_s_ = -1;  // nothing recorded yet
};

}  // namespace splitpoint
