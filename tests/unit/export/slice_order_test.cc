#include "export/slice_order.h"

#include <gtest/gtest.h>

#include <vector>

#include "model/table_macros.h"

namespace gpuscope::exporters {
namespace {

std::vector<uint32_t> visit(SliceCursor c) {
  std::vector<uint32_t> out;
  for (; !c.done(); c.next()) out.push_back(c.index());
  return out;
}

TEST(SliceOrder, SortedTableVisitsLongerSliceFirstOnTies) {
  // As Trace::sortByTime leaves it: (start, end) ascending.
  std::vector<int64_t> start = {10, 10, 10, 20, 30};
  std::vector<int64_t> end = {12, 15, 40, 25, 31};
  EXPECT_EQ(visit(SliceCursor(start, end)), (std::vector<uint32_t>{2, 1, 0, 3, 4}));
}

TEST(SliceOrder, UnsortedTableAndOpenEnds) {
  std::vector<int64_t> start = {30, 10, 10, 5};
  std::vector<int64_t> end = {31, 11, model::kNullI64, 50};
  SliceCursor c(start, end);
  // Row 2 never ended: it encloses everything after it, row 1 included.
  EXPECT_EQ(visit(c), (std::vector<uint32_t>{3, 2, 1, 0}));
  EXPECT_EQ(c.effectiveEnd(2), std::numeric_limits<int64_t>::max());
  c.reset();
  EXPECT_EQ(visit(c), (std::vector<uint32_t>{3, 2, 1, 0}));
}

TEST(SliceOrder, KindFilterAndNegativeDuration) {
  std::vector<int64_t> start = {1, 2, 3, 4};
  std::vector<int64_t> end = {9, 1, 5, 6};
  std::vector<int32_t> kind = {0, 0, 2, 0};
  SliceCursor c(start, end, &kind, 0);
  EXPECT_EQ(visit(c), (std::vector<uint32_t>{0, 1, 3}));
  EXPECT_EQ(c.effectiveEnd(1), 2);  // end < start counts as zero length
}

TEST(SliceOrder, MergeOrdersAcrossSources) {
  std::vector<int64_t> s0 = {0, 10}, e0 = {5, 20};
  std::vector<int64_t> s1 = {0, 10}, e1 = {100, 20};
  std::vector<SliceCursor> cursors;
  cursors.emplace_back(s0, e0);
  cursors.emplace_back(s1, e1);
  std::vector<std::pair<size_t, uint32_t>> seen;
  mergeSlices(cursors, [&](size_t src, uint32_t i) { seen.emplace_back(src, i); });
  // (0,100) encloses (0,5); identical (10,20) slices: the lower source first.
  std::vector<std::pair<size_t, uint32_t>> want = {{1, 0}, {0, 0}, {0, 1}, {1, 1}};
  EXPECT_EQ(seen, want);
}

}  // namespace
}  // namespace gpuscope::exporters
