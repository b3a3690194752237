#include "profiler/collection_plan.h"

#include <algorithm>
#include <map>

#include "profiler/metric_kinds.h"

namespace gpuscope::profiler {

std::vector<CollectionRun> planCollectionRuns(const std::vector<std::string>& counters,
                                              const std::string& cache_control, bool split) {
  if (cache_control != "all" || !split || collectionKind(counters) != CollectionKind::kMixed)
    return {CollectionRun{counters, false}};
  const MetricSplit s = splitSassMetrics(counters);
  CollectionRun hardware, sass;
  sass.sass = true;
  for (size_t i : s.hardware) hardware.metrics.push_back(counters[i]);
  for (size_t i : s.sass) sass.metrics.push_back(counters[i]);
  return {std::move(hardware), std::move(sass)};
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

}  // namespace

size_t mergeSassRun(ProfileRun& main, const ProfileRun& sass) {
  const auto main_procs = kernelsByProcess(main);
  const auto sass_procs = kernelsByProcess(sass);
  size_t merged = 0;
  for (size_t p = 0; p < main_procs.size() && p < sass_procs.size(); ++p) {
    const auto& mk = main_procs[p];
    const auto& sk = sass_procs[p];
    if (main.kernels[mk.front()].process != sass.kernels[sk.front()].process) continue;
    for (size_t j = 0; j < mk.size() && j < sk.size(); ++j) {
      KernelRecord& k = main.kernels[mk[j]];
      const KernelRecord& s = sass.kernels[sk[j]];
      // A different kernel at the same position: the program did not launch
      // the same sequence twice; the rest of this process cannot be trusted.
      if (!sameLaunch(k, s)) break;
      for (const auto& c : s.counters)
        if (!k.counter(c.first)) k.counters.push_back(c);
      k.passes += s.passes;
      ++merged;
    }
  }
  if (merged < main.kernels.size())
    main.warnings.push_back("SASS metrics missing for " + std::to_string(main.kernels.size() - merged) + " of " +
                            std::to_string(main.kernels.size()) +
                            " kernels: the second run (kernel replay, SASS metrics only) did not profile the "
                            "same launch at the same position");
  return merged;
}

}  // namespace gpuscope::profiler
