// NVTX MARKER records -> finished ranges: pairing, push/pop vs start/end,
// depth, colours.
#include <gtest/gtest.h>

#include "tracer/nvtx_ranges.h"
#include "unit/tracer/fake_cupti_buffer.h"

namespace gpuscope::tracer {
namespace {

using testing::FakeCuptiBuffer;
constexpr uint32_t kStart = CUPTI_ACTIVITY_FLAG_MARKER_START;
constexpr uint32_t kEnd = CUPTI_ACTIVITY_FLAG_MARKER_END;
constexpr int32_t kPushPop = int32_t(model::NvtxKind::kPushPop);
constexpr int32_t kStartEnd = int32_t(model::NvtxKind::kStartEnd);

// Row index of the range named `text`.
size_t rowOf(const Recording& r, std::string_view text) {
  for (size_t i = 0; i < r.rows.nvtx.size(); ++i)
    if (r.rows.str(r.rows.nvtx.text[i]) == text) return i;
  ADD_FAILURE() << "no nvtx row " << text;
  return 0;
}

TEST(NvtxRangesTest, NestedPushPopGetDepthAndEnds) {
  // outer [100, 900) > middle [200, 500) > inner [300, 400); sibling [600, 700).
  FakeCuptiBuffer b;
  b.addMarker(1, kStart, 100, 7, "outer");
  b.addMarker(2, kStart, 200, 7, "middle");
  b.addMarker(3, kStart, 300, 7, "inner");
  b.addMarker(3, kEnd, 400, 7, nullptr);
  b.addMarker(2, kEnd, 500, 7, nullptr);
  b.addMarker(4, kStart, 600, 7, "sibling");
  b.addMarker(4, kEnd, 700, 7, nullptr);
  b.addMarker(1, kEnd, 900, 7, nullptr);
  Recording rec;
  RecordDecoder d(&rec, 100, nullptr);
  b.decodeInto(d);
  resolveNvtxRanges(&rec);
  const model::NvtxTable& t = rec.rows.nvtx;
  ASSERT_EQ(t.size(), 4u);
  struct Want { const char* text; int64_t end; int32_t depth; };
  for (Want w : {Want{"outer", 900, 0}, Want{"middle", 500, 1}, Want{"inner", 400, 2}, Want{"sibling", 700, 1}}) {
    size_t i = rowOf(rec, w.text);
    EXPECT_EQ(t.end[i], w.end) << w.text;
    EXPECT_EQ(t.depth[i], w.depth) << w.text;
    EXPECT_EQ(t.kind[i], kPushPop) << w.text;
    EXPECT_EQ(t.range_id[i], model::kNullI64) << w.text;
  }
}

TEST(NvtxRangesTest, EndInLaterBufferAndOnOtherThreadIsStartEnd) {
  Recording rec;
  RecordDecoder d(&rec, 100, nullptr);
  FakeCuptiBuffer first;
  first.addMarker(10, kStart, 100, 7, "io");
  first.decodeInto(d);
  FakeCuptiBuffer second;
  second.addMarker(10, kEnd, 800, 9, nullptr);
  second.decodeInto(d);
  resolveNvtxRanges(&rec);
  ASSERT_EQ(rec.rows.nvtx.size(), 1u);
  EXPECT_EQ(rec.rows.nvtx.end[0], 800);
  EXPECT_EQ(rec.rows.nvtx.end_tid[0], 9);
  EXPECT_EQ(rec.rows.nvtx.kind[0], kStartEnd);
  EXPECT_EQ(rec.rows.nvtx.range_id[0], 10);
}

TEST(NvtxRangesTest, StartIdsFromCallbacksAndOverlapMakeStartEnd) {
  // a [100, 500) and b [200, 600) on one thread overlap without nesting: b
  // cannot be push/pop. c [700, 800) is nested nowhere but its id was
  // returned by nvtxRangeStartA.
  FakeCuptiBuffer b;
  b.addMarker(1, kStart, 100, 7, "a");
  b.addMarker(2, kStart, 200, 7, "b");
  b.addMarker(1, kEnd, 500, 7, nullptr);
  b.addMarker(2, kEnd, 600, 7, nullptr);
  b.addMarker(3, kStart, 700, 7, "c");
  b.addMarker(3, kEnd, 800, 7, nullptr);
  Recording rec;
  RecordDecoder d(&rec, 100, nullptr);
  b.decodeInto(d);
  rec.start_end_range_ids.push_back(3);
  resolveNvtxRanges(&rec);
  const model::NvtxTable& t = rec.rows.nvtx;
  EXPECT_EQ(t.kind[rowOf(rec, "a")], kPushPop);
  EXPECT_EQ(t.kind[rowOf(rec, "b")], kStartEnd);
  EXPECT_EQ(t.kind[rowOf(rec, "c")], kStartEnd);
  EXPECT_EQ(t.range_id[rowOf(rec, "c")], 3);
}

TEST(NvtxRangesTest, DomainsNestSeparatelyAndColoursApply) {
  FakeCuptiBuffer b;
  b.addMarker(1, kStart, 100, 7, "d1 outer", "D1");
  b.addMarker(2, kStart, 150, 7, "d2 outer", "D2");
  b.addMarker(3, kStart, 200, 7, "d1 inner", "D1");
  b.addMarker(3, kEnd, 300, 7, nullptr, "D1");
  b.addMarker(2, kEnd, 350, 7, nullptr, "D2");
  b.addMarker(1, kEnd, 400, 7, nullptr, "D1");
  b.addMarker(4, CUPTI_ACTIVITY_FLAG_MARKER_INSTANTANEOUS, 250, 7, "mark");
  auto& md = b.add<CUpti_ActivityMarkerData2>(CUPTI_ACTIVITY_KIND_MARKER_DATA);
  md.id = 3; md.flags = CUPTI_ACTIVITY_FLAG_MARKER_COLOR_ARGB; md.color = 0xFFFF0000u; md.category = 2;
  auto& mm = b.add<CUpti_ActivityMarkerData2>(CUPTI_ACTIVITY_KIND_MARKER_DATA);
  mm.id = 4; mm.flags = CUPTI_ACTIVITY_FLAG_MARKER_COLOR_NONE; mm.category = 9;
  Recording rec;
  RecordDecoder d(&rec, 100, nullptr);
  b.decodeInto(d);
  resolveNvtxRanges(&rec);
  const model::NvtxTable& t = rec.rows.nvtx;
  EXPECT_EQ(t.depth[rowOf(rec, "d1 inner")], 1);
  EXPECT_EQ(t.depth[rowOf(rec, "d2 outer")], 0);
  EXPECT_EQ(t.kind[rowOf(rec, "d2 outer")], kPushPop);
  EXPECT_EQ(t.color[rowOf(rec, "d1 inner")], 0xFFFF0000);
  EXPECT_EQ(t.category[rowOf(rec, "d1 inner")], 2);
  EXPECT_EQ(t.color[rowOf(rec, "mark")], model::kNullI64);
  EXPECT_EQ(t.category[rowOf(rec, "mark")], 9);
  EXPECT_EQ(t.end[rowOf(rec, "mark")], model::kNullI64);
}

TEST(NvtxRangesTest, UnclosedRangeAndOrphanEnd) {
  FakeCuptiBuffer b;
  b.addMarker(1, kStart, 100, 7, "never closed");
  b.addMarker(2, kStart, 200, 7, "child");
  b.addMarker(2, kEnd, 300, 7, nullptr);
  b.addMarker(99, kEnd, 400, 7, nullptr);
  Recording rec;
  RecordDecoder d(&rec, 100, nullptr);
  b.decodeInto(d);
  resolveNvtxRanges(&rec);
  EXPECT_EQ(rec.rows.nvtx.end[rowOf(rec, "never closed")], model::kNullI64);
  EXPECT_EQ(rec.rows.nvtx.depth[rowOf(rec, "child")], 1);
  EXPECT_EQ(rec.rows.diagnostics.count("nvtx_end_without_start"), 1);
}

}  // namespace
}  // namespace gpuscope::tracer
