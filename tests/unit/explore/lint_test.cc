// Linters: TREx's counts on its fixture (reference/trex.md §11) and ours on
// generated engines whose problems are placed by the spec.
#include <gtest/gtest.h>

#include <map>

#include "fixtures/engine_fixture.h"
#include "explore/lint.h"
#include "test_paths.h"

namespace gpuscope::explore {
namespace {

std::map<std::string, int> countBy(const std::vector<LintFinding>& fs, bool by_hazard) {
  std::map<std::string, int> m;
  for (const auto& f : fs) m[by_hazard ? f.hazard : f.linter]++;
  return m;
}

TEST(ExploreLint, MobilenetQatMatchesTrex) {
  GS_REQUIRE_SHARED_TRT();
  LoadOptions o;
  o.graph = test::trexInput("mobilenet.qat.onnx.engine.graph.json");
  auto plan = loadEnginePlan(o);
  ASSERT_TRUE(plan.ok());
  LintOptions lo;
  lo.trex_only = true;
  auto fs = lintPlan(*plan, lo);
  auto by = countBy(fs, false);
  EXPECT_EQ(by["conv"], 37);
  EXPECT_EQ(by["reformat"], 17);
  EXPECT_EQ(by["slice"], 0);
  EXPECT_EQ(by["qdq"], 0);
  int fp16_int8 = 0, fp32_int8 = 0;
  for (const auto& f : fs)
    if (f.linter == "reformat") {
      EXPECT_EQ(f.details[0].second, "QDQ");
      fp16_int8 += f.details[1].second == "FP16 -> Int8";
      fp32_int8 += f.details[1].second == "FP32 -> Int8";
    }
  EXPECT_EQ(fp16_int8, 13);
  EXPECT_EQ(fp32_int8, 4);
  // The last check wins per layer: count each check independently by hand.
  int tc = 0, mixed = 0, align = 0;
  for (const Layer& l : plan->layers) {
    if (l.type != "Convolution") continue;
    bool accel = l.tactic.find("xmma") != std::string::npos || l.tactic.find("imma") != std::string::npos ||
                 l.tactic.find("hmma") != std::string::npos || l.tactic.find("i88") != std::string::npos ||
                 l.tactic.find("884") != std::string::npos;
    tc += l.precision != "FP32" && !accel;
    mixed += l.precision == "INT8" && l.inputs[0].format.rfind("Int8", 0) == 0 && l.outputs[0].format.rfind("Int8", 0) != 0;
    int64_t c = l.inputs[0].dims[1], k = l.outputs[0].dims[1], a = l.precision == "INT8" ? 16 : 8;
    align += (c % a) || (k % a);
  }
  EXPECT_EQ(tc, 18);
  EXPECT_EQ(mixed, 17);
  EXPECT_EQ(align, 6);
  auto hz = countBy(fs, true);
  EXPECT_GT(hz["Convolution channels are not optimally aligned."], 0);
}

TEST(ExploreLint, OursOnGeneratedEngine) {
  testing::EngineFixtureSpec spec;
  spec.blocks = 9;
  spec.channels = 12;  // 12 % 8 != 0: every conv is misaligned; 12x12 in 16x16 tiles wastes 44%
  auto n = testing::engineFixtureCounts(spec);
  std::string dir = test::scratchDir();
  ASSERT_TRUE(testing::writeTextFile(dir + "/e.graph.json", testing::makeEngineGraphJson(spec)));
  LoadOptions o;
  o.graph = dir + "/e.graph.json";
  auto plan = loadEnginePlan(o);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  auto fs = lintPlan(*plan);
  auto by = countBy(fs, false);
  EXPECT_EQ(by["conv"], n.convs);  // every conv misaligned (alignment replaces tc)
  // Reformats converting types: the input reformat and both island reformats.
  EXPECT_EQ(by["reformat"], 1 + 2 * n.islands);
  // Each island's Shuffle, except an island in the last block: nothing reduced-precision follows it.
  bool last_is_island = (spec.blocks - 1) % spec.island_every == spec.island_every - 1;
  EXPECT_EQ(by["fp32-island"], n.islands - (last_is_island ? 1 : 0));
  EXPECT_EQ(by["unfused-pointwise"], n.convs);    // each pw reads its conv's only output
  EXPECT_EQ(by["channel-padding"], n.convs);
  EXPECT_EQ(by["reformat-chain"], 0);
  spec.channels = 16;
  spec.island_every = 0;
  ASSERT_TRUE(testing::writeTextFile(dir + "/e.graph.json", testing::makeEngineGraphJson(spec)));
  plan = loadEnginePlan(o);
  ASSERT_TRUE(plan.ok());
  fs = lintPlan(*plan);
  by = countBy(fs, false);
  EXPECT_EQ(by["conv"], testing::engineFixtureCounts(spec).slow_convs);  // tc hazard only
  EXPECT_EQ(by["fp32-island"], 0);
  EXPECT_EQ(by["channel-padding"], 0);
}

TEST(ExploreLint, ReformatChain) {
  std::string dir = test::scratchDir();
  auto t = [](const std::string& n, const char* f) {
    return R"({"Name": ")" + n + R"(", "Dimensions": [1, 8, 4, 4], "Format/Datatype": ")" + f + "\"}";
  };
  std::string g = R"({"Layers": [{"Name": "r1", "LayerType": "Reformat", "ParameterType": "Reformat", "Inputs": [)" +
                  t("in", "Row major linear FP32") + "], \"Outputs\": [" + t("a", "Row major linear FP16 format") +
                  R"(]}, {"Name": "r2", "LayerType": "Reformat", "ParameterType": "Reformat", "Inputs": [)" +
                  t("a", "Row major linear FP16 format") + "], \"Outputs\": [" +
                  t("out", "Channel major FP16 format where channel % 8 == 0") + "]}], \"Bindings\": [\"in\", \"out\"]}";
  ASSERT_TRUE(testing::writeTextFile(dir + "/g.json", g));
  LoadOptions o;
  o.graph = dir + "/g.json";
  auto plan = loadEnginePlan(o);
  ASSERT_TRUE(plan.ok());
  auto fs = lintPlan(*plan);
  auto by = countBy(fs, false);
  EXPECT_EQ(by["reformat-chain"], 1);
  EXPECT_EQ(by["reformat"], 1);  // r2 keeps FP16: layout change only
}

}  // namespace
}  // namespace gpuscope::explore
