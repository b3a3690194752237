#include "profiler/app_replay.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

namespace gpuscope::profiler {

std::string exitWarning(const std::string& command, int wstatus) {
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != 0)
    return command + " exited with status " + std::to_string(WEXITSTATUS(wstatus));
  if (WIFSIGNALED(wstatus)) return command + " was killed by signal " + std::to_string(WTERMSIG(wstatus));
  return "";
}

StatusOr<RunOutcome> applicationReplay(const std::string& command, bool quiet,
                                       const std::function<StatusOr<RunOutcome>(int64_t)>& run_program) {
  std::vector<std::string> warnings;
  size_t profiled = 0;
  int passes = 1;
  for (int64_t r = 0;; ++r) {
    StatusOr<RunOutcome> out = run_program(r);
    if (!out.ok() || !out->run.errors.empty()) return out;
    for (std::string& w : out->run.warnings)
      if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) warnings.push_back(std::move(w));
    const size_t done = out->run.kernels.size(), left = out->run.pending.size();
    const std::string run_name = "application replay, run " + std::to_string(r + 1);
    if (r == 0) {
      profiled = done + left;
      if (left) passes = std::max(out->run.pending.front().passes, 1);
    } else if (done + left != profiled) {
      return InvalidInput(run_name + ": " + std::to_string(done + left) + " kernels profiled, " +
                          std::to_string(profiled) +
                          " in the first run; the program must launch the same kernels in every run (else use "
                          "--replay-mode kernel)");
    }
    if (left == 0) {
      out->run.warnings = std::move(warnings);
      return out;
    }
    // The run's results are in, but a program that failed may have done so
    // after its kernels: say so, and go on.
    if (std::string w = exitWarning(command, out->wstatus); !w.empty()) warnings.push_back(run_name + ": " + w);
    if (done != 0 || r + 1 > passes)
      return InternalError(run_name + ": " + std::to_string(left) + " of " + std::to_string(profiled) +
                           " kernels still have passes to collect after " + std::to_string(r + 1) +
                           " runs for " + std::to_string(passes) + " passes");
    if (!quiet)
      std::fprintf(stderr, "gpuscope: application replay: running %s again (pass %lld of %d)\n", command.c_str(),
                   static_cast<long long>(r + 2), passes);
  }
}

}  // namespace gpuscope::profiler
