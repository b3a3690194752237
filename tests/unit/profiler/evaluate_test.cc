// Roofline values hand-computed from the formulas of reference 7 with round
// inputs; the FP32 peak input (128 FFMA per SM per cycle x 132 SMs at
// 1.98 GHz) reproduces the H100 datasheet's 66.9 TFLOP/s.
#include <gtest/gtest.h>

#include "profiler/evaluate.h"
#include "unit/profiler/h100.h"

namespace gpuscope::profiler {
namespace {

using testing::h100;
using testing::saxpy;

KernelRecord withRoofCounters() {
  KernelRecord k = saxpy();
  k.counters = {{"smsp__sass_thread_inst_executed_op_fadd_pred_on.sum.per_cycle_elapsed", 10},
                {"smsp__sass_thread_inst_executed_op_fmul_pred_on.sum.per_cycle_elapsed", 20},
                {"smsp__sass_thread_inst_executed_op_ffma_pred_on.sum.per_cycle_elapsed", 30},
                {"smsp__cycles_elapsed.avg.per_second", 1.5e9},
                {"sm__sass_thread_inst_executed_op_ffma_pred_on.sum.peak_sustained", 16896},
                {"sm__cycles_elapsed.avg.per_second", 1.98e9},
                {"dram__bytes.sum.peak_sustained", 1280},
                {"dram__cycles_elapsed.avg.per_second", 2.619e9},
                {"dram__bytes.sum.per_second", 1e12},
                {"gpu__time_duration.sum", 71520}};
  return k;
}

TEST(KernelMetrics, LaunchMetricsFromTheRecord) {
  KernelRecord k = saxpy();
  k.smem_dynamic = 512;
  k.smem_static = 256;
  DeviceInfo d = h100();
  KernelMetrics m(k, d);
  EXPECT_EQ(*m.value("launch__block_size"), 256);
  EXPECT_EQ(*m.value("launch__grid_size"), 65536);
  EXPECT_EQ(*m.value("launch__thread_count"), 16777216);
  EXPECT_EQ(*m.value("launch__registers_per_thread"), 16);
  EXPECT_EQ(*m.value("launch__shared_mem_per_block_dynamic"), 512);
  EXPECT_EQ(*m.value("launch__shared_mem_per_block_static"), 256);
  EXPECT_EQ(*m.value("launch__shared_mem_per_block_driver"), 1024);
  EXPECT_EQ(*m.value("launch__sm_count"), 132);
  EXPECT_EQ(*m.value("launch__stack_size"), 1024);
  EXPECT_EQ(*m.value("launch__cluster_size"), 0);
  EXPECT_EQ(*m.value("sm__maximum_warps_avg_per_active_cycle"), 64);
  EXPECT_EQ(*m.value("sm__maximum_warps_per_active_cycle_pct"), 100);
  k.cluster[0] = 2;
  k.cluster[1] = 1;
  k.cluster[2] = 1;
  EXPECT_EQ(*KernelMetrics(k, d).value("launch__cluster_size"), 2);
}

TEST(KernelMetrics, CountersPassThroughAndMissingIsNullopt) {
  KernelRecord k = withRoofCounters();
  DeviceInfo d = h100();
  KernelMetrics m(k, d);
  EXPECT_EQ(*m.value("gpu__time_duration.sum"), 71520);
  EXPECT_FALSE(m.value("dram__bytes_read.sum").has_value());
  EXPECT_FALSE(m.value("derived__fp64_achieved_flop_per_second").has_value());
}

TEST(KernelMetrics, RooflineFp32) {
  KernelRecord k = withRoofCounters();
  DeviceInfo d = h100();
  KernelMetrics m(k, d);
  // (10 + 20 + 2 x 30) x 1.5e9
  EXPECT_DOUBLE_EQ(*m.value("derived__fp32_achieved_flop_per_second"), 1.35e11);
  // 2 x 16896 x 1.98e9 = 66.91 TFLOP/s
  EXPECT_DOUBLE_EQ(*m.value("derived__fp32_peak_flop_per_second"), 6.690816e13);
  // 1280 x 2.619e9
  EXPECT_DOUBLE_EQ(*m.value("derived__dram_peak_bytes_per_second"), 3.35232e12);
  EXPECT_DOUBLE_EQ(*m.value("derived__arithmetic_intensity"), 0.135);
  EXPECT_NEAR(*m.value("derived__fp32_ridge_point"), 19.9587, 1e-4);
  // Memory-bound: 0.135 x 3.35232e12 < peak
  EXPECT_NEAR(*m.value("derived__fp32_attainable_flop_per_second"), 4.525632e11, 1);
  EXPECT_NEAR(*m.value("derived__fp32_roofline_efficiency_pct"), 29.8301, 1e-4);
}

TEST(KernelMetrics, RooflineComputeBoundUsesPeak) {
  KernelRecord k = withRoofCounters();
  for (auto& [name, v] : k.counters)
    if (name == "dram__bytes.sum.per_second") v = 1e9;  // intensity 135 > ridge
  DeviceInfo d = h100();
  KernelMetrics m(k, d);
  EXPECT_DOUBLE_EQ(*m.value("derived__fp32_attainable_flop_per_second"), 6.690816e13);
}

TEST(KernelMetrics, ZeroBandwidthHasNoIntensity) {
  KernelRecord k = withRoofCounters();
  for (auto& [name, v] : k.counters)
    if (name == "dram__bytes.sum.per_second") v = 0;
  DeviceInfo d = h100();
  EXPECT_FALSE(KernelMetrics(k, d).value("derived__arithmetic_intensity").has_value());
}

}  // namespace
}  // namespace gpuscope::profiler
