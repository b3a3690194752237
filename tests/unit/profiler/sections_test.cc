#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "profiler/sections.h"

namespace gpuscope::profiler {
namespace {

std::vector<std::string> metricsOf(const char* id) {
  std::vector<std::string> out;
  for (const MetricRow& r : findSection(id)->rows) out.push_back(r.metric);
  return out;
}

// The SpeedOfLight table of reference/kernel_profiler.md 5.1, in ncu's order.
TEST(Sections, SpeedOfLightUsesNcuMetricNames) {
  EXPECT_EQ(metricsOf("SpeedOfLight"),
            (std::vector<std::string>{"dram__cycles_elapsed.avg.per_second",
                                      "gpc__cycles_elapsed.avg.per_second", "gpc__cycles_elapsed.max",
                                      "gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed",
                                      "gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed",
                                      "gpu__time_duration.sum",
                                      "l1tex__throughput.avg.pct_of_peak_sustained_active",
                                      "lts__throughput.avg.pct_of_peak_sustained_elapsed",
                                      "sm__cycles_active.avg",
                                      "sm__throughput.avg.pct_of_peak_sustained_elapsed"}));
  EXPECT_EQ(findSection("SpeedOfLight")->display_name, "GPU Speed Of Light Throughput");
}

TEST(Sections, OccupancyRowsUseNcuMetricNames) {
  std::vector<std::string> m = metricsOf("Occupancy");
  for (const char* expected :
       {"sm__maximum_warps_per_active_cycle_pct", "sm__maximum_warps_avg_per_active_cycle",
        "sm__warps_active.avg.pct_of_peak_sustained_active", "sm__warps_active.avg.per_cycle_active",
        "launch__occupancy_limit_registers", "launch__occupancy_limit_shared_mem"})
    EXPECT_NE(std::find(m.begin(), m.end(), expected), m.end()) << expected;
}

// Labels as ncu 2025's console prints them (Compute Workload Analysis, Scheduler Statistics,
// Warp State Statistics body tables); SM Busy of elapsed cycles as reference 5.3 has it (and
// as ncu's values in H200 run Z24 show).
TEST(Sections, ComputeSchedulerAndWarpStateUseNcuNames) {
  auto labels = [](const char* id) {
    std::vector<std::string> out;
    for (const MetricRow& r : findSection(id)->rows) out.push_back(r.label);
    return out;
  };
  EXPECT_EQ(labels("ComputeWorkloadAnalysis"),
            (std::vector<std::string>{"Executed Ipc Active", "Executed Ipc Elapsed", "Issue Slots Busy",
                                      "Issued Ipc Active", "SM Busy"}));
  EXPECT_EQ(metricsOf("ComputeWorkloadAnalysis")[4], "sm__instruction_throughput.avg.pct_of_peak_sustained_elapsed");
  EXPECT_EQ(labels("SchedulerStats"),
            (std::vector<std::string>{"One or More Eligible", "Issued Warp Per Scheduler", "No Eligible",
                                      "Active Warps Per Scheduler", "Eligible Warps Per Scheduler"}));
  EXPECT_EQ(metricsOf("SchedulerStats")[2], "smsp__issue_inst0.avg.pct_of_peak_sustained_active");
  std::vector<std::string> warp = labels("WarpStateStats");
  ASSERT_EQ(warp.size(), 4u + 17u);
  EXPECT_EQ(warp[0], "Warp Cycles Per Issued Instruction");
  EXPECT_EQ(warp[3], "Avg. Not Predicated Off Threads Per Warp");
  EXPECT_EQ(warp[9], "Stall Long Scoreboard");
  EXPECT_EQ(metricsOf("WarpStateStats")[9],
            "smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio");
  EXPECT_EQ(findSection("WarpStateStats")->display_name, "Warp State Statistics");
}

TEST(Sections, LookupIsCaseInsensitiveWithNcuAlias) {
  EXPECT_EQ(findSection("speedoflight"), findSection("SpeedOfLight"));
  EXPECT_EQ(findSection("SpeedOfLight_RooflineChart"), findSection("Roofline"));
  EXPECT_EQ(findSection("Nope"), nullptr);
}

TEST(Sections, EveryRowIsDerivedOrACuptiMetric) {
  for (const Section& s : allSections())
    for (const MetricRow& r : s.rows)
      EXPECT_TRUE(isDerivedMetric(r.metric) || looksLikeCuptiMetric(r.metric)) << r.metric;
}

// CUPTI rejects launch__* (reference 2): they must never reach the config.
TEST(Sections, CounterListHasNoDerivedNamesAndNoDuplicates) {
  std::vector<const Section*> all;
  for (const Section& s : allSections()) all.push_back(&s);
  std::vector<std::string> c = counterMetrics(all, {"dram__bytes_read.sum", "launch__grid_size"});
  std::set<std::string> unique(c.begin(), c.end());
  EXPECT_EQ(unique.size(), c.size());
  for (const std::string& m : c) {
    EXPECT_FALSE(isDerivedMetric(m)) << m;
    EXPECT_FALSE(m.starts_with("launch__")) << m;
    EXPECT_TRUE(looksLikeCuptiMetric(m)) << m;
  }
  EXPECT_TRUE(unique.count("smsp__sass_thread_inst_executed_op_ffma_pred_on.sum.per_cycle_elapsed"));
  EXPECT_TRUE(unique.count("sm__sass_thread_inst_executed_op_dfma_pred_on.sum.peak_sustained"));
  EXPECT_TRUE(unique.count("dram__bytes.sum.peak_sustained"));
  EXPECT_TRUE(unique.count("dram__bytes_read.sum"));
}

TEST(Sections, LaunchStatsNeedsNoCounters) {
  EXPECT_TRUE(counterMetrics({findSection("LaunchStats")}, {}).empty());
  // SpeedOfLight: its 10 rows are 10 distinct counters.
  EXPECT_EQ(counterMetrics({findSection("SpeedOfLight")}, {}).size(), 10u);
}

TEST(Sections, UnitsGuessedFromNames) {
  EXPECT_EQ(guessUnit("gpu__time_duration.sum"), Unit::kNanosecond);
  EXPECT_EQ(guessUnit("dram__bytes_read.sum"), Unit::kByte);
  EXPECT_EQ(guessUnit("dram__bytes.sum.per_second"), Unit::kBytePerSecond);
  EXPECT_EQ(guessUnit("sm__cycles_elapsed.avg.per_second"), Unit::kHertz);
  EXPECT_EQ(guessUnit("sm__cycles_active.avg"), Unit::kCycle);
  EXPECT_EQ(guessUnit("lts__t_sector_hit_rate.pct"), Unit::kPercent);
  // ncu --csv units of the evidence run (2026-11-29 ncu_metrics.csv).
  EXPECT_EQ(guessUnit("smsp__inst_executed.avg.per_cycle_active"), Unit::kInstPerCycle);
  EXPECT_EQ(guessUnit("dram__bytes.sum.peak_sustained"), Unit::kBytePerCycle);
  EXPECT_EQ(guessUnit("sm__sass_thread_inst_executed_op_ffma_pred_on.sum.peak_sustained"),
            Unit::kInstPerCycle);
  EXPECT_EQ(guessUnit("smsp__sass_thread_inst_executed_op_fadd_pred_on.sum.per_cycle_elapsed"),
            Unit::kInstPerCycle);
  EXPECT_EQ(guessUnit("smsp__inst_executed.sum"), Unit::kNone);
}

}  // namespace
}  // namespace gpuscope::profiler
