// Timeline rows, lanes, correlation links, layer bands and idle gaps of the
// hand trace (hand_trace.h states every expected number).
#include "report/timeline_data.h"

#include <gtest/gtest.h>

#include "report/page_data.h"
#include "unit/report/hand_trace.h"

namespace gpuscope::report {
namespace {

using testing::kHostile;
using testing::makeHandTrace;

int findTrack(const TimelineData& d, const std::string& name) {
  for (size_t i = 0; i < d.tracks.size(); ++i)
    if (d.tracks[i].name == name) return static_cast<int>(i);
  return -1;
}
TimelineOptions gap(int64_t ns) {
  TimelineOptions o;
  o.gap_min_ns = ns;
  return o;
}

TEST(NestingDepths, NestedSiblingsAndPartialOverlap) {
  // [0,100) contains [10,20) and [20,50); [30,40) nests in [20,50);
  // [90,150) overlaps [0,100) without nesting: one lane deeper.
  std::vector<int64_t> s = {0, 10, 20, 30, 90}, e = {100, 20, 50, 40, 150};
  EXPECT_EQ(nestingDepths(s, e), (std::vector<uint16_t>{0, 1, 1, 2, 1}));
  // Zero-length marks hold no lane.
  EXPECT_EQ(nestingDepths({0, 0, 0}, {0, 0, 5}), (std::vector<uint16_t>{0, 0, 0}));
}

TEST(Timeline, TracksInDeviceThenThreadOrder) {
  model::Trace t = makeHandTrace();
  TimelineData d = buildTimeline(t, gap(10'000));
  std::vector<std::string> names;
  for (const Track& tr : d.tracks) names.push_back(tr.name);
  EXPECT_EQ(names, (std::vector<std::string>{"utilisation", "stream 7 layers", "stream 7", "stream 8", "NVTX",
                                             "CUDA API"}));
  EXPECT_EQ(d.tracks[0].group, "GPU 0 (TestGPU)");
  EXPECT_EQ(d.tracks[4].group, "process 100 (app) · thread 101 (main)");
  EXPECT_EQ(d.t0, 800);
  EXPECT_EQ(d.t1, 61000);
  // 3 busy + 2 idle, 2 layer bands, 3 ops on stream 7, 1 on stream 8, 2 NVTX, 3 API.
  EXPECT_EQ(d.size(), 5u + 2 + 3 + 1 + 2 + 3);
  EXPECT_EQ(d.tracks[2].count, 3u);
  EXPECT_EQ(d.tracks[4].lanes, 2);
  EXPECT_EQ(d.tracks[2].lanes, 1);
}

TEST(Timeline, EventsSortedWithTimesAndDetails) {
  model::Trace t = makeHandTrace();
  TimelineData d = buildTimeline(t, {});
  int s7 = findTrack(d, "stream 7");
  const Track& tr = d.tracks[static_cast<size_t>(s7)];
  EXPECT_EQ(d.start[tr.first], 2000);
  EXPECT_EQ(d.dur[tr.first], 1000);
  EXPECT_EQ(d.strings[d.info[tr.first]], "grid 4x1x1, block 128x1x1");
  EXPECT_EQ(d.strings[d.name[tr.first + 1]], kHostile);
  EXPECT_EQ(d.start[tr.first + 2], 20000);
  EXPECT_EQ(d.kind[tr.first + 2], static_cast<uint8_t>(EventKind::kMemcpy));
  EXPECT_EQ(d.strings[d.name[tr.first + 2]], "Memcpy HtoD");
  EXPECT_EQ(d.strings[d.info[tr.first + 2]], "4.10 kB");
}

TEST(Timeline, CorrelationLinksSamePidOnly) {
  model::Trace t = makeHandTrace();
  TimelineData d = buildTimeline(t, {});
  int s7 = findTrack(d, "stream 7"), s8 = findTrack(d, "stream 8"), api = findTrack(d, "CUDA API");
  uint32_t k0 = d.tracks[static_cast<size_t>(s7)].first;
  uint32_t a0 = d.tracks[static_cast<size_t>(api)].first;
  EXPECT_EQ(d.link[k0], static_cast<int32_t>(a0));
  EXPECT_EQ(d.link[a0], static_cast<int32_t>(k0));
  EXPECT_EQ(d.link[k0 + 1], static_cast<int32_t>(a0 + 1));
  EXPECT_EQ(d.link[a0 + 1], static_cast<int32_t>(k0 + 1));
  EXPECT_EQ(d.link[k0 + 2], static_cast<int32_t>(a0 + 2));  // memcpy -> cudaMemcpyAsync
  // Correlation id 1 in process 999 has no call: no link, although pid
  // 100 has an id 1.
  EXPECT_EQ(d.link[d.tracks[static_cast<size_t>(s8)].first], -1);
  int nvtx = findTrack(d, "NVTX");
  EXPECT_EQ(d.link[d.tracks[static_cast<size_t>(nvtx)].first], -1);
}

TEST(Timeline, LayersFromInnermostNvtxRangeOfTheLaunch) {
  model::Trace t = makeHandTrace();
  TimelineData d = buildTimeline(t, {});
  int s7 = findTrack(d, "stream 7"), bands = findTrack(d, "stream 7 layers");
  uint32_t k0 = d.tracks[static_cast<size_t>(s7)].first;
  EXPECT_EQ(d.strings[d.layer[k0]], "layer1");
  EXPECT_EQ(d.strings[d.layer[k0 + 1]], "outer");
  EXPECT_EQ(d.layer[k0 + 2], 0u);  // copies have no layer
  const Track& b = d.tracks[static_cast<size_t>(bands)];
  ASSERT_EQ(b.count, 2u);
  EXPECT_EQ(d.strings[d.name[b.first]], "layer1");
  EXPECT_EQ(d.start[b.first], 2000);
  EXPECT_EQ(d.dur[b.first], 1000);
  EXPECT_EQ(d.strings[d.name[b.first + 1]], "outer");
  EXPECT_EQ(d.start[b.first + 1], 3000);
  EXPECT_EQ(d.strings[d.info[b.first + 1]], "1 kernel");
}

TEST(Timeline, BusyIntervalsAndIdleGapsFromThreshold) {
  model::Trace t = makeHandTrace();
  TimelineData d = buildTimeline(t, gap(20'000));
  const Track& u = d.tracks[static_cast<size_t>(findTrack(d, "utilisation"))];
  std::vector<std::tuple<uint8_t, int64_t, int64_t>> got;
  for (uint32_t i = u.first; i < u.first + u.count; ++i) got.emplace_back(d.kind[i], d.start[i], d.dur[i]);
  const uint8_t busy = static_cast<uint8_t>(EventKind::kBusy), idle = static_cast<uint8_t>(EventKind::kIdle);
  // The 16500 ns gap is under 20 us; the 39000 ns one is shown.
  EXPECT_EQ(got, (std::vector<std::tuple<uint8_t, int64_t, int64_t>>{
                     {busy, 2000, 1500}, {busy, 20000, 1000}, {idle, 21000, 39000}, {busy, 60000, 1000}}));
}

TEST(Timeline, UtilisationBinsAreExactShares) {
  model::Trace t = makeHandTrace();
  TimelineData d = buildTimeline(t, {});
  size_t u = static_cast<size_t>(findTrack(d, "utilisation"));
  // Bins of 1000 ns over [2000, 6000): busy [2000,3500) -> 1, 0.5, 0, 0.
  std::vector<double> b = utilisationBins(d, u, 2000, 6000, 4);
  ASSERT_EQ(b.size(), 4u);
  EXPECT_DOUBLE_EQ(b[0], 1.0);
  EXPECT_DOUBLE_EQ(b[1], 0.5);
  EXPECT_DOUBLE_EQ(b[2], 0.0);
  EXPECT_DOUBLE_EQ(b[3], 0.0);
  // Over the whole span: 3500 busy ns of 59000 in one bin.
  std::vector<double> one = utilisationBins(d, u, 2000, 61000, 1);
  EXPECT_NEAR(one[0], 3500.0 / 59000.0, 1e-12);
}

TEST(Timeline, EmptyTrace) {
  model::Trace t;
  TimelineData d = buildTimeline(t, {});
  EXPECT_EQ(d.size(), 0u);
  EXPECT_TRUE(d.tracks.empty());
  ASSERT_FALSE(d.strings.empty());
  EXPECT_EQ(d.strings[0], "");
}

}  // namespace
}  // namespace gpuscope::report
