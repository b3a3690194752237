// gpu_time_util, launch-bound phases, memcpy/memset/sync rules and the
// concurrency rules, on hand-built traces (times in ns).
#include <gtest/gtest.h>

#include "analysis/analysis.h"
#include "analysis/rules/rules.h"
#include "trace_builder.h"

namespace gpuscope::analysis {
namespace {

using testing::TraceBuilder;
using Rule = void (*)(TraceIndex&, const AnalysisOptions&, std::vector<Finding>&);

std::vector<Finding> run(Rule rule, model::Trace& t, AnalysisOptions o = {}) {
  TraceIndex index(t);
  std::vector<Finding> out;
  rule(index, o, out);
  return out;
}

double ev(const Finding& f, const std::string& name) {
  for (const Evidence& e : f.evidence)
    if (e.name == name) return e.value;
  ADD_FAILURE() << "no evidence " << name;
  return -1;
}

// Span [1000, 4000] in 3 chunks of 1000: 100 %, (200 + 200) / 1000 = 40 %, 100 %.
TEST(GpuTimeUtil, NsysChunksAndMerging) {
  TraceBuilder b;
  b.launch(10, 20, 1000, 2000);
  b.launch(30, 40, 2000, 2200);
  b.launch(50, 60, 2800, 4000);
  model::Trace t = b.take();
  AnalysisOptions o;
  o.util_chunks = 3;
  auto f = run(gpuTimeUtilRule, t, o);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].start, 2000);
  EXPECT_EQ(f[0].end, 3000);
  EXPECT_DOUBLE_EQ(ev(f[0], "lowest_in_use"), 40.0);
  EXPECT_EQ(ev(f[0], "chunk_size"), 1000);
  EXPECT_EQ(f[0].gain_ns, 600);  // idle inside the window
  o.util_threshold_pct = 40;     // strictly below the threshold only
  EXPECT_TRUE(run(gpuTimeUtilRule, t, o).empty());
}

TEST(GpuTimeUtil, ConsecutiveLowChunksMergeWeighted) {
  TraceBuilder b;
  b.launch(10, 20, 1000, 1100);   // chunk 0: 10 %
  b.launch(30, 40, 2000, 2300);   // chunk 1: 30 %
  b.launch(50, 60, 3000, 4000);   // chunk 2: 100 %
  model::Trace t = b.take();
  AnalysisOptions o;
  o.util_chunks = 3;
  auto f = run(gpuTimeUtilRule, t, o);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(ev(f[0], "low_windows"), 1);
  ASSERT_EQ(f[0].instances.size(), 1u);
  EXPECT_EQ(f[0].instances[0].start, 1000);
  EXPECT_EQ(f[0].instances[0].end, 3000);
  EXPECT_EQ(f[0].instances[0].what, "in use 20.0%");
}

// 10 kernels of 1 us launched every 20 us: 9 launch-bound intervals.
TEST(LaunchBound, ShortKernelsBetweenSlowLaunches) {
  TraceBuilder b;
  for (int i = 0; i < 10; ++i) {
    int64_t ls = 1000 + 20000 * i;
    b.launch(ls, ls + 3000, ls + 5000, ls + 6000, "tiny");
  }
  model::Trace t = b.take();
  auto f = run(launchBoundRule, t);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(ev(f[0], "kernels"), 9);
  EXPECT_EQ(ev(f[0], "idle_between_kernels"), 9 * 19000);
  EXPECT_EQ(ev(f[0], "mean_launch_interval"), 20000);
  EXPECT_EQ(ev(f[0], "mean_kernel_duration"), 1000);
  EXPECT_EQ(f[0].gain_ns, 9 * 18000);
  EXPECT_EQ(f[0].start, 6000);
  EXPECT_EQ(f[0].end, 1000 + 20000 * 9 + 5000);
}

TEST(LaunchBound, LongKernelsAreNotLaunchBound) {
  TraceBuilder b;
  for (int i = 0; i < 10; ++i) {
    int64_t ls = 1000 + 5000 * i;  // launched faster than they run
    b.launch(ls, ls + 1000, 10000 + 20000 * i, 30000 + 20000 * i, "big");
  }
  model::Trace t = b.take();
  EXPECT_TRUE(run(launchBoundRule, t).empty());
}

TEST(MemoryOps, AsyncFromPageableMemory) {
  TraceBuilder b;
  int64_t c1 = b.api(100, 5100, "cudaMemcpyAsync");
  b.memcpy(200, 5000, 1, 4096, 0, 2, c1);  // pageable -> device
  int64_t c2 = b.api(6000, 6100, "cudaMemcpyAsync");
  b.memcpy(6200, 7000, 1, 4096, 1, 2, c2);  // pinned: fine
  model::Trace t = b.take();
  auto f = run(memcpyAsyncPageableRule, t);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].instance_count, 1u);
  EXPECT_EQ(ev(f[0], "host_blocked"), 5000);
  EXPECT_EQ(ev(f[0], "bytes"), 4096);
  EXPECT_EQ(f[0].start, 200);
}

TEST(MemoryOps, SyncMemcpyExclusions) {
  TraceBuilder b;
  int64_t big = b.api(100, 1100, "cudaMemcpy");
  b.memcpy(200, 1000, 1, 1 << 20, 1, 2, big);  // HtoD 1 MiB: reported
  int64_t small = b.api(2000, 2100, "cudaMemcpy");
  b.memcpy(2010, 2090, 1, 64 * 1024, 1, 2, small);  // HtoD <= 64 KB: excluded
  int64_t dtod = b.api(3000, 3400, "cudaMemcpy");
  b.memcpy(3010, 3300, 8, 1 << 20, 2, 2, dtod);  // same device: excluded
  int64_t dtoh = b.api(4000, 4500, "cudaMemcpy_v3020");
  b.memcpy(4100, 4400, 2, 16, 2, 0, dtoh);  // DtoH any size: reported
  model::Trace t = b.take();
  auto f = run(memcpySyncRule, t);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].instance_count, 2u);
  EXPECT_EQ(ev(f[0], "host_blocked"), 1000 + 500);
  EXPECT_EQ(f[0].start, 200);  // longest copy first, as nsys sorts
}

TEST(MemoryOps, SyncMemsetOnPinnedOrManaged) {
  TraceBuilder b;
  b.memset(200, 300, 1, b.api(100, 400, "cudaMemset"));        // pinned
  b.memset(600, 700, 4, b.api(500, 800, "cudaMemset"));        // managed
  b.memset(1000, 1100, 2, b.api(900, 1200, "cudaMemset"));     // device: async in effect
  b.memset(1400, 1500, 1, b.api(1300, 1350, "cudaMemsetAsync"));
  model::Trace t = b.take();
  auto f = run(memsetSyncRule, t);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].instance_count, 2u);
  EXPECT_EQ(ev(f[0], "host_blocked"), 300 + 300);
}

// The sync at [10000, 20000]; the GPU is busy until 15000 and next runs at
// 30000: idle caused = 20000 - 5000.
TEST(ApiSync, CountsCallsAndIdleCaused) {
  TraceBuilder b;
  b.launch(1000, 2000, 5000, 15000, "k1");
  b.api(10000, 20000, "cudaDeviceSynchronize");
  b.api(21000, 21500, "cudaEventRecord");
  b.launch(25000, 26000, 30000, 31000, "k2");
  b.api(40000, 41000, "cudaStreamSynchronize");
  b.api(42000, 43000, "cudaEventSynchronize");  // not in nsys's rule
  model::Trace t = b.take();
  auto f = run(apiSyncRule, t);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(ev(f[0], "calls"), 2);
  EXPECT_EQ(ev(f[0], "device_syncs"), 1);
  EXPECT_EQ(ev(f[0], "host_blocked"), 11000);
  EXPECT_EQ(ev(f[0], "gpu_idle_caused"), 15000);
  EXPECT_EQ(f[0].start, 10000);
}

TEST(Concurrency, CopiesNotOverlappedWithKernels) {
  TraceBuilder b;
  b.launch(10, 20, 1000, 50000, "k");
  int64_t c1 = b.api(30, 40, "cudaMemcpyAsync");
  b.memcpy(40000, 70000, 1, 1000, 1, 2, c1, 8);  // 10000 overlapped, 20000 alone
  int64_t c2 = b.api(50, 60, "cudaMemcpyAsync");
  b.memcpy(2000, 3000, 2, 1000, 2, 1, c2, 8);  // fully overlapped
  model::Trace t = b.take();
  auto f = run(copyOverlapRule, t);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(ev(f[0], "copies"), 1);
  EXPECT_EQ(ev(f[0], "not_overlapped"), 20000);
  EXPECT_EQ(ev(f[0], "copy_time"), 31000);
  EXPECT_EQ(f[0].gain_ns, 20000);
  // Copies on their own stream: not serialized on one stream.
  EXPECT_TRUE(run(streamSerializationRule, t).empty());
}

TEST(Concurrency, EverythingOnOneStream) {
  TraceBuilder b;
  int64_t c = b.api(10, 20, "cudaMemcpyAsync");
  b.memcpy(100, 30100, 1, 1 << 20, 1, 2, c);
  b.launch(30, 40, 30200, 80200, "k");
  model::Trace t = b.take();
  auto f = run(streamSerializationRule, t);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].stream, 7);
  EXPECT_EQ(f[0].gain_ns, 30000);  // min(copy 30000, kernels 50000)
}

// A clean trace: kernels queued ahead and back to back, one sync at the end.
TEST(Findings, CleanTraceHasNoFalsePositives) {
  TraceBuilder b;
  for (int i = 0; i < 50; ++i) {
    int64_t ls = 1000 + 3000 * i;
    int64_t ks = 200000 + 50000 * i;
    b.launch(ls, ls + 2000, ks + 500, ks + 50000, "gemm_kernel");
  }
  model::Trace t = b.take();
  AnalysisReport r = analyzeTrace(t, {});
  for (const Finding& f : r.findings) ADD_FAILURE() << "unexpected finding " << f.id << ": " << f.title;
  ASSERT_EQ(r.temporal.size(), 1u);
  EXPECT_EQ(r.temporal[0].span, 200000 + 50000 * 49 + 50000 - 200500);
  EXPECT_EQ(r.temporal[0].idle, 49 * 500);
}

}  // namespace
}  // namespace gpuscope::analysis
