// The warning that Shared Memory Configuration Size is estimated: only when
// the report shows it (or Block Limit Shared Mem) and some kernel lacks the
// activity record of its launch (kernel replay since session 7).
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

}  // namespace
}  // namespace gpuscope::profiler
