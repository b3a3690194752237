// Which metrics share a configuration under user replay, with the A/B
// switch GPUSCOPE_PROFILER_PASS_GROUPS=1 (off by default). The range
// profiler schedules the raw counters of one configuration over its passes
// as it likes, so one metric's counters can come from different passes: a
// ratio such as achieved occupancy (sm__warps_active over sm__cycles_active)
// then divides counts of two different runs of the kernel. H200 run Z10
// (tests/gpu/evidence/2026-11-30-session8): achieved occupancy of a 2-4 µs
// PyTorch kernel read 11.77 and 13.33 % in two runs of the 9-pass section
// set, 12.25 and 12.24 % when measured alone in one pass (ncu 12.32 and
// 12.25 %). Grouped, the metrics that fit one pass are measured together in
// one pass, the others in one configuration before them.
// Runs Z11-Z13 (docs/kernels.md, "Session 8"): configuring a second group
// on the same profiler object within one kernel failed (NaN values, or user
// replay that never finished), so every group gets a new profiler object.
// That brought the PyTorch set to 383/420 within tolerance against 351/420
// with one configuration in the same run (basic 283/300 against 277/300),
// but took 1.9x the time, and the memory + roofline + SASS set fell to
// 148/200 from 163/200 (against another run's ncu CSV), with L2 Hit Rate
// (one CUPTI metric, lts__t_sector_hit_rate.pct, in the multi-pass
// configuration) at 213.89 % on a one-block reduction. Not the default
// until that is understood. (RangeSession::rearm now alternates the order
// of the groups from kernel to kernel, one new object per kernel instead of
// two; not yet run on a GPU.)
// Header-only so that the CPU tests check the grouping with a fake pass
// count (tests/unit/profiler/pass_groups_test.cc).
#pragma once

#include <cstddef>
#include <vector>

namespace gpuscope::profiler::inject {

// Metrics (0..n-1) that alone need more than one pass (or cannot be
// configured alone) stay together in one configuration, the first group;
// the others are packed first fit: each joins the first group with which
// passes_of(group + metric) is still 1, else starts a group. passes_of(list)
// returns the passes a configuration of those metrics needs (0 when it
// cannot be built).
template <typename PassesOf>
std::vector<std::vector<size_t>> groupByPass(size_t n, PassesOf&& passes_of) {
  std::vector<size_t> multi;
  std::vector<std::vector<size_t>> groups;
  for (size_t m = 0; m < n; ++m) {
    if (passes_of(std::vector<size_t>{m}) != 1) {
      multi.push_back(m);
      continue;
    }
    bool placed = false;
    for (std::vector<size_t>& g : groups) {
      g.push_back(m);
      if (passes_of(g) == 1) {
        placed = true;
        break;
      }
      g.pop_back();
    }
    if (!placed) groups.push_back({m});
  }
  if (!multi.empty()) groups.insert(groups.begin(), std::move(multi));
  return groups;
}

}  // namespace gpuscope::profiler::inject
