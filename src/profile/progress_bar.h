#pragma once
// Progress of a long measurement on stderr: on a terminal a bar redrawn in
// place (at most ten times a second, so drawing does not disturb the timed
// runs), elsewhere (a log, a pipe) one plain line per stage.
#include <cstdio>
#include <string>

#include "profile/profiler.h"

namespace splitpoint {

class ProgressBar {
 public:
  // `terminal`: whether `out` is a terminal (isatty).
  ProgressBar(std::FILE* out, bool terminal);
  ~ProgressBar();

  void stage(const std::string& text);
  void runs(int done, int total);
  // Ends the bar's line (on a terminal).
  void finish();

  // Callbacks for profile_model.
  ProfileProgress callbacks();

 private:
  void draw(int done, int total);

  std::FILE* out_;
  bool terminal_;
  bool bar_shown_ = false;
  double last_draw_s_ = -1;
};

}  // namespace splitpoint
