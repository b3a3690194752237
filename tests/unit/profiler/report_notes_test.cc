// The warning that Shared Memory Configuration Size is estimated: only when
// the report shows it (or Block Limit Shared Mem) and some kernel lacks the
// activity record of its launch (kernel replay since session 7). The warning
// about hit rates above 100 %.
#include <gtest/gtest.h>

#include "profiler/report_notes.h"
#include "profiler/sections.h"

namespace gpuscope::profiler {
namespace {

ProfileRun runWith(std::initializer_list<int64_t> executed) {
  ProfileRun run;
  for (int64_t e : executed) {
    KernelRecord k;
    k.smem_config_executed = e;
    run.kernels.push_back(k);
  }
  return run;
}

TEST(ReportNotes, CountsKernelsWithoutTheDriversConfiguration) {
  const ReportSpec launch{{findSection("LaunchStats")}, {}};
  EXPECT_EQ(sharedMemoryEstimateWarning(runWith({16384, -1, -1}), launch),
            "Shared Memory Configuration Size and Block Limit Shared Mem are estimates for 2 of 3 kernels: no "
            "kernel activity record of their launch (under kernel replay, e.g. --cache-control none, recording "
            "it would instrument the measured launch)");
  // 0 bytes is a configuration the driver reported, not a missing one.
  EXPECT_EQ(sharedMemoryEstimateWarning(runWith({0, 233472}), launch), "");
}

TEST(ReportNotes, SilentWhenTheReportDoesNotShowIt) {
  EXPECT_EQ(sharedMemoryEstimateWarning(runWith({-1}), ReportSpec{{findSection("SpeedOfLight")}, {}}), "");
  // Asked for by name, and through the Occupancy section's block limit.
  EXPECT_NE(sharedMemoryEstimateWarning(runWith({-1}), ReportSpec{{}, {"launch__shared_mem_config_size"}}), "");
  EXPECT_NE(sharedMemoryEstimateWarning(runWith({-1}), ReportSpec{{findSection("Occupancy")}, {}}), "");
}

KernelRecord kernelWith(int64_t id, const char* name, std::vector<std::pair<std::string, double>> counters) {
  KernelRecord k;
  k.id = id;
  k.name = name;
  k.counters = std::move(counters);
  return k;
}

TEST(ReportNotes, NamesHitRatesAbove100Percent) {
  ProfileRun run;
  run.kernels.push_back(kernelWith(2, "reduceSum", {{"lts__t_sector_hit_rate.pct", 100.0}}));
  run.kernels.push_back(kernelWith(5, "reduceSum", {{"lts__t_sector_hit_rate.pct", 207.83}}));
  run.kernels.push_back(kernelWith(6, "gemm", {{"lts__t_sector_hit_rate.pct", 101.5}}));
  const ReportSpec memory{{findSection("MemoryWorkloadAnalysis")}, {}};
  EXPECT_EQ(hitRateAbove100Warning(run, memory),
            "2 hit rate values above 100 % (L2 Hit Rate of kernel 5 \"reduceSum\" is 207.83 %): a hit rate's "
            "counters are counted in different passes, which disagree for kernels of a few microseconds; do not "
            "rely on them");
  // Asked for by name too; 100 % itself is possible.
  run.kernels.pop_back();
  EXPECT_NE(hitRateAbove100Warning(run, ReportSpec{{}, {"lts__t_sector_hit_rate.pct"}}).find("1 hit rate value above"),
            std::string::npos);
  run.kernels.pop_back();
  EXPECT_EQ(hitRateAbove100Warning(run, memory), "");
  // A section without hit rates says nothing, whatever the counters hold.
  run.kernels.push_back(kernelWith(5, "reduceSum", {{"lts__t_sector_hit_rate.pct", 207.83}}));
  EXPECT_EQ(hitRateAbove100Warning(run, ReportSpec{{findSection("SpeedOfLight")}, {}}), "");
}

}  // namespace
}  // namespace gpuscope::profiler
