// How many runs of the profiled program a metric list needs, and how the
// second run's values join the first's.
//
// SASS metrics are instrumented, not hardware counters: under gpuscope's
// user replay they read 0 (H200 run 4), with CUPTI's kernel replay they are
// right (run 5: saxpy FFMA 16,777,216 = ncu). Run 5's way of measuring both
// in one process, a second range profiler object enabled on the context
// around the application's launch (the first disabled meanwhile), killed the
// program with SIGSEGV inside CUPTI (issue #8). So with --cache-control all
// a list that mixes both is collected in two runs of the program, each with
// one range profiler object per context for the context's whole life, as
// ncu's application replay does: first every other metric (user replay),
// then the SASS metrics alone (kernel replay). A crash or CUPTI failure of
// the second run costs only the SASS values, with a warning.
#pragma once

#include <string>
#include <vector>

#include "profiler/record.h"

namespace gpuscope::profiler {

struct CollectionRun {
  std::vector<std::string> metrics;
  bool sass = false;  // the run of the SASS metrics, merged into the first
};

// One run with every metric, unless cache control is "all", `split` is on
// (GPUSCOPE_PROFILER_SASS_SPLIT is not 0) and `counters` mixes SASS and other
// metrics: then the other metrics, then the SASS ones (each in list order).
std::vector<CollectionRun> planCollectionRuns(const std::vector<std::string>& counters,
                                              const std::string& cache_control, bool split);

// Adds the counters of `sass` (the SASS run) to the matching kernels of
// `main`: the n-th process of each run (by order in the run, same process
// name) and in it the n-th profiled kernel (same mangled name, grid and
// block). Unmatched kernels keep their other values (the SASS rows read
// n/a); one warning counts them. Returns the number of kernels merged.
size_t mergeSassRun(ProfileRun& main, const ProfileRun& sass);

}  // namespace gpuscope::profiler
