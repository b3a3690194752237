// kernel_metrics_sum: the headline values of kernels profiled by `gpuscope
// kernels`, joined by name to the hand trace's timeline (hand_trace.h:
// kA 10 + 50 + 50 = 110 ns in 3 instances, kB 80 ns in 1; kernel time 190).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "stats/context.h"
#include "stats/registry.h"
#include "stats/reports/reports.h"
#include "unit/stats/hand_trace.h"
#include "unit/stats/report_test_util.h"

namespace gpuscope::stats {
namespace {

void addMetric(model::Trace& t, int64_t id, const char* name, const char* metric, double value) {
  model::KernelMetricTable::Row m;
  m.pid = 100;
  m.kernel_id = id;
  m.device_id = 0;
  m.name = t.strings.intern(name);
  m.metric = t.strings.intern(metric);
  m.label = t.strings.intern("");
  m.section = t.strings.intern("SpeedOfLight");
  m.unit = t.strings.intern("");
  m.value = value;
  t.kernel_metrics.push(m);
}

void addRule(model::Trace& t, int64_t id, const char* rule, const char* type, const char* speedup_type,
             double speedup) {
  model::KernelRuleTable::Row r;
  r.pid = 100;
  r.kernel_id = id;
  r.name = t.strings.intern("kA");
  r.section = t.strings.intern("Occupancy");
  r.rule = t.strings.intern(rule);
  r.type = t.strings.intern(type);
  r.description = t.strings.intern("");
  r.speedup_type = t.strings.intern(speedup_type);
  r.speedup = speedup;
  t.kernel_rules.push(r);
}

using testing::col;

ReportTable run(const model::Trace& trace) {
  ReportContext ctx(trace);
  return testing::runSpec(ctx, "kernel_metrics_sum");
}

model::Trace profiled(model::Trace t) {
  // Kernel 1 listed first: rows come out in ID order. Its memory throughput
  // is missing, so no unit is named busiest.
  addMetric(t, 1, "kZ", "gpu__time_duration.sum", 1000);
  addMetric(t, 1, "kZ", "sm__throughput.avg.pct_of_peak_sustained_elapsed", 10);
  // kA as a demangler with parameters prints it: joins the timeline's "kA".
  addMetric(t, 0, "kA(float const*)", "gpu__time_duration.sum", 52.4);
  addMetric(t, 0, "kA", "sm__throughput.avg.pct_of_peak_sustained_elapsed", 30.5);
  addMetric(t, 0, "kA", "gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed", 70.25);
  addMetric(t, 0, "kA", "gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed", 60);
  addMetric(t, 0, "kA", "sm__warps_active.avg.pct_of_peak_sustained_active", 45.5);
  addMetric(t, 0, "kA", "launch__registers_per_thread", 16);
  // The bytes/s "Memory Throughput" of MemoryWorkloadAnalysis must not be
  // taken for the percentage.
  addMetric(t, 0, "kA", "dram__bytes.sum.per_second", 1.5e12);
  return t;
}

TEST(KernelMetricsSum, HeadlineValuesAndTheTraceShare) {
  ReportTable t = run(profiled(testing::makeHandTrace()));
  EXPECT_EQ(t.name(), "kernel_metrics_sum");
  ASSERT_FALSE(t.skipped());
  ASSERT_EQ(t.rowCount(), 2u);
  EXPECT_EQ(t.intAt(0, col(t, "ID")), 0);
  EXPECT_EQ(t.intAt(0, col(t, "PID")), 100);
  EXPECT_EQ(t.intAt(0, col(t, "Duration")), 52);
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "SM Throughput")), 30.5);
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Memory Throughput")), 70.25);
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "DRAM Throughput")), 60);
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Achieved Occupancy")), 45.5);
  EXPECT_EQ(t.intAt(0, col(t, "Registers")), 16);
  EXPECT_EQ(t.textAt(0, col(t, "Busiest")), "memory");
  EXPECT_EQ(t.intAt(0, col(t, "Trace Instances")), 3);
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Trace Time")), 100.0 * 110 / 190);
  EXPECT_EQ(t.textAt(0, col(t, "Name")), "kA");  // the first row's spelling of the name
  // kZ: not in the timeline, memory throughput not collected.
  EXPECT_EQ(t.intAt(1, col(t, "ID")), 1);
  EXPECT_EQ(t.intAt(1, col(t, "Trace Instances")), 0);
  EXPECT_DOUBLE_EQ(t.doubleAt(1, col(t, "Trace Time")), 0.0);
  EXPECT_TRUE(t.isNull(1, col(t, "Busiest")));
  EXPECT_TRUE(t.isNull(1, col(t, "Memory Throughput")));
  EXPECT_TRUE(t.isNull(1, col(t, "Registers")));
}

// The most promising of ncu's findings per profiled kernel: a global estimate before any local one
// (kA: 50 % of its time, and kA is 110 of the trace's 190 ns of kernel time: 28.9 % of it), a
// local one before a finding without an estimate (kZ), INF findings never.
TEST(KernelMetricsSum, TopFindingAndTheTraceTimeItBounds) {
  model::Trace tr = profiled(testing::makeHandTrace());
  addRule(tr, 0, "AchievedOccupancy", "OPT", "local", 60);
  addRule(tr, 0, "SOLBottleneck", "INF", "", NAN);
  addRule(tr, 0, "LaunchConfiguration", "OPT", "global", 50);
  addRule(tr, 1, "SOLBottleneck", "OPT", "", NAN);
  addRule(tr, 1, "AchievedOccupancy", "OPT", "local", 20);
  ReportTable t = run(tr);
  ASSERT_EQ(t.rowCount(), 2u);
  EXPECT_EQ(t.textAt(0, col(t, "Top Finding")), "LaunchConfiguration (global 50.0%)");
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Est. Gain")), 100.0 * 110 / 190 * 0.5);
  EXPECT_EQ(t.textAt(1, col(t, "Top Finding")), "AchievedOccupancy (local 20.0%)");
  EXPECT_TRUE(t.isNull(1, col(t, "Est. Gain")));  // a local estimate bounds a part of the kernel only
  // Without rules both columns are empty.
  ReportTable plain = run(profiled(testing::makeHandTrace()));
  EXPECT_TRUE(plain.isNull(0, col(plain, "Top Finding")));
  EXPECT_TRUE(plain.isNull(0, col(plain, "Est. Gain")));
}

TEST(KernelMetricsSum, JoinKeyIgnoresHowParametersAreWritten) {
  // ncu 2025.3 and abi::__cxa_demangle on the same kernels (H200 run R).
  EXPECT_EQ(kernelJoinKey("saxpy(int, float, const float *, float *)"),
            kernelJoinKey("saxpy(int, float, float const*, float*)"));
  EXPECT_EQ(kernelJoinKey("void cutlass::Kernel2<cutlass_80_simt_sgemm_256x128_8x4_nn_align1>(T1::Params)"),
            kernelJoinKey("void cutlass::Kernel2<cutlass_80_simt_sgemm_256x128_8x4_nn_align1>"
                          "(cutlass_80_simt_sgemm_256x128_8x4_nn_align1::Params)"));
  EXPECT_EQ(kernelJoinKey("void cutlass::Kernel2<cutlass_80_simt_sgemm_256x128_8x4_nn_align1>(T1::Params)"),
            "voidcutlass::Kernel2<cutlass_80_simt_sgemm_256x128_8x4_nn_align1>");
  // Library kernels without parameters are their own key.
  EXPECT_EQ(kernelJoinKey("sm90_xmma_gemm_f16f16_f16f16_f16_nn_n_tilesize128x256x32"),
            "sm90_xmma_gemm_f16f16_f16f16_f16_nn_n_tilesize128x256x32");
  // Template arguments stay, also when they hold parentheses or lambdas.
  EXPECT_NE(kernelJoinKey("void k<(int)1>(float*)"), kernelJoinKey("void k<(int)2>(float*)"));
  EXPECT_EQ(kernelJoinKey("void at::native::f<at::native::{lambda(int)#1}>(int)"),
            "voidat::native::f<at::native::{lambda(int)#1}>");
  EXPECT_EQ(kernelJoinKey("void at::native::(anonymous namespace)::g<float>(float*)"),
            kernelJoinKey("void at::native::<unnamed>::g<float>(float *)"));
}

TEST(KernelMetricsSum, WithoutATimelineAndWithoutMetrics) {
  // A `gpuscope kernels -o` store alone: no kernels table, so no share.
  ReportTable alone = run(profiled(model::Trace{}));
  ASSERT_EQ(alone.rowCount(), 2u);
  EXPECT_TRUE(alone.isNull(0, col(alone, "Trace Instances")));
  EXPECT_TRUE(alone.isNull(0, col(alone, "Trace Time")));
  EXPECT_EQ(alone.textAt(0, col(alone, "Name")), "kA");
  // A timeline without metrics: skipped, with the way to get them.
  ReportTable none = run(testing::makeHandTrace());
  ASSERT_TRUE(none.skipped());
  EXPECT_NE(none.skipped()->find("gpuscope kernels"), std::string::npos);
}

}  // namespace
}  // namespace gpuscope::stats
