#include "profiler/collection_plan.h"

#include <algorithm>
#include <map>

#include "profiler/metric_kinds.h"

namespace gpuscope::profiler {

std::vector<CollectionRun> planCollectionRuns(const std::vector<std::string>& counters,
                                              const std::string& cache_control, PlanSwitches switches) {
  if (cache_control != "all") return {CollectionRun{counters, RunPurpose::kMain}};
  std::vector<CollectionRun> runs;
  if (switches.sass_split && collectionKind(counters) == CollectionKind::kMixed) {
    const MetricSplit s = splitSassMetrics(counters);
    CollectionRun hardware, sass{{}, RunPurpose::kSass};
    for (size_t i : s.hardware) hardware.metrics.push_back(counters[i]);
    for (size_t i : s.sass) sass.metrics.push_back(counters[i]);
    runs = {std::move(hardware), std::move(sass)};
  } else {
    runs = {CollectionRun{counters, RunPurpose::kMain}};
  }
  // A list of SASS metrics only is collected with kernel replay already.
  if (switches.timing_run && collectionKind(runs[0].metrics) != CollectionKind::kSassOnly) {
    CollectionRun timing{{}, RunPurpose::kTiming};
    for (const std::string& m : runs[0].metrics)
      if (isTimingMetric(m)) timing.metrics.push_back(m);
    if (!timing.metrics.empty()) runs.push_back(std::move(timing));
  }
  return runs;
}

namespace {

// Indices of the kernels of each process, processes in order of their first
// kernel in the run (the run lists files in pid order).
std::vector<std::vector<size_t>> kernelsByProcess(const ProfileRun& run) {
  std::vector<std::vector<size_t>> out;
  std::map<int, size_t> slot;
  for (size_t i = 0; i < run.kernels.size(); ++i) {
    auto [it, added] = slot.emplace(run.kernels[i].pid, out.size());
    if (added) out.emplace_back();
    out[it->second].push_back(i);
  }
  return out;
}

bool sameLaunch(const KernelRecord& a, const KernelRecord& b) {
  return a.mangled == b.mangled && std::equal(a.grid, a.grid + 3, b.grid) &&
         std::equal(a.block, a.block + 3, b.block);
}

// False when `e`'s values cannot be used for `k` (a timing run that needed
// more than one pass: kernel replay restores memory between passes, which
// is what the timing run avoids).
bool mergeKernel(KernelRecord& k, const KernelRecord& e, RunPurpose purpose) {
  if (purpose == RunPurpose::kTiming) {
    if (e.passes != 1) return false;
    for (const auto& [name, value] : e.counters)
      for (auto& c : k.counters)
        if (c.first == name) c.second = value;
  } else {
    for (const auto& c : e.counters)
      if (!k.counter(c.first)) k.counters.push_back(c);
  }
  k.passes += e.passes;
  return true;
}

std::string missingWarning(RunPurpose purpose, size_t missing, size_t total) {
  const std::string counts = std::to_string(missing) + " of " + std::to_string(total) + " kernels";
  if (purpose == RunPurpose::kTiming)
    return "timing metrics (duration, elapsed cycles) of " + counts +
           " are from user replay, which can read long on streaming kernels: the timing run (kernel replay, one "
           "pass) did not profile the same launch at the same position in one pass";
  return "SASS metrics missing for " + counts +
         ": the second run (kernel replay, SASS metrics only) did not profile the same launch at the same "
         "position";
}

}  // namespace

size_t mergeRun(ProfileRun& main, const ProfileRun& extra, RunPurpose purpose) {
  const auto main_procs = kernelsByProcess(main);
  const auto extra_procs = kernelsByProcess(extra);
  size_t merged = 0;
  for (size_t p = 0; p < main_procs.size() && p < extra_procs.size(); ++p) {
    const auto& mk = main_procs[p];
    const auto& ek = extra_procs[p];
    if (main.kernels[mk.front()].process != extra.kernels[ek.front()].process) continue;
    for (size_t j = 0; j < mk.size() && j < ek.size(); ++j) {
      // A different kernel at the same position: the program did not launch
      // the same sequence twice; the rest of this process cannot be trusted.
      if (!sameLaunch(main.kernels[mk[j]], extra.kernels[ek[j]])) break;
      merged += mergeKernel(main.kernels[mk[j]], extra.kernels[ek[j]], purpose);
    }
  }
  if (merged < main.kernels.size())
    main.warnings.push_back(missingWarning(purpose, main.kernels.size() - merged, main.kernels.size()));
  return merged;
}

}  // namespace gpuscope::profiler
