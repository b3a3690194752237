// The statistics themselves, against hand computations and against figures
// printed by a real `nsys stats` run (reference/nsys.md §3.1).
#include "stats/summary.h"

#include <gtest/gtest.h>

#include <vector>

namespace gpuscope::stats {
namespace {

TEST(Summarize, HandComputedEvenCount) {
  std::vector<int64_t> v = {10, 1, 3, 2};
  SummaryStats s = summarize(v);
  EXPECT_EQ(s.count, 4);
  EXPECT_EQ(s.total, 16);
  EXPECT_DOUBLE_EQ(s.mean, 4.0);
  EXPECT_DOUBLE_EQ(s.median, 2.5);  // mean of the two middle values 2 and 3
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 10);
  // deviations -3,-2,-1,6: (9+4+1+36)/(4-1) = 50/3
  EXPECT_NEAR(s.stddev, 4.0824829046, 1e-9);
}

TEST(Summarize, OddCountAndSingleValue) {
  std::vector<int64_t> v = {7, 1, 4};
  SummaryStats s = summarize(v);
  EXPECT_DOUBLE_EQ(s.median, 4.0);
  EXPECT_NEAR(s.stddev, 3.0, 1e-12);  // deviations -3,3,0: 18/2 = 9
  std::vector<int64_t> one = {42};
  SummaryStats t = summarize(one);
  EXPECT_EQ(t.count, 1);
  EXPECT_DOUBLE_EQ(t.stddev, 0.0);
  EXPECT_DOUBLE_EQ(t.median, 42.0);
}

TEST(Summarize, MatchesPublishedNsysFigures) {
  // sem_wait, 2 calls: StdDev 233,376,198.5 (sample, not population).
  std::vector<int64_t> sem = {2971823, 333015608};
  SummaryStats s = summarize(sem);
  EXPECT_NEAR(s.stddev, 233376198.5, 0.05);
  EXPECT_DOUBLE_EQ(s.median, 167993715.5);
  // cudaDeviceSynchronize, 0 and 6,041 ns: StdDev 4,271.6.
  std::vector<int64_t> sync = {0, 6041};
  EXPECT_NEAR(summarize(sync).stddev, 4271.6, 0.05);
}

TEST(SummarizeGroups, EachGroupOnItsOwn) {
  std::vector<int64_t> values = {5, 1, 7, 3, 9};
  std::vector<uint32_t> group = {1, 0, 1, 0, 2};
  std::vector<SummaryStats> s = summarizeGroups(values, group, 4);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].total, 4);
  EXPECT_DOUBLE_EQ(s[0].median, 2.0);
  EXPECT_EQ(s[1].total, 12);
  EXPECT_EQ(s[1].min, 5);
  EXPECT_EQ(s[2].count, 1);
  EXPECT_EQ(s[3].count, 0);  // an empty group
}

TEST(PercentOf, RoundsToOneDecimal) {
  EXPECT_DOUBLE_EQ(percentOf(20, 46), 43.5);  // 43.478...
  EXPECT_DOUBLE_EQ(percentOf(16, 46), 34.8);  // 34.782...
  EXPECT_DOUBLE_EQ(percentOf(1, 3), 33.3);
  EXPECT_DOUBLE_EQ(percentOf(0, 0), 0.0);
}

}  // namespace
}  // namespace gpuscope::stats
