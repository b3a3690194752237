// Small pieces with hand-derived expectations: globalTid decoding, the API
// version-suffix rule, and NVTX depth on a hand-built nesting.
#include <gtest/gtest.h>

#include "importers/nsys_sqlite/global_tid.h"
#include "importers/nsys_sqlite/import_context.h"
#include "importers/nsys_sqlite/strings.h"

namespace gpuscope::importers::nsys_sqlite {
namespace {

TEST(NsysGlobalTid, DecodesPidAndTid) {
  // SC23 report3's main thread, by hand: 281662059457423 - 2^48 (VM id 1)
  // = 187082746767 = 11151 * 2^24 + 11151.
  EXPECT_EQ(pidOf(281662059457423), 11151);
  EXPECT_EQ(tidOf(281662059457423), 11151);
  // globalPid has TID 0.
  EXPECT_EQ(pidOf(281662059446272), 11151);
  EXPECT_EQ(tidOf(281662059446272), 0);
  // Host id bits 56-63 set must not leak into the pid.
  EXPECT_EQ(pidOf(static_cast<int64_t>(0xFF01000123000456ull)), 0x000123);
  EXPECT_EQ(tidOf(static_cast<int64_t>(0xFF01000123000456ull)), 0x000456);
  EXPECT_EQ(pidOf(model::kNullI64), model::kNullI64);
}

TEST(NsysApiNames, StripsVersionSuffixLikeNsysReports) {
  EXPECT_EQ(stripApiVersionSuffix("cudaLaunchKernel_v7000"), "cudaLaunchKernel");
  EXPECT_EQ(stripApiVersionSuffix("cudaFree_v3020"), "cudaFree");
  EXPECT_EQ(stripApiVersionSuffix("cuLaunchKernel"), "cuLaunchKernel");
  // Only a 4-character version after "_v" (substr(name, -6, 2) = '_v').
  EXPECT_EQ(stripApiVersionSuffix("cudaFoo_v12"), "cudaFoo_v12");
  EXPECT_EQ(stripApiVersionSuffix("x_v12345"), "x_v12345");
  EXPECT_EQ(stripApiVersionSuffix("_v1234"), "");
  EXPECT_EQ(stripApiVersionSuffix("v1234"), "v1234");
}

TEST(NsysNvtxDepth, HandBuiltNesting) {
  NvtxTable t;
  auto add = [&](int64_t tid, int32_t kind, int64_t s, int64_t e) {
    NvtxTable::Row r;
    r.pid = 1;
    r.tid = tid;
    r.kind = kind;
    r.start = s;
    r.end = e;
    t.push(r);
  };
  const int32_t pp = int32_t(model::NvtxKind::kPushPop);
  const int32_t se = int32_t(model::NvtxKind::kStartEnd);
  // Thread 10:  A[0,100] > B[10,50] > C[20,30];  B2[50,90] (starts as B ends);
  //             D[100,120] after A;  E[200,-] never closed > F[210,220].
  // Thread 11:  G[15,40] alone (other thread: depth 0 though inside A's time).
  // Same start: H[300,400] and I[300,350] -> the longer is the parent.
  add(10, pp, 20, 30);    // C  depth 2
  add(10, pp, 0, 100);    // A  0
  add(10, pp, 10, 50);    // B  1
  add(10, pp, 50, 90);    // B2 1
  add(10, pp, 100, 120);  // D  0
  add(10, pp, 200, model::kNullI64);  // E 0
  add(10, pp, 210, 220);  // F  1
  add(11, pp, 15, 40);    // G  0
  add(10, pp, 300, 350);  // I  2 (inside H, inside open E)
  add(10, pp, 300, 400);  // H  1 (inside open E)
  add(10, se, 21, 22);    // start/end: no depth
  computeNvtxDepth(t);
  const std::vector<int32_t> expected = {2, 0, 1, 1, 0, 0, 1, 0, 2, 1, model::kNullI32};
  t.depth.resize(t.size(), model::kNullI32);
  ASSERT_EQ(t.depth.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(t.depth[i], expected[i]) << "row " << i;
}

}  // namespace
}  // namespace gpuscope::importers::nsys_sqlite
