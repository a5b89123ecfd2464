#include "profile/progress_bar.h"

#include <fmt/core.h>

#include "profile/clock.h"

namespace splitpoint {

ProgressBar::ProgressBar(std::FILE* out, bool terminal) : out_(out), terminal_(terminal) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::stage(const std::string& text) {
  finish();
  fmt::print(out_, "{}...\n", text);
  std::fflush(out_);
}

void ProgressBar::runs(int done, int total) {
  if (!terminal_ || total <= 0) return;
  const double now = steady_seconds();
  if (done < total && bar_shown_ && now - last_draw_s_ < 0.1) return;
  last_draw_s_ = now;
  draw(done, total);
}

void ProgressBar::draw(int done, int total) {
  constexpr int kWidth = 40;
  const int filled = static_cast<int>(static_cast<int64_t>(kWidth) * done / total);
  fmt::print(out_, "\r  [{}{}] {:3}%  {}/{} runs", std::string(static_cast<size_t>(filled), '#'),
             std::string(static_cast<size_t>(kWidth - filled), '.'), static_cast<int64_t>(100) * done / total, done,
             total);
  std::fflush(out_);
  bar_shown_ = true;
}

void ProgressBar::finish() {
  if (!bar_shown_) return;
  fmt::print(out_, "\n");
  std::fflush(out_);
  bar_shown_ = false;
}

ProfileProgress ProgressBar::callbacks() {
  ProfileProgress p;
  p.stage = [this](const std::string& text) { stage(text); };
  p.runs = [this](int done, int total) { runs(done, total); };
  return p;
}

}  // namespace splitpoint
