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

TEST(PassGroups, FirstFitKeepsEveryGroupToOnePass) {
  const std::vector<int> cost = {6, 5, 4, 3, 2, 7};
  size_t probes = 0;
  auto groups = groupByPass(cost.size(), [&](const std::vector<size_t>& g) {
    ++probes;
    return fakePasses(cost, g);
  });
  // 6+4 | 5+3+2 | 7: metric 2 goes back to the first group, 4 to the second.
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0], (std::vector<size_t>{0, 2}));
  EXPECT_EQ(groups[1], (std::vector<size_t>{1, 3, 4}));
  EXPECT_EQ(groups[2], (std::vector<size_t>{5}));
  for (const auto& g : groups) EXPECT_EQ(fakePasses(cost, g), 1u);
  // Each metric alone (6), then 1: {0,1}; 2: {0,2}; 3: {0,2,3} {1,3};
  // 4: {0,2,4} {1,3,4}; 5: {0,2,5} {1,3,4,5}.
  EXPECT_EQ(probes, 6u + 8u);
}

TEST(PassGroups, MetricsThatNeedSeveralPassesShareOneConfiguration) {
  const std::vector<int> cost = {25, 1, 12, 1};
  auto groups = groupByPass(cost.size(), [&](const std::vector<size_t>& g) { return fakePasses(cost, g); });
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0], (std::vector<size_t>{0, 2}));
  EXPECT_EQ(groups[1], (std::vector<size_t>{1, 3}));
}

TEST(PassGroups, AMetricThatCannotBeConfiguredAloneStaysWithTheMultiPassOnes) {
  // passes_of 0: CUPTI could not build the configuration.
  auto groups = groupByPass(3, [](const std::vector<size_t>& g) { return g[0] == 1 ? size_t{0} : size_t{1}; });
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0], (std::vector<size_t>{1}));
  EXPECT_EQ(groups[1], (std::vector<size_t>{0, 2}));
}

}  // namespace
}  // namespace gpuscope::profiler::inject
