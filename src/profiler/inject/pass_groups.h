// Which metrics go first in the range profiler's configuration (since
// session 9; GPUSCOPE_PROFILER_PASS_ORDER=0 for A/B runs). The range
// profiler schedules the raw counters of one configuration over its passes,
// so one metric's counters can come from different passes: a ratio such as
// achieved occupancy (sm__warps_active over sm__cycles_active) then divides
// counts of two different runs of the kernel. H200 run Z10
// (tests/gpu/evidence/2026-11-30-session8): achieved occupancy of a 2-4 us
// PyTorch kernel read 11.77 and 13.33 % in two runs of the 9-pass section
// set, 12.25 and 12.24 % when measured alone in one pass (ncu 12.32 and
// 12.25 %).
// Session 9 (tests/gpu/evidence/2026-11-30-session9): measuring the metrics
// that fit one pass in a second configuration of their own (runs Z13-Z21)
// fixed that (PyTorch set 369-385/420 within tolerance against 354-368 in
// list order), but each kernel then needs a new profiler object (~130 ms,
// and its first pass ran the kernel 10-15 % slower until warmed up). Adding
// the same metrics first to the one configuration did as well at no cost
// (run Z22: achieved occupancy 13/14 kernels within 2 % of ncu against 4/14
// in list order; 684 against 685 of 760 values for two configurations, 663
// in list order; same passes and time as list order): the range profiler
// fills its passes in the order the metrics were added.
// Header-only so that the CPU tests check the split with a fake pass count
// (tests/unit/profiler/pass_groups_test.cc).
#pragma once

#include <cstddef>
#include <vector>

namespace gpuscope::profiler::inject {

// Metrics (0..n-1) split in two: the one-pass group, filled first fit in
// list order (a metric joins while passes_of(group + metric) is 1), and
// before it the rest (metrics that need more than one pass, cannot be
// configured, or no longer fit). passes_of(list) returns the passes a
// configuration of those metrics needs (0 when it cannot be built); it is
// called once per metric. One group when either part is empty.
template <typename PassesOf>
std::vector<std::vector<size_t>> groupByPass(size_t n, PassesOf&& passes_of) {
  std::vector<size_t> rest;
  std::vector<size_t> one_pass;
  for (size_t m = 0; m < n; ++m) {
    one_pass.push_back(m);
    if (passes_of(one_pass) == 1) continue;
    one_pass.pop_back();
    rest.push_back(m);
  }
  std::vector<std::vector<size_t>> groups;
  if (!rest.empty()) groups.push_back(std::move(rest));
  if (!one_pass.empty()) groups.push_back(std::move(one_pass));
  return groups;
}

}  // namespace gpuscope::profiler::inject
