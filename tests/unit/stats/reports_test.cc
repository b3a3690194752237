// Every report on the hand-built trace of hand_trace.h; each expected value
// is worked out by hand in the comment next to it.
#include <gtest/gtest.h>

#include <string>

#include "stats/context.h"
#include "stats/registry.h"
#include "unit/stats/hand_trace.h"
#include "unit/stats/report_test_util.h"

namespace gpuscope::stats {
namespace {

class HandReports : public ::testing::Test {
 protected:
  HandReports() : trace_(testing::makeHandTrace()), ctx_(trace_) {}
  ReportTable run(const std::string& spec) { return testing::runSpec(ctx_, spec); }
  static size_t col(const ReportTable& t, const std::string& label) { return testing::col(t, label); }
  static std::vector<std::string> labels(const ReportTable& t) { return testing::labels(t); }
  model::Trace trace_;
  ReportContext ctx_;
};

TEST_F(HandReports, CudaApiSum) {
  ReportTable t = run("cuda_api_sum");
  EXPECT_EQ(labels(t), (std::vector<std::string>{"Time", "Total Time", "Num Calls", "Avg", "Med", "Min",
                                                  "Max", "StdDev", "Name"}));
  ASSERT_EQ(t.rowCount(), 2u);  // the cuDNN call is not a CUDA API row
  // cudaLaunchKernel: 10 (pid 200), 10, 60, 60 -> total 140 of 150
  EXPECT_EQ(t.textAt(0, col(t, "Name")), "cudaLaunchKernel");
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Time")), 93.3);
  EXPECT_EQ(t.intAt(0, col(t, "Total Time")), 140);
  EXPECT_EQ(t.intAt(0, col(t, "Num Calls")), 4);
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Avg")), 35.0);
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Med")), 35.0);
  EXPECT_NEAR(t.doubleAt(0, col(t, "StdDev")), 28.8675134595, 1e-9);  // sqrt(2500/3)
  EXPECT_EQ(t.textAt(1, col(t, "Name")), "cudaMemcpyAsync");
  EXPECT_DOUBLE_EQ(t.doubleAt(1, col(t, "Time")), 6.7);
  EXPECT_DOUBLE_EQ(t.doubleAt(1, col(t, "StdDev")), 0.0);
}

TEST_F(HandReports, CudaGpuKernSumOrderAndBaseNames) {
  ReportTable t = run("gpukernsum");  // the old name works too
  EXPECT_EQ(t.name(), "cuda_gpu_kern_sum");
  ASSERT_EQ(t.rowCount(), 2u);
  // kA: 10 + 50 + 50 = 110; kB: 80; of 190
  EXPECT_EQ(t.textAt(0, col(t, "Name")), "kA");
  EXPECT_EQ(t.intAt(0, col(t, "Instances")), 3);
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Time")), 57.9);  // 57.89
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Med")), 50.0);
  EXPECT_EQ(t.intAt(0, col(t, "Min")), 10);
  EXPECT_DOUBLE_EQ(t.doubleAt(1, col(t, "Time")), 42.1);
  ReportTable b = run("cuda_gpu_kern_sum:base");
  EXPECT_EQ(b.textAt(0, col(b, "Name")), "A");
}

TEST_F(HandReports, MemTimeAndSize) {
  ReportTable t = run("cuda_gpu_mem_time_sum");
  ASSERT_EQ(t.rowCount(), 3u);
  // HtoD 80, DtoH 40, memset 10 of 130
  EXPECT_EQ(t.textAt(0, col(t, "Operation")), "[CUDA memcpy Host-to-Device]");
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Time")), 61.5);
  EXPECT_EQ(t.textAt(1, col(t, "Operation")), "[CUDA memcpy Device-to-Host]");
  EXPECT_DOUBLE_EQ(t.doubleAt(1, col(t, "Time")), 30.8);
  EXPECT_EQ(t.textAt(2, col(t, "Operation")), "[CUDA memset]");
  ReportTable s = run("cuda_gpu_mem_size_sum");
  EXPECT_EQ(labels(s), (std::vector<std::string>{"Total", "Count", "Avg", "Med", "Min", "Max", "StdDev",
                                                  "Operation"}));
  EXPECT_EQ(s.columns()[0].unit, Unit::kMemB);
  ASSERT_EQ(s.rowCount(), 3u);
  EXPECT_EQ(s.intAt(0, 0), 3000);  // DtoH first by size
  EXPECT_EQ(s.intAt(1, 0), 1000);
  EXPECT_EQ(s.intAt(2, 0), 500);
}

TEST_F(HandReports, KernExecSum) {
  ReportTable t = run("cuda_kern_exec_sum");
  ASSERT_EQ(t.rowCount(), 3u);
  // kB: A 60, Q 1020-1010 = 10, K 80, T 1100-950 = 150
  EXPECT_EQ(t.textAt(0, col(t, "Kernel Name")), "kB");
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "TAvg")), 150.0);
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "QAvg")), 10.0);
  // kA on pid 100: T 70 and 100, A 10 and 60, Q 10 and NULL (started before the call returned)
  EXPECT_EQ(t.intAt(1, col(t, "PID")), 100);
  EXPECT_EQ(t.intAt(1, col(t, "TID")), 101);
  EXPECT_EQ(t.intAt(1, col(t, "Count")), 2);
  EXPECT_EQ(t.intAt(1, col(t, "QCount")), 1);
  EXPECT_DOUBLE_EQ(t.doubleAt(1, col(t, "TAvg")), 85.0);
  EXPECT_NEAR(t.doubleAt(1, col(t, "TStdDev")), 21.2132034356, 1e-9);  // sqrt(450)
  EXPECT_DOUBLE_EQ(t.doubleAt(1, col(t, "AMed")), 35.0);
  EXPECT_EQ(t.intAt(1, col(t, "QMax")), 10);
  EXPECT_DOUBLE_EQ(t.doubleAt(1, col(t, "KAvg")), 50.0);
  // kA on pid 200 joins its own corr 1, not pid 100's: T = 40 - 10
  EXPECT_EQ(t.intAt(2, col(t, "PID")), 200);
  EXPECT_DOUBLE_EQ(t.doubleAt(2, col(t, "TAvg")), 30.0);
  EXPECT_EQ(t.textAt(2, col(t, "API Name")), "cudaLaunchKernel");
}

TEST_F(HandReports, KernExecTrace) {
  ReportTable t = run("cuda_kern_exec_trace");
  ASSERT_EQ(t.rowCount(), 4u);
  EXPECT_EQ(t.intAt(0, col(t, "API Start")), 10);  // by API start
  EXPECT_EQ(t.intAt(2, col(t, "API Start")), 200);
  EXPECT_TRUE(t.isNull(2, col(t, "Queue Start")));  // kernel began before the call returned
  EXPECT_TRUE(t.isNull(2, col(t, "Queue Dur")));
  EXPECT_EQ(t.intAt(1, col(t, "Queue Start")), 120);
  EXPECT_EQ(t.intAt(1, col(t, "Queue Dur")), 10);
  EXPECT_EQ(t.intAt(1, col(t, "Total Dur")), 70);
  EXPECT_EQ(t.textAt(1, col(t, "GridXYZ")), " 128    1    1");
  EXPECT_EQ(t.textAt(1, col(t, "BlockXYZ")), " 256    1    1");
}

TEST_F(HandReports, CudaGpuTrace) {
  ReportTable t = run("cuda_gpu_trace");
  ASSERT_EQ(t.rowCount(), 7u);  // 4 kernels, 2 memcpys, 1 memset, by start
  std::vector<int64_t> starts;
  for (size_t r = 0; r < t.rowCount(); ++r) starts.push_back(t.intAt(r, col(t, "Start")));
  EXPECT_EQ(starts, (std::vector<int64_t>{30, 130, 250, 520, 700, 800, 1020}));
  EXPECT_EQ(t.textAt(0, col(t, "Device")), "Test GPU (0)");
  EXPECT_EQ(t.intAt(0, col(t, "GrdX")), 128);
  EXPECT_TRUE(t.isNull(0, col(t, "Bytes")));
  // HtoD: 1000 B in 80 ns -> 1000 * (1e9 / 80) = 12.5e9 B/s
  EXPECT_EQ(t.intAt(3, col(t, "Throughput")), 12500000000);
  EXPECT_EQ(t.textAt(3, col(t, "SrcMemKd")), "Pageable");
  EXPECT_EQ(t.textAt(3, col(t, "DstMemKd")), "Device");
  EXPECT_TRUE(t.isNull(3, col(t, "GrdX")));
  EXPECT_EQ(t.textAt(4, col(t, "Name")), "[CUDA memset]");
  EXPECT_TRUE(t.isNull(4, col(t, "SrcMemKd")));
  EXPECT_EQ(t.intAt(4, col(t, "Throughput")), 50000000000);  // 500 * (1e9 / 10)
}

TEST_F(HandReports, CudaApiTrace) {
  ReportTable t = run("cuda_api_trace");
  ASSERT_EQ(t.rowCount(), 5u);
  EXPECT_EQ(t.intAt(1, col(t, "Start")), 110);
  EXPECT_EQ(t.intAt(1, col(t, "Duration")), 10);
  EXPECT_EQ(t.intAt(1, col(t, "CorrID")), 1);
  EXPECT_EQ(t.textAt(1, col(t, "Thread Name")), "main");
  EXPECT_TRUE(t.isNull(0, col(t, "Thread Name")));  // pid 200 has no named thread
}

TEST_F(HandReports, NvtxSum) {
  ReportTable t = run("nvtx_sum");
  ASSERT_EQ(t.rowCount(), 5u);  // the mark is not a range
  // cross 1100, outer 1000, se 850, D:inner 300, open 1100 - 1050 = 50; sum 3300
  std::vector<std::string> names;
  for (size_t r = 0; r < t.rowCount(); ++r) names.emplace_back(t.textAt(r, col(t, "Range")));
  EXPECT_EQ(names, (std::vector<std::string>{"cross", "outer", "se", "D:inner", "open"}));
  EXPECT_EQ(t.textAt(0, col(t, "Style")), "StartEnd");
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Time")), 33.3);
  EXPECT_DOUBLE_EQ(t.doubleAt(2, col(t, "Time")), 25.8);
  EXPECT_DOUBLE_EQ(t.doubleAt(3, col(t, "Time")), 9.1);
  EXPECT_EQ(t.intAt(4, col(t, "Total Time")), 50);  // open range closed at the last NVTX timestamp
  EXPECT_DOUBLE_EQ(t.doubleAt(4, col(t, "Time")), 1.5);
}

TEST_F(HandReports, NvtxGpuProjTrace) {
  ReportTable t = run("nvtx_gpu_proj_trace");
  // outer and se hold a1, a2, a3 -> ops [130, 600]; D:inner holds a1, a2 -> [130, 300];
  // cross ended on another thread; a4 ends after outer ends.
  ASSERT_EQ(t.rowCount(), 3u);
  EXPECT_EQ(t.textAt(0, col(t, "Name")), "outer");
  EXPECT_EQ(t.textAt(1, col(t, "Name")), "se");
  EXPECT_EQ(t.textAt(2, col(t, "Name")), "D:inner");
  EXPECT_EQ(t.intAt(0, col(t, "Projected Start")), 130);
  EXPECT_EQ(t.intAt(0, col(t, "Projected Duration")), 470);
  EXPECT_EQ(t.intAt(0, col(t, "Orig Duration")), 1000);
  EXPECT_EQ(t.intAt(0, col(t, "NumGPUOps")), 3);
  EXPECT_EQ(t.intAt(2, col(t, "NumGPUOps")), 2);
  EXPECT_EQ(t.intAt(2, col(t, "Projected Duration")), 170);
  // Tree: se (850 long) is the tightest range around D:inner, outer around se.
  EXPECT_EQ(t.intAt(0, col(t, "Lvl")), 0);
  EXPECT_EQ(t.intAt(1, col(t, "Lvl")), 1);
  EXPECT_EQ(t.intAt(2, col(t, "Lvl")), 2);
  EXPECT_EQ(t.intAt(0, col(t, "NumChild")), 1);
  EXPECT_EQ(t.intAt(2, col(t, "NumChild")), 0);
  EXPECT_EQ(t.intAt(0, col(t, "RangeId")), 1);  // nvtx rows 0, 2, 3 (+1)
  EXPECT_TRUE(t.isNull(0, col(t, "ParentId")));
  EXPECT_EQ(t.intAt(2, col(t, "ParentId")), 3);
  EXPECT_EQ(t.textAt(2, col(t, "RangeStack")), ":1:3:4");
}

TEST_F(HandReports, NvtxGpuProjSum) {
  ReportTable t = run("nvtx_gpu_proj_sum");
  ASSERT_EQ(t.rowCount(), 3u);
  EXPECT_EQ(t.textAt(0, col(t, "Range")), "outer");  // 470, tie with se broken by name
  EXPECT_EQ(t.intAt(0, col(t, "Total Range Time")), 1000);
  EXPECT_EQ(t.intAt(1, col(t, "Total Range Time")), 850);
  EXPECT_DOUBLE_EQ(t.doubleAt(1, col(t, "Avg Range Lvl")), 1.0);
  EXPECT_EQ(t.intAt(2, col(t, "Total GPU Ops")), 2);
  EXPECT_DOUBLE_EQ(t.doubleAt(2, col(t, "Avg Num Child")), 0.0);
}

TEST_F(HandReports, NvtxKernSum) {
  ReportTable t = run("nvtx_kern_sum");
  // kA (130-180, 250-300) counts in every enclosing range: D:inner, outer, se.
  ASSERT_EQ(t.rowCount(), 3u);
  EXPECT_EQ(t.textAt(0, col(t, "NVTX Range")), "D:inner");
  EXPECT_EQ(t.textAt(1, col(t, "NVTX Range")), "outer");
  EXPECT_EQ(t.textAt(2, col(t, "NVTX Range")), "se");
  EXPECT_EQ(t.textAt(2, col(t, "Style")), "StartEnd");
  for (size_t r = 0; r < 3; ++r) {
    EXPECT_EQ(t.intAt(r, col(t, "NVTX Inst")), 1);
    EXPECT_EQ(t.intAt(r, col(t, "Kern Inst")), 2);
    EXPECT_EQ(t.intAt(r, col(t, "Total Time")), 100);
    EXPECT_DOUBLE_EQ(t.doubleAt(r, col(t, "StdDev")), 0.0);
    EXPECT_EQ(t.textAt(r, col(t, "Kernel Name")), "kA");
  }
}

TEST_F(HandReports, NvtxPushPopTrace) {
  ReportTable t = run("nvtx_pushpop_trace");
  ASSERT_EQ(t.rowCount(), 3u);  // outer, D:inner, open
  // outer's only push/pop child is D:inner (300): DurChild 300, DurNonChild 700
  EXPECT_EQ(t.intAt(0, col(t, "DurChild")), 300);
  EXPECT_EQ(t.intAt(0, col(t, "DurNonChild")), 700);
  EXPECT_EQ(t.intAt(1, col(t, "Lvl")), 1);
  EXPECT_EQ(t.textAt(1, col(t, "RangeStack")), ":1:4");
  EXPECT_EQ(t.intAt(2, col(t, "End")), 1100);
}

TEST_F(HandReports, SkippedWhenNoData) {
  ReportTable t = run("osrt_sum");
  ASSERT_TRUE(t.skipped().has_value());
  EXPECT_EQ(*t.skipped(), "does not contain OS Runtime trace data");
  model::Trace empty;
  ReportContext ctx(empty);
  for (const ReportInfo& info : reportCatalogue()) {
    ReportTable r = runReport(ctx, ReportRequest{&info, {}});
    EXPECT_TRUE(r.skipped().has_value()) << info.name;
    EXPECT_EQ(r.name(), info.name);
  }
}

TEST_F(HandReports, Diagnostics) {
  ReportTable t = run("diagnostics");
  ASSERT_EQ(t.rowCount(), 1u);
  EXPECT_EQ(t.textAt(0, 0), "kernel_end_before_start");
  EXPECT_EQ(t.intAt(0, col(t, "Count")), 2);
}

// Nested ranges of one name: nsys's nvtx_kern_sum sums the kernel once per
// enclosing range (SUM over the range x kernel join) but counts it once in
// "Kern Inst" (COUNT DISTINCT) and both ranges in "NVTX Inst".
TEST(NestedSameName, KernelCountsInBothRanges) {
  model::Trace t;
  auto s = [&](const char* x) { return t.strings.intern(x); };
  for (auto [start, end] : {std::pair<int64_t, int64_t>{0, 100}, {10, 90}}) {
    decltype(t.nvtx)::Row r;
    r.start = start;
    r.end = end;
    r.pid = 1;
    r.tid = 2;
    r.kind = static_cast<int32_t>(model::NvtxKind::kPushPop);
    r.text = s("loop");
    t.nvtx.push(r);
  }
  decltype(t.api_calls)::Row a;
  a.start = 20;
  a.end = 30;
  a.pid = 1;
  a.tid = 2;
  a.correlation_id = 9;
  a.name = s("cudaLaunchKernel");
  a.api_kind = 0;
  t.api_calls.push(a);
  decltype(t.kernels)::Row k;
  k.start = 40;
  k.end = 50;
  k.pid = 1;
  k.correlation_id = 9;
  k.name = s("k");
  t.kernels.push(k);
  ReportContext ctx(t);
  ReportTable ks = runReport(ctx, ReportRequest{findReport("nvtx_kern_sum"), {}});
  ASSERT_EQ(ks.rowCount(), 1u);
  EXPECT_EQ(ks.intAt(0, 4), 2);   // NVTX Inst
  EXPECT_EQ(ks.intAt(0, 5), 1);   // Kern Inst
  EXPECT_EQ(ks.intAt(0, 6), 20);  // Total Time: 10 per enclosing range
  ReportTable pt = runReport(ctx, ReportRequest{findReport("nvtx_gpu_proj_trace"), {}});
  ASSERT_EQ(pt.rowCount(), 2u);
  EXPECT_EQ(pt.intAt(0, 9), 0);   // Lvl of the outer range (longer, listed first)
  EXPECT_EQ(pt.intAt(1, 9), 1);
  EXPECT_EQ(pt.intAt(0, 10), 1);  // NumChild
  EXPECT_EQ(pt.intAt(1, 12), 1);  // ParentId = RangeId of the outer range
}

TEST(ReportList, ParsesNamesArgsAndRejectsUnknown) {
  auto ok = parseReportList("cuda_api_sum,gpukernsum:base,nvtx_sum");
  ASSERT_TRUE(ok.ok());
  ASSERT_EQ(ok->size(), 3u);
  EXPECT_STREQ(ok->at(1).info->name, "cuda_gpu_kern_sum");
  EXPECT_TRUE(ok->at(1).options.has("base"));
  EXPECT_FALSE(parseReportList("cuda_api_sum,nope").ok());
  EXPECT_FALSE(parseReportList("cuda_api_sum:base").ok());
  EXPECT_FALSE(parseReportList("a,,b").ok());
  EXPECT_EQ(parseReportList("nope").status().code(), StatusCode::kInvalidInput);
}

}  // namespace
}  // namespace gpuscope::stats
