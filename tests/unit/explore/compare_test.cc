// Engine comparison: TREx's alignment test vector (tests/test_compare_engines.py,
// reference/trex.md §10) and ours (names first) on generated engines.
#include <gtest/gtest.h>

#include "fixtures/engine_fixture.h"
#include "explore/compare.h"
#include "test_paths.h"

namespace gpuscope::explore {
namespace {

TEST(ExploreCompare, TrexAlignmentOfItsFixtures) {
  GS_REQUIRE_SHARED_TRT();
  LoadOptions o;
  o.graph = test::trexInput("mobilenet.qat.onnx.engine.graph.json");
  auto a = loadEnginePlan(o);
  o.graph = test::trexInput("mobilenet_v2_residuals.qat.onnx.engine.graph.json");
  auto b = loadEnginePlan(o);
  ASSERT_TRUE(a.ok() && b.ok());
  auto pairs = matchLayersTrex(*a, *b, false);
  std::vector<LayerPair> expected{{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5},
                                  {6, 6}, {8, 7}, {7, std::nullopt}, {9, 8}};
  ASSERT_GE(pairs.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(pairs[i], expected[i]) << "pair " << i;
  // Every layer of both plans appears exactly once.
  std::vector<int> seen_a(a->layers.size()), seen_b(b->layers.size());
  for (const auto& [i, j] : pairs) {
    if (i) seen_a[*i]++;
    if (j) seen_b[*j]++;
  }
  for (int c : seen_a) EXPECT_EQ(c, 1);
  for (int c : seen_b) EXPECT_EQ(c, 1);
}

TEST(ExploreCompare, NamesFirstThenSignatures) {
  std::string dir = test::scratchDir();
  testing::EngineFixtureSpec s1, s2;
  s1.blocks = s2.blocks = 6;
  s2.island_every = 0;  // engine 2 has no FP32 islands
  ASSERT_TRUE(testing::writeTextFile(dir + "/a.graph.json", testing::makeEngineGraphJson(s1)));
  ASSERT_TRUE(testing::writeTextFile(dir + "/b.graph.json", testing::makeEngineGraphJson(s2)));
  LoadOptions o;
  o.graph = dir + "/a.graph.json";
  auto a = loadEnginePlan(o);
  o.graph = dir + "/b.graph.json";
  auto b = loadEnginePlan(o);
  ASSERT_TRUE(a.ok() && b.ok());
  auto pairs = alignLayers(*a, *b, false);
  size_t both = 0, only_a = 0, only_b = 0;
  for (const auto& [i, j] : pairs) {
    if (i && j) {
      ++both;
      EXPECT_EQ(a->layers[*i].name, b->layers[*j].name);
    }
    only_a += i && !j;
    only_b += !i && j;
  }
  auto n1 = testing::engineFixtureCounts(s1);
  EXPECT_EQ(both, size_t(n1.layers - 3 * n1.islands));  // island layers exist only in a
  EXPECT_EQ(only_a, size_t(3 * n1.islands));
  EXPECT_EQ(only_b, 0u);
  // Pairs come in a's order.
  std::optional<size_t> last;
  for (const auto& [i, j] : pairs) {
    if (!i) continue;
    if (last) {
      EXPECT_GT(*i, *last);
    }
    last = i;
  }
  CompareOptions co;
  co.changed_only = true;
  std::vector<EnginePlan> plans{*a, *b};
  auto tables = comparePlans(plans, co);
  ASSERT_EQ(tables.size(), 4u);
  EXPECT_EQ(tables[3].rows.size(), size_t(3 * n1.islands));  // unchanged layers filtered out
  EXPECT_EQ(tables[0].rows.size(), 2u);
  EXPECT_EQ(tables[0].rows[1][0], Cell(std::string("b.graph.json")));
}

}  // namespace
}  // namespace gpuscope::explore
