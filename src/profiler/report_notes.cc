#include "profiler/report_notes.h"

#include <fmt/format.h>

#include <set>
#include <string_view>
#include <vector>

namespace gpuscope::profiler {
namespace {

bool dependsOnSharedMemoryConfig(std::string_view metric) {
  return metric == "launch__shared_mem_config_size" || metric == "launch__occupancy_limit_shared_mem";
}

bool showsSharedMemoryConfig(const ReportSpec& spec) {
  for (const ReportRow& row : reportRows(spec))
    if (dependsOnSharedMemoryConfig(row.metric)) return true;
  return false;
}

}  // namespace

std::string sharedMemoryEstimateWarning(const ProfileRun& run, const ReportSpec& spec) {
  if (!showsSharedMemoryConfig(spec)) return "";
  size_t estimated = 0;
  for (const KernelRecord& k : run.kernels) estimated += k.smem_config_executed < 0;
  if (estimated == 0) return "";
  return "Shared Memory Configuration Size and Block Limit Shared Mem are estimates for " +
         std::to_string(estimated) + " of " + std::to_string(run.kernels.size()) +
         " kernels: no kernel activity record of their launch (under kernel replay, e.g. --cache-control none, "
         "recording it would instrument the measured launch)";
}

std::string hitRateAbove100Warning(const ProfileRun& run, const ReportSpec& spec) {
  std::set<std::string> seen;  // a metric shown by two sections counts once
  size_t above = 0;
  std::string first;
  for (const ReportRow& row : reportRows(spec)) {
    if (row.metric.find("hit_rate") == std::string::npos || !seen.insert(row.metric).second) continue;
    for (const KernelRecord& k : run.kernels) {
      const double* v = k.counter(row.metric);
      if (!v || !(*v > 100.0)) continue;
      if (above++ == 0)
        first = fmt::format("{} of kernel {} \"{}\" is {} %", row.label, k.id, k.name, formatNumber(*v));
    }
  }
  if (above == 0) return "";
  return fmt::format(
      "{} hit rate value{} above 100 % ({}): a hit rate's counters are counted in different passes, which "
      "disagree for kernels of a few microseconds; do not rely on {}",
      above, above == 1 ? "" : "s", first, above == 1 ? "it" : "them");
}

}  // namespace gpuscope::profiler
