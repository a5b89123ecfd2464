// Progress on stderr: a bar on a terminal, plain stage lines elsewhere.
#include "profile/progress_bar.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace splitpoint {
namespace {

std::string written(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string text;
  char buffer[256];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  std::fclose(f);
  return text;
}

TEST(ProgressBar, PlainLinesWhenNotATerminal) {
  std::FILE* f = std::tmpfile();
  {
    ProgressBar bar(f, /*terminal=*/false);
    const ProfileProgress p = bar.callbacks();
    p.stage("compiling");
    for (int i = 1; i <= 4; ++i) p.runs(i, 4);
    p.stage("timing");
  }
  EXPECT_EQ(written(f), "compiling...\ntiming...\n");
}

TEST(ProgressBar, BarOnATerminalEndsWithItsLine) {
  std::FILE* f = std::tmpfile();
  {
    ProgressBar bar(f, /*terminal=*/true);
    bar.stage("timing");
    bar.runs(1, 4);  // drawn: the first
    bar.runs(4, 4);  // drawn: the last (always)
    bar.finish();
  }
  // 40 columns: 10 filled at 25%.
  EXPECT_EQ(written(f), "timing...\n"
                        "\r  [" + std::string(10, '#') + std::string(30, '.') + "]  25%  1/4 runs"
                        "\r  [" + std::string(40, '#') + "] 100%  4/4 runs\n");
}

}  // namespace
}  // namespace splitpoint
