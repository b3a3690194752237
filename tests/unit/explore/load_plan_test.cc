// Loading: TREx's pipeline steps and clear errors for malformed or foreign JSON.
#include <gtest/gtest.h>

#include "fixtures/engine_fixture.h"
#include "explore/engine_plan.h"
#include "test_paths.h"

namespace gpuscope::explore {
namespace {

StatusOr<EnginePlan> loadText(const std::string& dir, const std::string& text, const std::string& profile = "") {
  std::string g = dir + "/x.graph.json";
  EXPECT_TRUE(testing::writeTextFile(g, text));
  LoadOptions o;
  o.graph = g;
  if (!profile.empty()) {
    o.profile = dir + "/x.profile.json";
    EXPECT_TRUE(testing::writeTextFile(o.profile, profile));
  }
  return loadEnginePlan(o);
}

std::string layer(const std::string& name, const std::string& type, const std::string& in, const std::string& out,
                  const std::string& extra = "") {
  auto t = [](const std::string& n) {
    return R"({"Name": ")" + n + R"(", "Dimensions": [2, 4], "Format/Datatype": "Row major linear FP32"})";
  };
  std::string ins = in.empty() ? "" : t(in);
  return R"({"Name": ")" + name + R"(", "LayerType": ")" + type + R"(", "Inputs": [)" + ins + R"(], "Outputs": [)" +
         t(out) + "]" + extra + "}";
}

TEST(ExploreLoad, MalformedJsonNamesFileAndByte) {
  std::string dir = test::scratchDir();
  auto p = loadText(dir, "{\"Layers\": [ {\"Name\": \"a\",, } ]}");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(p.status().message().find(dir + "/x.graph.json:byte 26: malformed JSON"), std::string::npos)
      << p.status().message();
}

TEST(ExploreLoad, ForeignJsonIsRejectedWithHint) {
  std::string dir = test::scratchDir();
  auto p = loadText(dir, R"([{ "count" : 10 }, { "name" : "a", "timeMs" : 1, "averageMs" : 0.1, "percentage" : 100 }])");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("looks like a --exportProfile file"), std::string::npos) << p.status().message();
  p = loadText(dir, R"({"Version": 11, "Nodes": []})");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("expected an object with a \"Layers\" array"), std::string::npos);
  p = loadText(dir, R"({"Layers": [{"Name": "a", "LayerType": "X", "Inputs": [{"Name": "t", "Dimensions": "1x2"}]}]})");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("layer 'a' Inputs[0]: \"Dimensions\" is not an array"), std::string::npos)
      << p.status().message();
  p = loadText(dir, R"({"Layers": ["a", {"Name": "b"}]})");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("layer 1: expected a layer name string"), std::string::npos);
}

TEST(ExploreLoad, UnknownTypesKeptSignalWaitShapeCallDropped) {
  std::string dir = test::scratchDir();
  std::string g = "{\"Layers\": [" + layer("a", "FancyNewLayer2030", "in", "t1") + "," +
                  layer("s", "signal", "t1", "t1s") + "," + layer("w", "wait", "t1s", "t1w") + "," +
                  layer("sc", "shape_call", "", "shp") + "," + layer("b", "kgen", "t1", "out") +
                  "], \"Bindings\": [\"in\", \"out\"]}";
  auto p = loadText(dir, g);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->layers.size(), 2u);
  EXPECT_EQ(p->layers[0].type, "FancyNewLayer2030");
  EXPECT_EQ(p->layers[0].tactic, "TensorRT");
  EXPECT_EQ(p->layers[1].type, "kgen");
  EXPECT_DOUBLE_EQ(p->layers[0].io_bytes, 2 * 8 * 4);
}

TEST(ExploreLoad, DuplicateNamesProfilesAndSeparators) {
  std::string dir = test::scratchDir();
  std::string g = "{\"Layers\": [" + layer("a", "X", "in", "t1") + "," + layer("a", "X", "t1", "t2") + "," +
                  layer("a", "X", "t2", "t3") + "," + layer("a [profile 1]", "X", "in [profile 1]", "o [profile 1]") +
                  "," + layer("m\x1e" "n", "X", "t3", "t4") + "," + layer("p\\u001fq", "X", "t4", "out") +
                  "], \"Bindings\": [\"in\", \"out\", \"in [profile 1]\"]}";
  auto p = loadText(dir, g);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->layers.size(), 5u);
  EXPECT_EQ(p->layers[4].name, "p+q");
  EXPECT_EQ(p->layers[1].name, "a_2");
  EXPECT_EQ(p->layers[2].name, "a_3");
  EXPECT_EQ(p->layers[3].name, "m+n");
  EXPECT_EQ(p->bindings.size(), 2u);
  LoadOptions o;
  o.graph = dir + "/x.graph.json";
  o.profile_id = 1;
  auto p1 = loadEnginePlan(o);
  ASSERT_TRUE(p1.ok()) << p1.status().message();
  ASSERT_EQ(p1->layers.size(), 1u);
  EXPECT_EQ(p1->layers[0].name, "a [profile 1]");
  o.profile_id = 2;
  EXPECT_FALSE(loadEnginePlan(o).ok());
}

TEST(ExploreLoad, NoOpFoldingAndConstants) {
  std::string dir = test::scratchDir();
  std::string g = "{\"Layers\": [" + layer("c", "Constant", "", "k") + "," + layer("a", "X", "in", "t1") + "," +
                  layer("n1", "NoOp", "t1", "t1v") + "," + layer("b", "X", "t1v", "t2") + "," +
                  layer("n2", "NoOp", "t2", "out") + "], \"Bindings\": [\"in\", \"out\"]}";
  auto p = loadText(dir, g);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->layers.size(), 2u);
  ASSERT_EQ(p->constants.size(), 1u);
  EXPECT_EQ(p->layers[1].graph_inputs[0].name, "t1");    // consumer of a NoOp reads its input
  EXPECT_EQ(p->layers[1].graph_outputs[0].name, "out");  // leaf NoOp hands its binding to the producer
  // The exported view is untouched (TREx's data frame keeps the raw tensors).
  EXPECT_EQ(p->layers[1].inputs[0].name, "t1v");
  EXPECT_EQ(p->layers[1].outputs[0].name, "t2");
}

TEST(ExploreLoad, ProfileJoinPositionalAndByName) {
  std::string dir = test::scratchDir();
  std::string g = "{\"Layers\": [" + layer("a", "X", "in", "t1") + "," + layer("c", "Constant", "", "k") + "," +
                  layer("b", "X", "t1", "out") + "], \"Bindings\": [\"in\", \"out\"]}";
  std::string prof = R"([{ "count" : 4 },
    { "name" : "a", "timeMs" : 4, "averageMs" : 1, "medianMs" : 0.9, "percentage" : 25 },
    { "name" : "c", "timeMs" : 0, "averageMs" : 0, "medianMs" : 0, "percentage" : 0 },
    { "name" : "b", "timeMs" : 12, "averageMs" : 3, "medianMs" : 3, "percentage" : 75 }])";
  auto p = loadText(dir, g, prof);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->profile_iterations, 4);
  EXPECT_DOUBLE_EQ(p->layers[0].avg_ms, 1);
  EXPECT_DOUBLE_EQ(p->layers[0].median_ms, 0.9);
  EXPECT_DOUBLE_EQ(p->layers[1].avg_ms, 3);
  EXPECT_TRUE(p->warnings.empty());
  // An extra record (TRT 10's dummy shape call) forces the join by name.
  std::string prof2 = R"([{ "name" : "dummy_shape_call", "timeMs" : 1, "averageMs" : 1, "medianMs" : 1, "percentage" : 1 },
    { "name" : "b", "timeMs" : 12, "averageMs" : 3, "medianMs" : 3, "percentage" : 75 }])";
  p = loadText(dir, g, prof2);
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ(p->layers[0].avg_ms, 0);
  EXPECT_DOUBLE_EQ(p->layers[1].avg_ms, 3);
  ASSERT_EQ(p->warnings.size(), 1u);
  EXPECT_NE(p->warnings[0].find("partial profiling data"), std::string::npos);
  p = loadText(dir, g, R"({"Layers": []})");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("x.profile.json: expected a JSON array"), std::string::npos);
}

TEST(ExploreLoad, NamesOnlyExportWithProfile) {
  GS_REQUIRE_SHARED_TRT();
  LoadOptions o;
  o.graph = test::verboseLogDir() + "layer_info.json";
  o.profile = test::verboseLogDir() + "profile.json";
  auto p = loadEnginePlan(o);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_FALSE(p->detailed);
  // 86 names; "(Unnamed Layer* N) [Constant]" entries are constants.
  EXPECT_EQ(p->layers.size() + p->constants.size(), 86u);
  EXPECT_EQ(p->layers[0].type, "TrainStation");
  EXPECT_TRUE(p->has_profile);
  EXPECT_DOUBLE_EQ(p->layers[0].avg_ms, 1.52);
}

}  // namespace
}  // namespace gpuscope::explore
