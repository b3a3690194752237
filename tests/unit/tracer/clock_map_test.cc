// Process clock -> epoch through anchors (src/tracer/clock_map.h).
#include <gtest/gtest.h>

#include "tracer/clock_map.h"

namespace gpuscope::tracer {
namespace {

TEST(ClockMapTest, NoAnchorIsTheIdentityOneAnchorAnOffset) {
  EXPECT_EQ(ClockMap().toEpoch(123), 123);
  ClockMap one({{1000, 51000}});
  EXPECT_EQ(one.toEpoch(1000), 51000);
  EXPECT_EQ(one.toEpoch(5), 50005);
  EXPECT_EQ(one.anchorCount(), 1u);
}

TEST(ClockMapTest, PiecewiseLinearBetweenAnchorsAndExtendedBeyond) {
  // Segment 1: clock 0..1000 -> epoch 0..2000 (slope 2); segment 2: clock
  // 1000..2000 -> epoch 2000..2500 (slope 0.5). Given out of order.
  ClockMap m({{2000, 2500}, {0, 0}, {1000, 2000}});
  EXPECT_EQ(m.toEpoch(0), 0);
  EXPECT_EQ(m.toEpoch(500), 1000);
  EXPECT_EQ(m.toEpoch(1000), 2000);
  EXPECT_EQ(m.toEpoch(1500), 2250);
  EXPECT_EQ(m.toEpoch(2000), 2500);
  // Before the first anchor: segment 1 extended; after the last: segment 2.
  EXPECT_EQ(m.toEpoch(-100), -200);
  EXPECT_EQ(m.toEpoch(3000), 3000);
}

TEST(ClockMapTest, AnchorsThatDoNotIncreaseInBothClocksAreDropped) {
  // {1500, 1900}: epoch went back (a CLOCK_REALTIME step); {1000, 2100}: a
  // second reading at the same clock. Both dropped: one segment remains.
  ClockMap m({{0, 0}, {1000, 2000}, {1000, 2100}, {1500, 1900}});
  EXPECT_EQ(m.anchorCount(), 2u);
  EXPECT_EQ(m.toEpoch(1500), 3000);
}

TEST(ClockMapTest, RecordingAnchorsStartWithTheProcessFrame) {
  Recording r;
  r.process.push_back({1, 0, 10, 1010, "p"});
  r.clock_anchors.push_back({20, 1021});
  std::vector<ClockAnchor> a = recordingAnchors(r);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].epoch_ns, 1010);
  EXPECT_EQ(a[1].clock_ns, 20);
  EXPECT_TRUE(recordingAnchors(Recording{}).empty());
}

}  // namespace
}  // namespace gpuscope::tracer
