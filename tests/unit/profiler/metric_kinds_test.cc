// Which metrics gpuscope measures with CUPTI's kernel replay (SASS metrics,
// instrumented) instead of its user replay (hardware counters): by name.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "profiler/metric_kinds.h"

namespace gpuscope::profiler {
namespace {

TEST(MetricKinds, SassCountersAreSass) {
  EXPECT_TRUE(isSassMetric("smsp__sass_thread_inst_executed_op_ffma_pred_on.sum.per_cycle_elapsed"));
  EXPECT_TRUE(isSassMetric("smsp__sass_thread_inst_executed_op_ffma_pred_on.sum"));
  EXPECT_TRUE(isSassMetric("smsp__sass_inst_executed_op_global_ld.sum"));
  EXPECT_TRUE(isSassMetric("sass__inst_executed_per_opcode"));
}

TEST(MetricKinds, PeaksAndHardwareCountersAreNot) {
  // A peak is a property of the chip (run 4: 16,896 in both tools).
  EXPECT_FALSE(isSassMetric("sm__sass_thread_inst_executed_op_ffma_pred_on.sum.peak_sustained"));
  EXPECT_FALSE(isSassMetric("sm__sass_thread_inst_executed_op_dfma_pred_on.sum.peak_sustained_elapsed"));
  EXPECT_FALSE(isSassMetric("sm__throughput.avg.pct_of_peak_sustained_elapsed"));
  EXPECT_FALSE(isSassMetric("dram__bytes.sum.per_second"));
  EXPECT_FALSE(isSassMetric("gpu__time_duration.sum"));
  // "sass" inside a word that is not the __sass_ unit part.
  EXPECT_FALSE(isSassMetric("lts__t_sectors_srcunit_tex_op_read.sum"));
}

TEST(MetricKinds, SplitOfTheRooflineMetricsOfTheGpuCheck) {
  // The --metrics list of pair 2 in scripts/gpu/profiler_check.sh, in order:
  // the four per-cycle SASS counters first, then ten others (one of them the
  // SASS peak, which stays with the hardware metrics).
  const std::vector<std::string> metrics = {
      "smsp__sass_thread_inst_executed_op_fadd_pred_on.sum.per_cycle_elapsed",
      "smsp__sass_thread_inst_executed_op_fmul_pred_on.sum.per_cycle_elapsed",
      "smsp__sass_thread_inst_executed_op_ffma_pred_on.sum.per_cycle_elapsed",
      "smsp__sass_thread_inst_executed_op_hfma_pred_on.sum.per_cycle_elapsed",
      "smsp__cycles_elapsed.avg.per_second",
      "sm__cycles_elapsed.avg.per_second",
      "sm__sass_thread_inst_executed_op_ffma_pred_on.sum.peak_sustained",
      "dram__bytes.sum.peak_sustained",
      "dram__cycles_elapsed.avg.per_second",
      "dram__bytes.sum.per_second",
      "dram__bytes_read.sum",
      "dram__bytes_write.sum",
      "lts__t_bytes.sum",
      "gpu__time_duration.sum"};
  MetricSplit s = splitSassMetrics(metrics);
  EXPECT_EQ(s.sass, (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(s.hardware, (std::vector<size_t>{4, 5, 6, 7, 8, 9, 10, 11, 12, 13}));
}

TEST(MetricKinds, NoSassMetricsLeavesEverythingHardware) {
  MetricSplit s = splitSassMetrics({"gpu__time_duration.sum", "sm__cycles_active.avg"});
  EXPECT_TRUE(s.sass.empty());
  EXPECT_EQ(s.hardware, (std::vector<size_t>{0, 1}));
  EXPECT_TRUE(splitSassMetrics({}).hardware.empty());
}

}  // namespace
}  // namespace gpuscope::profiler
