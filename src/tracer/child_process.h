// Runs the traced command as a child process: environment additions,
// SIGINT/SIGTERM forwarding, an optional deadline after which the child is
// sent SIGTERM (as nsys --duration does), and its exit status.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace gpuscope::tracer {

struct ChildOptions {
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;  // set in the child only
  double stop_after_s = 0;  // 0 = wait for exit; else SIGTERM (then SIGKILL 10 s later)
};

struct ChildResult {
  int exit_code = 0;       // exit status, or 128 + signal number
  int forwarded_signal = 0;  // last SIGINT/SIGTERM forwarded to the child, 0 if none
  bool stopped_by_deadline = false;
};

// InvalidInput if the command cannot be executed (not found, not executable).
StatusOr<ChildResult> runChild(const ChildOptions& options);

}  // namespace gpuscope::tracer
