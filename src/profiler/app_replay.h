// The parent's side of --replay-mode application (ncu's mode of that name):
// the program runs once per pass; each run measures one pass of every
// profiled kernel at the application's own launch, and the injection
// carries each kernel's range profiler state to the next run
// (inject/app_pass_file.h). Kept apart from the process spawning so that
// the loop is tested with scripted runs (tests/unit/profiler/app_replay_test.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "profiler/record.h"

namespace gpuscope::profiler {

// One run of the profiled program: what its injected processes recorded
// and its wait status.
struct RunOutcome {
  ProfileRun run;
  int wstatus = 0;
};

// "CMD exited with status N" / "CMD was killed by signal N", or empty.
std::string exitWarning(const std::string& command, int wstatus);

// Runs run_program(0), run_program(1), ... until a run reports no kernel
// with passes left (ProfileRun::pending), and returns that run, with the
// warnings of all runs (once each). The first run fixes the number of
// kernels and passes; a later run that profiles a different number of
// kernels is InvalidInput (exit 2), as is a kernel the injection found
// different (its "replay" error comes back in the run's errors); a run
// that fails or reports errors is returned as it is. A kernel still
// pending one run after its passes are done is InternalError.
StatusOr<RunOutcome> applicationReplay(const std::string& command, bool quiet,
                                       const std::function<StatusOr<RunOutcome>(int64_t)>& run_program);

}  // namespace gpuscope::profiler
