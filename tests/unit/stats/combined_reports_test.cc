// The reports added on top of the single-family summaries: cuda_gpu_sum,
// cuda_api_gpu_sum, cuda_gpu_kern_gb_sum, nvtx_pushpop_sum and
// nvtx_startend_sum. Every expected value is counted by hand in the comment
// next to it, from the events listed in hand_trace.h (times in ns).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stats/context.h"
#include "stats/registry.h"
#include "unit/stats/hand_trace.h"
#include "unit/stats/report_test_util.h"

namespace gpuscope::stats {
namespace {

using testing::col;
using testing::labels;

ReportTable run(ReportContext& ctx, const std::string& spec) { return testing::runSpec(ctx, spec); }

std::vector<std::string> texts(const ReportTable& t, const std::string& label) {
  std::vector<std::string> out;
  for (size_t r = 0; r < t.rowCount(); ++r) out.emplace_back(t.textAt(r, col(t, label)));
  return out;
}

class Combined : public ::testing::Test {
 protected:
  Combined() : trace_(testing::makeHandTrace()), ctx_(trace_) {}
  model::Trace trace_;
  ReportContext ctx_;
};

// Kernels: kA 10 (pid 200) + 50 + 50 = 110 (3), kB 80 (1); memops: HtoD 80,
// DtoH 40, memset 10. Grand total 320.
TEST_F(Combined, CudaGpuSum) {
  ReportTable t = run(ctx_, "gpusum");  // old name
  EXPECT_EQ(t.name(), "cuda_gpu_sum");
  EXPECT_EQ(labels(t), (std::vector<std::string>{"Time", "Total Time", "Instances", "Avg", "Med", "Min", "Max",
                                                  "StdDev", "Category", "Operation"}));
  ASSERT_EQ(t.rowCount(), 5u);
  // kB and HtoD tie on (80, 1): CUDA_KERNEL sorts before MEMORY_OPER.
  EXPECT_EQ(texts(t, "Operation"), (std::vector<std::string>{"kA", "kB", "[CUDA memcpy Host-to-Device]",
                                                             "[CUDA memcpy Device-to-Host]", "[CUDA memset]"}));
  EXPECT_EQ(texts(t, "Category"),
            (std::vector<std::string>{"CUDA_KERNEL", "CUDA_KERNEL", "MEMORY_OPER", "MEMORY_OPER", "MEMORY_OPER"}));
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Time")), 34.4);  // 110 / 320 = 34.375
  EXPECT_DOUBLE_EQ(t.doubleAt(1, col(t, "Time")), 25.0);  // 80 / 320
  EXPECT_DOUBLE_EQ(t.doubleAt(3, col(t, "Time")), 12.5);  // 40 / 320
  EXPECT_DOUBLE_EQ(t.doubleAt(4, col(t, "Time")), 3.1);   // 10 / 320 = 3.125
  EXPECT_EQ(t.intAt(0, col(t, "Total Time")), 110);
  EXPECT_EQ(t.intAt(0, col(t, "Instances")), 3);
  EXPECT_NEAR(t.doubleAt(0, col(t, "Avg")), 110.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Med")), 50.0);
  EXPECT_EQ(t.intAt(0, col(t, "Min")), 10);
  EXPECT_EQ(t.intAt(0, col(t, "Max")), 50);
  // 10, 50, 50: squared deviations 6400/9 + 2 * 1600/9 = 9600/9; / (n - 1) = 4800/9
  EXPECT_NEAR(t.doubleAt(0, col(t, "StdDev")), 23.0940107676, 1e-9);
  EXPECT_DOUBLE_EQ(t.doubleAt(1, col(t, "StdDev")), 0.0);
  EXPECT_EQ(t.intAt(2, col(t, "Total Time")), 80);

  ReportTable b = run(ctx_, "cuda_gpu_sum:base");  // short names: kA -> A, kB -> B
  EXPECT_EQ(texts(b, "Operation")[0], "A");
  EXPECT_EQ(texts(b, "Operation")[1], "B");
}

// As above plus the CUDA API rows (the cuDNN call is not one):
// cudaLaunchKernel 10 + 10 + 60 + 60 = 140 (4), cudaMemcpyAsync 10 (1).
// Grand total 150 + 190 + 130 = 470.
TEST_F(Combined, CudaApiGpuSum) {
  ReportTable t = run(ctx_, "apigpusum");
  EXPECT_EQ(t.name(), "cuda_api_gpu_sum");
  EXPECT_EQ(labels(t), (std::vector<std::string>{"Time", "Total Time", "Instances", "Avg", "Med", "Min", "Max",
                                                  "StdDev", "Category", "Operation"}));
  ASSERT_EQ(t.rowCount(), 7u);
  // Ties on (10, 1): CUDA_API before MEMORY_OPER.
  EXPECT_EQ(texts(t, "Operation"),
            (std::vector<std::string>{"cudaLaunchKernel", "kA", "kB", "[CUDA memcpy Host-to-Device]",
                                      "[CUDA memcpy Device-to-Host]", "cudaMemcpyAsync", "[CUDA memset]"}));
  EXPECT_EQ(texts(t, "Category"), (std::vector<std::string>{"CUDA_API", "CUDA_KERNEL", "CUDA_KERNEL", "MEMORY_OPER",
                                                            "MEMORY_OPER", "CUDA_API", "MEMORY_OPER"}));
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Time")), 29.8);  // 140 / 470 = 29.79
  EXPECT_DOUBLE_EQ(t.doubleAt(1, col(t, "Time")), 23.4);  // 110 / 470 = 23.40
  EXPECT_DOUBLE_EQ(t.doubleAt(2, col(t, "Time")), 17.0);  // 80 / 470 = 17.02
  EXPECT_DOUBLE_EQ(t.doubleAt(4, col(t, "Time")), 8.5);   // 40 / 470 = 8.51
  EXPECT_DOUBLE_EQ(t.doubleAt(5, col(t, "Time")), 2.1);   // 10 / 470 = 2.13
  EXPECT_EQ(t.intAt(0, col(t, "Instances")), 4);
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Med")), 35.0);                // (10 + 60) / 2
  EXPECT_NEAR(t.doubleAt(0, col(t, "StdDev")), 28.8675134595, 1e-9);  // sqrt(2500 / 3)
  // Totals per category: API 150, kernels 190, memops 130.
  int64_t api = 0, kern = 0, mem = 0;
  for (size_t r = 0; r < t.rowCount(); ++r) {
    std::string_view c = t.textAt(r, col(t, "Category"));
    int64_t v = t.intAt(r, col(t, "Total Time"));
    (c == "CUDA_API" ? api : c == "CUDA_KERNEL" ? kern : mem) += v;
  }
  EXPECT_EQ(api, 150);
  EXPECT_EQ(kern, 190);
  EXPECT_EQ(mem, 130);
}

// outer 1000, D:inner 300, open 1100 - 1050 = 50 (the open range ends at the
// largest NVTX range timestamp, 1100, the end of start/end range "cross").
TEST_F(Combined, NvtxPushPopSum) {
  ReportTable t = run(ctx_, "nvtxppsum");
  EXPECT_EQ(t.name(), "nvtx_pushpop_sum");
  EXPECT_EQ(labels(t), (std::vector<std::string>{"Time", "Total Time", "Instances", "Avg", "Med", "Min", "Max",
                                                  "StdDev", "Range"}));
  EXPECT_EQ(texts(t, "Range"), (std::vector<std::string>{"outer", "D:inner", "open"}));
  ASSERT_EQ(t.rowCount(), 3u);
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Time")), 74.1);  // 1000 / 1350
  EXPECT_DOUBLE_EQ(t.doubleAt(1, col(t, "Time")), 22.2);  // 300 / 1350
  EXPECT_DOUBLE_EQ(t.doubleAt(2, col(t, "Time")), 3.7);   // 50 / 1350
  EXPECT_EQ(t.intAt(2, col(t, "Total Time")), 50);
}

// cross 1100 (ended on another thread: still a range here), se 850.
TEST_F(Combined, NvtxStartEndSum) {
  ReportTable t = run(ctx_, "nvtx_startend_sum");
  EXPECT_EQ(t.name(), "nvtx_startend_sum");
  EXPECT_EQ(texts(t, "Range"), (std::vector<std::string>{"cross", "se"}));
  ASSERT_EQ(t.rowCount(), 2u);
  EXPECT_EQ(t.columnCount(), 9u);  // no Style column
  EXPECT_DOUBLE_EQ(t.doubleAt(0, col(t, "Time")), 56.4);  // 1100 / 1950 = 56.41
  EXPECT_DOUBLE_EQ(t.doubleAt(1, col(t, "Time")), 43.6);  // 850 / 1950 = 43.59
  EXPECT_EQ(t.intAt(1, col(t, "Max")), 850);
}

TEST(CombinedSkipped, OneStyleMissing) {
  model::Trace t;
  model::NvtxTable::Row r;
  r.start = 0;
  r.end = 10;
  r.pid = 1;
  r.tid = 1;
  r.kind = static_cast<int32_t>(model::NvtxKind::kStartEnd);
  r.text = t.strings.intern("only");
  t.nvtx.push(r);
  ReportContext ctx(t);
  ReportTable pp = run(ctx, "nvtx_pushpop_sum");
  ASSERT_TRUE(pp.skipped().has_value());
  EXPECT_EQ(*pp.skipped(), "does not contain NV Tools Extension (NVTX) push/pop data");
  ReportTable se = run(ctx, "nvtx_startend_sum");
  ASSERT_FALSE(se.skipped().has_value());
  EXPECT_EQ(se.rowCount(), 1u);
  EXPECT_DOUBLE_EQ(se.doubleAt(0, 0), 100.0);
  // No kernel, memcpy, memset or API call: both combined reports are skipped.
  EXPECT_TRUE(run(ctx, "cuda_gpu_sum").skipped().has_value());
  EXPECT_TRUE(run(ctx, "cuda_api_gpu_sum").skipped().has_value());
  EXPECT_TRUE(run(ctx, "cuda_gpu_kern_gb_sum").skipped().has_value());
}

// Kernels of one name split by launch geometry:
//   k  grid 2x1x1 block 64x1x1: 10, 30    -> 40 (2)
//   j  grid 2x1x1 block 64x1x1: 40        -> 40 (1)
//   k  grid 4x1x1 block 64x1x1: 25        -> 25 (1)
//   k  grid 2x1x1 block 128x1x1: 5        ->  5 (1)
//   k  geometry unknown: 1                 ->  1 (1)
//   k  grid 2x1x1 block 64x1x1, never ended: not counted
// Grand total 111.
TEST(CudaGpuKernGbSum, GroupsByNameAndGeometry) {
  model::Trace t;
  auto kernel = [&](const char* name, int32_t gx, int32_t bx, int64_t start, int64_t end) {
    model::KernelTable::Row r;
    r.start = start;
    r.end = end;
    r.pid = 1;
    r.name = t.strings.intern(name);
    if (gx != 0) {
      r.grid_x = gx;
      r.grid_y = r.grid_z = 1;
      r.block_x = bx;
      r.block_y = r.block_z = 1;
    }
    t.kernels.push(r);
  };
  kernel("k", 2, 64, 0, 10);
  kernel("j", 2, 64, 100, 140);
  kernel("k", 2, 64, 200, 230);
  kernel("k", 4, 64, 300, 325);
  kernel("k", 2, 128, 400, 405);
  kernel("k", 0, 0, 500, 501);
  kernel("k", 2, 64, 600, model::kNullI64);
  ReportContext ctx(t);
  ReportTable r = run(ctx, "cuda_gpu_kern_gb_sum");
  EXPECT_EQ(labels(r), (std::vector<std::string>{"Time", "Total Time", "Instances", "Avg", "Med", "Min", "Max",
                                                  "StdDev", "GridXYZ", "BlockXYZ", "Name"}));
  ASSERT_EQ(r.rowCount(), 5u);
  // (40, 2) before (40, 1): instances break the tie on total.
  EXPECT_EQ(texts(r, "Name"), (std::vector<std::string>{"k", "j", "k", "k", "k"}));
  EXPECT_EQ(texts(r, "GridXYZ"),
            (std::vector<std::string>{"   2    1    1", "   2    1    1", "   4    1    1", "   2    1    1", ""}));
  EXPECT_EQ(texts(r, "BlockXYZ"),
            (std::vector<std::string>{"  64    1    1", "  64    1    1", "  64    1    1", " 128    1    1", ""}));
  EXPECT_EQ(r.intAt(0, col(r, "Instances")), 2);
  EXPECT_DOUBLE_EQ(r.doubleAt(0, col(r, "Med")), 20.0);
  EXPECT_NEAR(r.doubleAt(0, col(r, "StdDev")), 14.1421356237, 1e-9);  // sqrt(2 * 100 / 1)
  EXPECT_DOUBLE_EQ(r.doubleAt(0, col(r, "Time")), 36.0);  // 40 / 111 = 36.04
  EXPECT_DOUBLE_EQ(r.doubleAt(2, col(r, "Time")), 22.5);  // 25 / 111 = 22.52
  EXPECT_DOUBLE_EQ(r.doubleAt(3, col(r, "Time")), 4.5);   // 5 / 111 = 4.50
  EXPECT_DOUBLE_EQ(r.doubleAt(4, col(r, "Time")), 0.9);   // 1 / 111 = 0.90
  // cuda_gpu_kern_sum on the same kernels: k 10 + 30 + 25 + 5 + 1 = 71 (5), j 40.
  ReportTable s = run(ctx, "cuda_gpu_kern_sum");
  ASSERT_EQ(s.rowCount(), 2u);
  EXPECT_EQ(s.intAt(0, col(s, "Total Time")), 71);
  EXPECT_EQ(s.intAt(0, col(s, "Instances")), 5);
}

TEST(CombinedReportList, NamesAndArguments) {
  for (auto [name, old] : {std::pair<const char*, const char*>{"cuda_gpu_sum", "gpusum"},
                           {"cuda_api_gpu_sum", "apigpusum"},
                           {"nvtx_pushpop_sum", "nvtxppsum"},
                           {"nvtx_startend_sum", "nvtxsesum"}}) {
    ASSERT_NE(findReport(name), nullptr) << name;
    EXPECT_EQ(findReport(old), findReport(name)) << old;
  }
  ASSERT_NE(findReport("cuda_gpu_kern_gb_sum"), nullptr);
  for (const char* ok : {"cuda_gpu_sum:base", "cuda_api_gpu_sum:mangled", "cuda_gpu_kern_gb_sum:base"}) {
    EXPECT_TRUE(parseReportList(ok).ok()) << ok;
  }
  auto bad = parseReportList("cuda_gpu_sum:bogus");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(bad.status().message(),
            "-r: report cuda_gpu_sum does not take argument 'bogus' (expected base|mangled)");
  // :nvtx-name is not implemented (cuda_gpu_kern_sum does not take it either).
  EXPECT_FALSE(parseReportList("cuda_api_gpu_sum:nvtx-name").ok());
  EXPECT_FALSE(parseReportList("cuda_gpu_kern_sum:nvtx-name").ok());
  auto none = parseReportList("nvtx_pushpop_sum:base");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "-r: report nvtx_pushpop_sum does not take argument 'base' (it takes none)");
}

}  // namespace
}  // namespace gpuscope::stats
