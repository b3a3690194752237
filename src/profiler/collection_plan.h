// How many runs of the profiled program a metric list needs, and how the
// later runs' values join the first's.
//
// One run by default: every metric, SASS and timing metrics included, is
// measured in the user-replay passes of one program run (docs/kernels.md,
// How it works step 2). Two extra runs exist as A/B switches (PlanSwitches),
// from sessions 5-6, when kernel activity instrumentation ran in the
// measured passes (found in H200 run U; launch_activity.h):
//
// SASS run (GPUSCOPE_PROFILER_SASS_SPLIT=1): SASS metrics read 0 under that
// user replay (runs 4, U) and right under CUPTI's kernel replay (run 5), so
// a list that mixed both was collected in two runs, each with one range
// profiler object per context for the context's whole life (a second object
// on a context killed the program inside CUPTI, run 5): first every other
// metric (user replay), then the SASS metrics alone (kernel replay). A crash
// or CUPTI failure of that run costs only the SASS values, with a warning.
//
// Timing run (GPUSCOPE_PROFILER_TIMING_RUN=1): streaming kernels ran ~10 %
// long under that user replay (saxpy +9.5 %) and within 0.6 % in one
// kernel-replay pass (run L, tests/gpu/evidence/2026-11-30-kernels-run8), so
// the timing metrics (metric_kinds.h: duration, elapsed cycles, clock rates)
// were measured again in a run of their own, after one L2 flush and TLB
// touch. Their values replace the first run's, kernel by kernel; where that
// run did not profile the same launches, or needed more than one pass, the
// first run's values stay, with a warning.
#pragma once

#include <string>
#include <vector>

#include "profiler/record.h"

namespace gpuscope::profiler {

enum class RunPurpose {
  kMain,    // every metric but the SASS ones; user replay under cache control
  kSass,    // the SASS metrics alone, kernel replay; values added
  kTiming,  // the timing metrics again, kernel replay in one pass; values replace
};

struct CollectionRun {
  std::vector<std::string> metrics;
  RunPurpose purpose = RunPurpose::kMain;
};

// Which extra runs are allowed. Both off by default since H200 run V: with
// no measured pass instrumented for kernel activity (launch_activity.h),
// user replay alone counts SASS metrics right (saxpy's FFMA count =
// ncu's) and times kernels within 1.6 % of ncu, and one program run
// matched ncu as often as three (basic 277/300, memory 164/200, PyTorch
// 355/420) in less time (3.4 / 3.3 / 10.1 s against ncu's 6.2 / 7.3 /
// 12.5 s; tests/gpu/evidence/2026-11-30-session7). A/B switches
// GPUSCOPE_PROFILER_SASS_SPLIT=1 and GPUSCOPE_PROFILER_TIMING_RUN=1 bring
// the extra runs back.
struct PlanSwitches {
  bool sass_split = false;
  bool timing_run = false;
};

// The main run first. Under cache control "all" only: a SASS run when
// `counters` mixes SASS and other metrics, and a timing run when the main
// run has timing metrics (each list in `counters` order).
std::vector<CollectionRun> planCollectionRuns(const std::vector<std::string>& counters,
                                              const std::string& cache_control, PlanSwitches switches);

// Joins the values of `extra` (a SASS or timing run) to the matching
// kernels of `main`: the n-th process of each run (by order in the run, same
// process name) and in it the n-th profiled kernel (same mangled name, grid
// and block). SASS values are added; timing values replace main's, unless
// the timing run needed more than one pass for a kernel (then main's stay).
// Unmatched kernels keep main's values; one warning counts them. Returns the
// number of kernels merged.
size_t mergeRun(ProfileRun& main, const ProfileRun& extra, RunPurpose purpose);

}  // namespace gpuscope::profiler
