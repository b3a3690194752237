// GPU idle gaps and their causes, on two-kernel traces whose gap and host
// activity are set by hand (times in ns).
#include <gtest/gtest.h>

#include "analysis/rules/rules.h"
#include "trace_builder.h"

namespace gpuscope::analysis {
namespace {

using testing::TraceBuilder;

std::vector<Finding> gapFindings(model::Trace& t, AnalysisOptions o = {}) {
  TraceIndex index(t);
  std::vector<Finding> out;
  gpuGapsRule(index, o, out);
  return out;
}

const Evidence* evidence(const Finding& f, const std::string& name) {
  for (const Evidence& e : f.evidence)
    if (e.name == name) return &e;
  return nullptr;
}

// K1 [1000, 2000]; K2 launched by a call covering most of the gap.
TEST(GpuGaps, HostLaunchLatency) {
  TraceBuilder b;
  b.launch(100, 900, 1000, 2000, "k1");
  b.launch(2100, 51000, 52000, 53000, "k2");
  model::Trace t = b.take();
  auto f = gapFindings(t);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].title.find("host launch latency") != std::string::npos, true) << f[0].title;
  EXPECT_EQ(f[0].start, 2000);
  EXPECT_EQ(f[0].end, 52000);
  EXPECT_EQ(f[0].device, 0);
  EXPECT_EQ(f[0].stream, 7);
  EXPECT_EQ(f[0].tid, TraceBuilder::kTid);
  EXPECT_EQ(f[0].kernels, (std::vector<std::string>{"k1", "k2"}));
  EXPECT_EQ(evidence(f[0], "total_idle")->value, 50000);
  // gain = gap - 1 us residual a graph still leaves; span = 53000 - 1000.
  EXPECT_EQ(f[0].gain_ns, 49000);
  EXPECT_NEAR(f[0].gain_pct, 100.0 * 49000 / 52000, 1e-9);
  EXPECT_EQ(f[0].severity, Severity::kHigh);
}

TEST(GpuGaps, SynchronizationWait) {
  TraceBuilder b;
  b.launch(100, 900, 1000, 2000, "k1");
  b.api(1500, 20000, "cudaStreamSynchronize");  // returns inside the gap
  b.launch(30000, 31000, 32000, 33000, "k2");
  model::Trace t = b.take();
  auto f = gapFindings(t);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].title.find("synchronization wait"), std::string::npos);
  EXPECT_EQ(f[0].gain_ns, 30000);  // whole gap [2000, 32000]
}

TEST(GpuGaps, CpuWorkBetweenLaunches) {
  TraceBuilder b;
  b.launch(100, 900, 1000, 2000, "k1");
  b.launch(45000, 46000, 47000, 48000, "k2");  // host busy elsewhere for 43 us
  model::Trace t = b.take();
  auto f = gapFindings(t);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].title.find("CPU work"), std::string::npos);
  EXPECT_EQ(f[0].gain_ns, 45000 - 1000);
}

TEST(GpuGaps, BlockingCopy) {
  TraceBuilder b;
  b.launch(100, 900, 1000, 2000, "k1");
  int64_t c = b.api(2500, 40000, "cudaMemcpy");
  b.memcpy(38000, 39900, 1, 1 << 20, 0, 2, c);  // HtoD pageable -> device
  model::Trace t = b.take();
  auto f = gapFindings(t);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].title.find("copy"), std::string::npos);
  EXPECT_EQ(f[0].start, 2000);
  EXPECT_EQ(f[0].end, 38000);
}

TEST(GpuGaps, LaunchedBeforeTheGapIsADependency) {
  TraceBuilder b;
  b.launch(100, 300, 1000, 2000, "k1");
  b.launch(400, 800, 30000, 31000, "k2", 8);  // queued early, started late
  model::Trace t = b.take();
  auto f = gapFindings(t);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].title.find("dependency"), std::string::npos);
}

TEST(GpuGaps, ShortGapsAndOverlapsAreNotFindings) {
  TraceBuilder b;
  b.launch(100, 900, 1000, 2000, "k1");
  b.launch(1000, 1500, 1500, 30000, "k2", 8);  // overlaps k1 on another stream
  b.launch(1600, 1700, 39999, 50000, "k3");    // gap 9999 < 10 us
  model::Trace t = b.take();
  EXPECT_TRUE(gapFindings(t).empty());
  AnalysisOptions o;
  o.gap_min_ns = 9999;
  EXPECT_EQ(gapFindings(t, o).size(), 1u);
}

TEST(GpuGaps, GroupsByCauseAndKeepsRows) {
  TraceBuilder b;
  // Three CPU-work gaps of 20, 30 and 40 us.
  b.launch(100, 200, 1000, 2000, "a");
  b.launch(21000, 21100, 22000, 23000, "b");
  b.launch(52000, 52100, 53000, 54000, "c");
  b.launch(93000, 93100, 94000, 95000, "d");
  model::Trace t = b.take();
  AnalysisOptions o;
  o.rows = 2;
  auto f = gapFindings(t, o);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].instance_count, 3u);
  ASSERT_EQ(f[0].instances.size(), 2u);
  EXPECT_EQ(f[0].instances[0].end - f[0].instances[0].start, 40000);
  EXPECT_EQ(f[0].instances[1].end - f[0].instances[1].start, 30000);
  EXPECT_EQ(evidence(f[0], "total_idle")->value, 90000);
  EXPECT_EQ(evidence(f[0], "largest_gap")->value, 40000);
  EXPECT_EQ(f[0].start, 54000);  // where = the largest gap
}

}  // namespace
}  // namespace gpuscope::analysis
