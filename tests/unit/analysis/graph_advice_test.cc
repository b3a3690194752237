// Iteration detection and the CUDA-graph saving estimate.
#include <gtest/gtest.h>

#include <set>

#include "analysis/graph_advice.h"
#include "analysis/iterations.h"
#include "trace_builder.h"

namespace gpuscope::analysis {
namespace {

using testing::TraceBuilder;

// Three iterations "step" of 100 us, each: 4 kernels of 2 us launched 10 us
// apart (launch call 1 us), then one cudaStreamSynchronize.
model::Trace makeLoop(bool with_sync, bool with_nvtx) {
  TraceBuilder b;
  for (int it = 0; it < 3; ++it) {
    int64_t base = 100000 * (it + 1);
    if (with_nvtx) b.nvtx(base, base + 90000, "step");
    for (int k = 0; k < 4; ++k) {
      int64_t ls = base + 1000 + 10000 * k;
      const char* names[] = {"conv", "relu", "gemm", "softmax"};
      b.launch(ls, ls + 1000, ls + 3000, ls + 5000, names[k]);
    }
    if (with_sync) b.api(base + 50000, base + 52000, "cudaStreamSynchronize");
    if (with_sync) b.api(base + 60000, base + 61000, "cudaMalloc");
  }
  return b.take();
}

TEST(Iterations, NormalizesProfilerStep) {
  EXPECT_EQ(normalizeIterationName("ProfilerStep#12"), "ProfilerStep#N");
  EXPECT_EQ(normalizeIterationName("inference"), "inference");
  EXPECT_EQ(normalizeIterationName("a#b"), "a#b");
}

TEST(Iterations, FromRepeatedNvtxRange) {
  model::Trace t = makeLoop(false, true);
  TraceIndex index(t);
  IterationSet s = detectIterations(index);
  EXPECT_EQ(s.method, "nvtx");
  EXPECT_EQ(s.name, "step");
  ASSERT_EQ(s.items.size(), 3u);
  EXPECT_EQ(s.items[1].ops.size(), 4u);
  EXPECT_EQ(s.items[1].gpu_start, 200000 + 1000 + 3000);
  EXPECT_EQ(s.items[1].gpu_end, 200000 + 31000 + 5000);
}

TEST(Iterations, FromRepeatingKernelSequence) {
  model::Trace t = makeLoop(false, false);
  TraceIndex index(t);
  IterationSet s = detectIterations(index);
  EXPECT_EQ(s.method, "kernel_sequence");
  ASSERT_EQ(s.items.size(), 3u);
  EXPECT_EQ(s.items[0].ops.size(), 4u);
  EXPECT_EQ(s.items[2].start, 300000 + 1000);  // first launch call of the iteration
}

// Inside an iteration: 3 gaps of 10000 - 2000 = 8000 ns, each with the
// launch call (1000 ns) inside it: CPU work. Saving per gap 8000 - 1000.
TEST(GraphAdvice, SavingAndBlockers) {
  model::Trace t = makeLoop(true, true);
  TraceIndex index(t);
  GraphAdvice a = adviseCudaGraphs(index, {});
  ASSERT_EQ(a.iterations.items.size(), 3u);
  EXPECT_FALSE(a.uses_graphs);
  EXPECT_DOUBLE_EQ(a.launches_per_iteration, 4);
  EXPECT_EQ(a.median_gpu_span, 32000);
  EXPECT_EQ(a.median_busy, 8000);
  EXPECT_EQ(a.mean_gap_total, 24000);
  EXPECT_EQ(a.mean_launch_gaps, 24000);
  EXPECT_EQ(a.mean_launch_gap_count, 3u);
  EXPECT_EQ(a.saving_per_iteration, 3 * 7000);
  ASSERT_EQ(a.blockers.size(), 2u);
  EXPECT_EQ(a.blockers[0].calls, 3u);
  EXPECT_EQ(a.blockers[1].calls, 3u);
  std::set<std::string> names{a.blockers[0].api, a.blockers[1].api};
  EXPECT_EQ(names, (std::set<std::string>{"cudaStreamSynchronize", "cudaMalloc"}));
  Finding f;
  ASSERT_TRUE(graphAdviceFinding(index, a, f));
  EXPECT_EQ(f.gain_ns, 3 * 21000);
  EXPECT_NE(f.suggestion.find("cudaStreamSynchronize (3x)"), std::string::npos);
}

TEST(GraphAdvice, GraphReplayIsRecognised) {
  TraceBuilder b;
  for (int it = 0; it < 2; ++it) {
    int64_t base = 100000 * (it + 1);
    b.nvtx(base, base + 50000, "inference");
    int64_t c = b.api(base + 100, base + 200, "cudaGraphLaunch");
    for (int k = 0; k < 5; ++k) b.kernel(base + 1000 + 3000 * k, base + 3000 + 3000 * k, "k", c);
  }
  model::Trace t = b.take();
  TraceIndex index(t);
  GraphAdvice a = adviseCudaGraphs(index, {});
  EXPECT_TRUE(a.uses_graphs);
  EXPECT_EQ(a.saving_per_iteration, 0);
  EXPECT_EQ(a.mean_gap_total, 4 * 1000);
  Finding f;
  EXPECT_FALSE(graphAdviceFinding(index, a, f));
}

}  // namespace
}  // namespace gpuscope::analysis
