// The metric grouping of user replay (src/profiler/inject/pass_groups.h)
// with a fake pass count: each metric has a counter cost, a pass holds 10.
#include <gtest/gtest.h>

#include <vector>

#include "profiler/inject/pass_groups.h"

namespace gpuscope::profiler::inject {
namespace {

size_t fakePasses(const std::vector<int>& cost, const std::vector<size_t>& group) {
  int sum = 0;
  for (size_t m : group) sum += cost[m];
  return static_cast<size_t>((sum + 9) / 10);
}

TEST(PassGroups, OnePassGroupFirstFitTheRestInOneConfiguration) {
  const std::vector<int> cost = {6, 5, 4, 3, 2, 7};
  size_t probes = 0;
  auto groups = groupByPass(cost.size(), [&](const std::vector<size_t>& g) {
    ++probes;
    return fakePasses(cost, g);
  });
  // 6, then 5 does not fit (11), 4 does (10); 3, 2 and 7 no longer fit.
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0], (std::vector<size_t>{1, 3, 4, 5}));
  EXPECT_EQ(groups[1], (std::vector<size_t>{0, 2}));
  EXPECT_EQ(fakePasses(cost, groups[1]), 1u);
  EXPECT_EQ(probes, cost.size());  // one probe per metric
}

TEST(PassGroups, MetricsThatNeedSeveralPassesShareOneConfiguration) {
  const std::vector<int> cost = {25, 1, 12, 1};
  auto groups = groupByPass(cost.size(), [&](const std::vector<size_t>& g) { return fakePasses(cost, g); });
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0], (std::vector<size_t>{0, 2}));
  EXPECT_EQ(groups[1], (std::vector<size_t>{1, 3}));
}

TEST(PassGroups, AMetricThatCannotBeConfiguredStaysWithTheRest) {
  // passes_of 0: CUPTI could not build the configuration.
  auto groups = groupByPass(3, [](const std::vector<size_t>& g) {
    for (size_t m : g)
      if (m == 1) return size_t{0};
    return size_t{1};
  });
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0], (std::vector<size_t>{1}));
  EXPECT_EQ(groups[1], (std::vector<size_t>{0, 2}));
}

TEST(PassGroups, OneGroupWhenEverythingFitsOnePassOrNothingDoes) {
  const std::vector<int> small = {3, 3, 3};
  EXPECT_EQ(groupByPass(3, [&](const std::vector<size_t>& g) { return fakePasses(small, g); }).size(), 1u);
  const std::vector<int> large = {11, 15};
  auto groups = groupByPass(2, [&](const std::vector<size_t>& g) { return fakePasses(large, g); });
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0], (std::vector<size_t>{0, 1}));
}

}  // namespace
}  // namespace gpuscope::profiler::inject
