#include "profiler/report_notes.h"

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

}  // namespace gpuscope::profiler
