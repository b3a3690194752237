// Layer graph: DOT structure counted against the plan, rendering through
// libgvc, escaping of hostile names, and the collapsed view of big engines.
#include <gtest/gtest.h>

#include <regex>

#include "fixtures/engine_fixture.h"
#include "explore/graph.h"
#include "test_paths.h"

namespace gpuscope::explore {
namespace {

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
  return n;
}

// Node statements of the DOT text whose id starts with `prefix` (edges excluded).
size_t nodes(const std::string& dot, const std::string& prefix) {
  std::regex re("\n  \"" + prefix + "[^\"]*\" \\[label=");
  return size_t(std::distance(std::sregex_iterator(dot.begin(), dot.end(), re), std::sregex_iterator()));
}

EnginePlan generated(const testing::EngineFixtureSpec& spec, const std::string& dir) {
  EXPECT_TRUE(testing::writeTextFile(dir + "/e.graph.json", testing::makeEngineGraphJson(spec)));
  LoadOptions o;
  o.graph = dir + "/e.graph.json";
  auto p = loadEnginePlan(o);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return std::move(p).value();
}

TEST(ExploreGraph, DotHasOneNodePerLayerAndEdgePerTensorUse) {
  testing::EngineFixtureSpec spec;
  spec.blocks = 5;
  auto n = testing::engineFixtureCounts(spec);
  EnginePlan plan = generated(spec, test::scratchDir());
  GraphOptions o;
  std::string dot = planToDot(plan, o);
  // Layer nodes "L<i>" and two binding nodes.
  EXPECT_EQ(nodes(dot, "L"), size_t(n.layers));
  EXPECT_EQ(nodes(dot, "B_"), 2u);
  // A chain: every layer reads one tensor, plus the edge into the output binding.
  EXPECT_EQ(count(dot, " -> "), size_t(n.layers + 1));
  EXPECT_NE(dot.find("label=\"[1, 16, 8, 8]\\nFP16 NHWC8\""), std::string::npos);
  EXPECT_NE(dot.find("fillcolor=\"#4682B4\""), std::string::npos);  // Convolution colour
  o.hide_reformats = true;
  dot = planToDot(plan, o);
  EXPECT_EQ(nodes(dot, "L"), size_t(n.layers - n.reformats));
  EXPECT_EQ(count(dot, " -> "), size_t(n.layers - n.reformats + 1));
  o.coloring = GraphColoring::kPrecision;
  o.show_constants = true;
  dot = planToDot(plan, o);
  EXPECT_EQ(nodes(dot, "C"), size_t(n.constants));
  EXPECT_NE(dot.find("fillcolor=\"orange\""), std::string::npos);  // FP16
}

TEST(ExploreGraph, RendersSvgAndPngAndEscapesNames) {
  std::string dir = test::scratchDir();
  std::string g = R"J({"Layers": [{"Name": "a \"quoted\" <b>&amp; || x + PWN(y)", "LayerType": "Weird<Type>", "Inputs": [{"Name": "in", "Dimensions": [1, 4], "Format/Datatype": "Row major linear FP32"}], "Outputs": [{"Name": "out", "Dimensions": [1, 4], "Format/Datatype": "Row major linear FP32"}]}], "Bindings": ["in", "out"]})J";
  ASSERT_TRUE(testing::writeTextFile(dir + "/g.json", g));
  LoadOptions lo;
  lo.graph = dir + "/g.json";
  auto plan = loadEnginePlan(lo);
  ASSERT_TRUE(plan.ok());
  std::string dot = planToDot(*plan, {});
  EXPECT_NE(dot.find("Weird&lt;Type&gt;"), std::string::npos);
  EXPECT_NE(dot.find("&lt;b&gt;&amp;amp;"), std::string::npos);
  auto svg = renderDot(dot, "svg");
  ASSERT_TRUE(svg.ok()) << svg.status().message();
  EXPECT_NE(svg->find("<svg"), std::string::npos);
  EXPECT_NE(svg->find("Weird&lt;Type&gt;"), std::string::npos);
  auto png = renderDot(dot, "png");
  ASSERT_TRUE(png.ok());
  ASSERT_GT(png->size(), 8u);
  EXPECT_EQ(png->substr(1, 3), "PNG");
  EXPECT_FALSE(renderDot(dot, "nonsense-format").ok());
}

TEST(ExploreGraph, MobilenetGraphRenders) {
  GS_REQUIRE_SHARED_TRT();
  LoadOptions lo;
  lo.graph = test::trexInput("mobilenet.qat.onnx.engine.graph.json");
  auto plan = loadEnginePlan(lo);
  ASSERT_TRUE(plan.ok());
  auto svg = renderDot(planToDot(*plan, {}), "svg");
  ASSERT_TRUE(svg.ok());
  EXPECT_EQ(count(*svg, "class=\"node\""), 72u + 2u);  // layers + two bindings
  EXPECT_NE(svg->find("QuantizeLinear_2"), std::string::npos);
}

TEST(ExploreGraph, BigEnginesCollapse) {
  testing::EngineFixtureSpec spec;
  spec.blocks = 1200;  // > 3000 layers: auto collapses
  EnginePlan plan = generated(spec, test::scratchDir());
  GraphOptions o;
  o.max_collapsed_nodes = 100;
  std::string dot = planToDot(plan, o);
  EXPECT_EQ(nodes(dot, "L"), 0u);
  size_t groups = nodes(dot, "G");
  EXPECT_GT(groups, 0u);
  EXPECT_LE(groups, 100u);
  auto svg = renderDot(dot, "svg");
  ASSERT_TRUE(svg.ok());
  o.collapse = GraphCollapse::kType;
  o.max_collapsed_nodes = 100000;
  dot = planToDot(plan, o);
  // Runs of one type: reformat, then conv/pw alternating with island runs.
  size_t groups_by_type = nodes(dot, "G");
  auto n = testing::engineFixtureCounts(spec);
  // Each island adds Reformat, Shuffle, Reformat: 3 runs; each block conv + pw: 2 runs.
  EXPECT_EQ(groups_by_type, size_t(1 + 2 * spec.blocks + 3 * n.islands));
}

}  // namespace
}  // namespace gpuscope::explore
