#include "base/progress.h"

#include <unistd.h>

#include <cstdio>

namespace gpuscope {

Progress::Progress(bool enabled) : on_(enabled && ::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (shown_) std::fputs("\r\033[K", stderr);
}

void Progress::stage(std::string_view what) {
  if (!on_) return;
  std::fprintf(stderr, "\r\033[Kgpuscope: %.*s...", static_cast<int>(what.size()), what.data());
  std::fflush(stderr);
  shown_ = true;
}

std::string humanBytes(double bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000.0 && u < 4) {
    bytes /= 1000.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

}  // namespace gpuscope
