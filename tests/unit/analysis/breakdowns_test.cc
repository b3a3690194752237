// HTA-style breakdowns on hand-built traces.
#include <gtest/gtest.h>

#include "analysis/breakdowns/breakdowns.h"
#include "trace_builder.h"

namespace gpuscope::analysis {
namespace {

using testing::TraceBuilder;

// Device 0: gemm [1000, 3000], memcpy [2500, 4000], idle, conv [6000, 7000].
TEST(Temporal, HtaDefinitions) {
  TraceBuilder b;
  b.launch(10, 20, 1000, 3000, "ampere_sgemm_128x64_nn");
  int64_t c = b.api(30, 40, "cudaMemcpyAsync");
  b.memcpy(2500, 4000, 1, 100, 1, 2, c, 8);
  b.launch(50, 60, 6000, 7000, "implicit_convolve_sgemm");
  model::Trace t = b.take();
  TraceIndex index(t);
  auto rows = temporalBreakdown(index);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].span, 6000);
  EXPECT_EQ(rows[0].idle, 2000);         // [4000, 6000]
  EXPECT_EQ(rows[0].compute, 3000);      // both kernels
  EXPECT_EQ(rows[0].non_compute, 1000);  // the copy outside kernels
  EXPECT_EQ(rows[0].compute + rows[0].non_compute + rows[0].idle, rows[0].span);
}

TEST(Temporal, HtaComputationNames) {
  EXPECT_TRUE(isHtaComputation("ampere_sgemm_128x64_nn"));
  EXPECT_FALSE(isHtaComputation("ncclKernel_AllReduce_RING_LL_Sum_float"));
  EXPECT_FALSE(isHtaComputation("Memcpy HtoD (Pinned -> Device)"));
  EXPECT_FALSE(isHtaComputation("Memset (Device)"));
  EXPECT_FALSE(isHtaComputation("Stream Wait Event"));
  EXPECT_FALSE(isHtaComputation("cudaLaunchKernel"));
}

// One stream: k1 [1000, 2000]; k2 launched at 2500 (after k1 ended: host
// wait 3000 - 2000 = 1000); k3 launched early, starts 20 us after k2 ends
// (kernel wait); k4 launched early, starts 40 us after (other).
TEST(IdleBreakdown, HostWaitKernelWaitOther) {
  TraceBuilder b;
  b.launch(100, 200, 1000, 2000, "k1");
  b.launch(2500, 2600, 3000, 4000, "k2");
  b.launch(2700, 2800, 24000, 25000, "k3");
  b.launch(2900, 2950, 65000, 66000, "k4");
  b.launch(3000, 3100, 1500, 1600, "other_stream", 9);
  model::Trace t = b.take();
  TraceIndex index(t);
  auto rows = idleBreakdown(index, {});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].stream, 7);
  EXPECT_EQ(rows[0].host_wait, 1000);
  EXPECT_EQ(rows[0].kernel_wait, 20000);
  EXPECT_EQ(rows[0].other, 40000);
  EXPECT_EQ(rows[1].stream, 9);
  EXPECT_EQ(rows[1].total(), 0);
}

TEST(KernelBreakdown, CategoriesAndTopK) {
  TraceBuilder b;
  b.launch(1, 2, 1000, 4000, "ampere_sgemm_128x64_nn");
  b.launch(3, 4, 5000, 8000, "ampere_sgemm_128x64_nn");
  b.launch(5, 6, 9000, 10000, "void at::native::vectorized_elementwise_kernel<4, at::native::AddFunctor>");
  b.launch(7, 8, 11000, 11500, "ncclDevKernel_AllReduce_Sum_f32_RING_LL");
  model::Trace t = b.take();
  TraceIndex index(t);
  KernelBreakdown kb = kernelBreakdown(index, 2);
  EXPECT_EQ(kb.total, 7500);
  ASSERT_EQ(kb.categories.size(), 3u);
  EXPECT_EQ(kb.categories[0].category, KernelCategory::kGemm);
  EXPECT_EQ(kb.categories[0].total, 6000);
  EXPECT_EQ(kb.categories[0].count, 2u);
  EXPECT_EQ(kb.categories[2].category, KernelCategory::kCommunication);
  ASSERT_EQ(kb.top.size(), 2u);
  EXPECT_EQ(kb.top[0].name, "ampere_sgemm_128x64_nn");
  EXPECT_EQ(kb.top[0].count, 2u);
  EXPECT_DOUBLE_EQ(kb.top[0].mean, 3000);
  EXPECT_DOUBLE_EQ(kb.top[0].stddev, 0);
  EXPECT_EQ(kb.top[1].category, KernelCategory::kPointwise);
}

// Launch 1 ends at 200, kernel [1000, 1100]: cpu 100, gpu 100, delay 800.
// Launch 2 [300, 360] -> [400, 2400]: cpu 60, gpu 2000, delay 40.
// Launch 3 [500, 70000] -> [70100, 70110]: cpu 69500 (> 50 us), gpu 10, delay 100.
TEST(LaunchStats, HtaColumnsAndOutliers) {
  TraceBuilder b;
  b.launch(100, 200, 1000, 1100, "a");
  b.launch(300, 360, 400, 2400, "b", 8);
  b.launch(500, 70000, 70100, 70110, "c");
  model::Trace t = b.take();
  TraceIndex index(t);
  LaunchStats s = launchStats(index, {});
  EXPECT_EQ(s.pairs, 3u);
  EXPECT_EQ(s.cpu_duration.median, 100);
  EXPECT_EQ(s.cpu_duration.max, 69500);
  EXPECT_EQ(s.gpu_duration.median, 100);
  EXPECT_EQ(s.launch_delay.median, 100);
  EXPECT_EQ(s.launch_delay.max, 800);
  EXPECT_EQ(s.short_kernels, 0u);   // c is short but its launch is > 50 us
  EXPECT_EQ(s.runtime_outliers, 1u);
  EXPECT_EQ(s.delay_outliers, 0u);  // cut-off 100 us = 100000 ns
}

TEST(Sequences, SameOpLaunchesSameKernels) {
  TraceBuilder b;
  for (int i = 0; i < 3; ++i) {
    int64_t base = 10000 * (i + 1);
    int64_t ext = 50 + i;
    b.cpuOp(base, base + 5000, "aten::conv2d", ext);
    const char* names[] = {"nchwToNhwc", "conv_fprop", "nhwcToNchw"};
    for (int k = 0; k < 3; ++k) {
      int64_t c = b.api(base + 100 + 1000 * k, base + 200 + 1000 * k, "cudaLaunchKernel");
      b.kernel(base + 300 + 1000 * k, base + 800 + 1000 * k, names[k], c, 7, 0, ext);
    }
  }
  model::Trace t = b.take();
  TraceIndex index(t);
  auto rows = frequentSequences(index, {});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].count, 3u);
  EXPECT_EQ(rows[0].launcher, "aten::conv2d");
  EXPECT_EQ(rows[0].kernels, (std::vector<std::string>{"nchwToNhwc", "conv_fprop", "nhwcToNchw"}));
  EXPECT_EQ(rows[0].gpu_time, 9 * 500);
}

}  // namespace
}  // namespace gpuscope::analysis
