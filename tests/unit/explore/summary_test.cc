// Summary figures checked against an independent computation over the JSON
// (TREx's definitions applied by hand with nlohmann) and the figures TREx
// publishes for its fixtures (reference/trex.md §14).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "fixtures/engine_fixture.h"
#include "explore/summary.h"
#include "test_paths.h"

namespace gpuscope::explore {
namespace {

using test::trexInput;

struct HandFigures {
  int64_t layers = 0;
  double avg_ms = 0, weights = 0, activations = 0;
};

double bytesPerElement(const std::string& fmt) {
  if (fmt.find("Int8") != std::string::npos) return 1;
  if (fmt.find("FP16") != std::string::npos) return 2;
  if (fmt.find("FP32") != std::string::npos) return 4;
  ADD_FAILURE() << "unexpected format in fixture: " << fmt;
  return 0;
}

HandFigures handCompute(const std::string& graph_path, const std::string& profile_path) {
  nlohmann::json g = nlohmann::json::parse(std::ifstream(graph_path));
  nlohmann::json p = nlohmann::json::parse(std::ifstream(profile_path));
  HandFigures h;
  std::set<std::string> names;
  for (const auto& l : g["Layers"]) {
    std::string t = l["LayerType"];
    if (t == "Constant" || t == "NoOp") continue;
    ++h.layers;
    names.insert(l["Name"].get<std::string>());
    for (const char* side : {"Inputs", "Outputs"})
      for (const auto& x : l[side]) {
        double n = 1;
        for (const auto& d : x["Dimensions"]) n *= d.get<double>();
        h.activations += n * bytesPerElement(x["Format/Datatype"]);
      }
    if (l.contains("Weights")) {
      std::string wt = l["Weights"]["Type"];
      double s = wt == "Int8" ? 1 : wt == "Half" ? 2 : wt == "Float" ? 4 : 0;
      h.weights += l["Weights"]["Count"].get<double>() * s;
    }
  }
  for (const auto& r : p)
    if (r.contains("name") && names.count(r["name"].get<std::string>())) h.avg_ms += r["averageMs"].get<double>();
  return h;
}

std::string overviewValue(const Table& t, const std::string& key) {
  for (const auto& r : t.rows)
    if (std::get<std::string>(r[0]) == key) return std::get<std::string>(r[1]);
  return "<missing " + key + ">";
}

TEST(ExploreSummary, MobilenetQatMatchesHandComputationAndTrex) {
  GS_REQUIRE_SHARED_TRT();
  LoadOptions o;
  o.graph = trexInput("mobilenet.qat.onnx.engine.graph.json");
  auto plan = loadEnginePlan(o);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EngineSummary s = summarizePlan(*plan);
  HandFigures h = handCompute(o.graph, trexInput("mobilenet.qat.onnx.engine.profile.json"));
  EXPECT_EQ(s.layers, h.layers);
  EXPECT_EQ(s.layers, 72);
  EXPECT_NEAR(s.avg_ms, h.avg_ms, 1e-12);
  EXPECT_DOUBLE_EQ(s.weights_bytes, h.weights);
  EXPECT_DOUBLE_EQ(s.activation_bytes, h.activations);
  // Published by TREx (reference/trex.md §14).
  EXPECT_DOUBLE_EQ(s.weights_bytes, 3469760);
  EXPECT_DOUBLE_EQ(s.bias_bytes, 72224);
  EXPECT_DOUBLE_EQ(s.activation_bytes, 16629344);
  EXPECT_DOUBLE_EQ(s.unique_activation_bytes, 8385664);
  Table t = overviewTable(*plan, s);
  EXPECT_EQ(overviewValue(t, "Average time"), "0.470 ms");
  EXPECT_EQ(overviewValue(t, "Layers"), "72");
  EXPECT_EQ(overviewValue(t, "Weights"), "3.3 MB (3469760 B)");
  EXPECT_EQ(overviewValue(t, "Activations"), "15.9 MB (16629344 B)");
  EXPECT_EQ(overviewValue(t, "Input"), "input1: [1, 3, 224, 224]xFP32 NCHW");
  EXPECT_EQ(overviewValue(t, "Output"), "1179: [1, 1000]xFP32 NCHW");
  // By type and precision (reference/trex.md §14).
  ASSERT_EQ(s.by_type.size(), 3u);
  EXPECT_EQ(s.by_type[0].key, "Convolution");
  EXPECT_EQ(s.by_type[0].layers, 53);
  EXPECT_NEAR(s.by_type[0].avg_ms, 0.3833, 5e-5);
  EXPECT_NEAR(s.by_type[0].pct, 81.5, 0.05);
  EXPECT_EQ(s.by_type[1].key, "Reformat");
  EXPECT_EQ(s.by_type[1].layers, 18);
  EXPECT_EQ(s.by_type[2].key, "Pooling");
  std::map<std::string, int64_t> prec;
  for (const auto& g : s.by_precision) prec[g.key] = g.layers;
  EXPECT_EQ(prec["INT8"], 53);
  EXPECT_EQ(prec["FP16"], 15);
  EXPECT_EQ(prec["FP32"], 4);
  // Device and builder metadata found beside the graph.
  EXPECT_EQ(plan->device["Selected Device"], "NVIDIA TITAN RTX");
  EXPECT_EQ(plan->builder["Precision"], "FP32+FP16+INT8");
}

TEST(ExploreSummary, MobilenetResidualsMatchesHandComputation) {
  GS_REQUIRE_SHARED_TRT();
  LoadOptions o;
  o.graph = trexInput("mobilenet_v2_residuals.qat.onnx.engine.graph.json");
  auto plan = loadEnginePlan(o);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EngineSummary s = summarizePlan(*plan);
  HandFigures h = handCompute(o.graph, trexInput("mobilenet_v2_residuals.qat.onnx.engine.profile.json"));
  EXPECT_EQ(s.layers, h.layers);
  EXPECT_NEAR(s.avg_ms, h.avg_ms, 1e-12);
  EXPECT_DOUBLE_EQ(s.weights_bytes, h.weights);
  EXPECT_DOUBLE_EQ(s.activation_bytes, h.activations);
  Table t = overviewTable(*plan, s);
  EXPECT_EQ(overviewValue(t, "Layers"), "57");
  EXPECT_EQ(overviewValue(t, "Average time"), "0.356 ms");
  EXPECT_EQ(overviewValue(t, "Weights").substr(0, 6), "3.3 MB");
  EXPECT_EQ(overviewValue(t, "Activations").substr(0, 7), "14.2 MB");
}

TEST(ExploreSummary, GeneratedEngineFiguresFollowFromSpec) {
  testing::EngineFixtureSpec spec;
  spec.blocks = 7;
  auto n = testing::engineFixtureCounts(spec);
  std::string dir = test::scratchDir();
  ASSERT_TRUE(testing::writeTextFile(dir + "/e.graph.json", testing::makeEngineGraphJson(spec)));
  ASSERT_TRUE(testing::writeTextFile(dir + "/e.profile.json", testing::makeEngineProfileJson(spec)));
  LoadOptions o;
  o.graph = dir + "/e.graph.json";
  auto plan = loadEnginePlan(o);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_TRUE(plan->has_profile);
  EngineSummary s = summarizePlan(*plan);
  EXPECT_EQ(s.layers, n.layers);
  EXPECT_EQ(s.constants, n.constants);
  // Every tensor is [1,C,H,W] and every layer reads one and writes one. FP32
  // views: the engine input, and per island to_fp32's output, the shuffle's
  // input and output and to_fp16's input; all others are FP16.
  const double elems = double(spec.channels) * spec.height * spec.width;
  double fp32_views = 1 + 4.0 * n.islands;
  double views = 2.0 * n.layers;
  EXPECT_DOUBLE_EQ(s.activation_bytes, (views - fp32_views) * elems * 2 + fp32_views * elems * 4);
  EXPECT_DOUBLE_EQ(s.weights_bytes, double(spec.blocks) * spec.channels * spec.channels * 9 * 2);
  EXPECT_DOUBLE_EQ(s.bias_bytes, double(spec.blocks) * spec.channels * 4);
  double avg = 0;
  for (int64_t k = 0; k < n.layers; ++k) avg += 0.001 * (k % 10 + 1);
  EXPECT_NEAR(s.avg_ms, avg, 1e-9);
  // The NoOp was folded: its output binding "output" is now the last layer's output.
  ASSERT_EQ(s.outputs.size(), 1u);
  EXPECT_EQ(s.outputs[0].substr(0, 8), "output: ");
  ASSERT_EQ(s.inputs.size(), 1u);
  EXPECT_EQ(s.inputs[0], "input: [1, 16, 8, 8]xFP32 NCHW");
}

TEST(ExploreSummary, LayerTableAndFormats) {
  GS_REQUIRE_SHARED_TRT();
  LoadOptions o;
  o.graph = trexInput("mobilenet.qat.onnx.engine.graph.json");
  auto plan = loadEnginePlan(o);
  ASSERT_TRUE(plan.ok());
  Table t = layerTable(*plan);
  ASSERT_EQ(t.rows.size(), 72u);
  EXPECT_EQ(std::get<std::string>(t.rows[0][1]), "QuantizeLinear_2");
  EXPECT_EQ(std::get<std::string>(t.rows[0][8]), "[1, 3, 224, 224] FP32 NCHW");
  EXPECT_EQ(std::get<std::string>(t.rows[0][9]), "[1, 3, 224, 224] Int8 NC/4HW4");
  EXPECT_DOUBLE_EQ(std::get<double>(t.rows[1][5]), 0.00872257);  // averageMs from the profile
  EXPECT_EQ(std::get<std::string>(t.rows[1][10]), "volta_int8x4_icudnn_int8x4_128x32_relu_xregs_medium_c32_nn_v1");
  std::string csv = renderTable(t, OutputFormat::kCsv);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 73);
  auto j = nlohmann::json::parse(renderTable(t, OutputFormat::kJson));
  ASSERT_EQ(j.size(), 72u);
  EXPECT_EQ(j[0]["name"], "QuantizeLinear_2");
  EXPECT_EQ(j[0]["type"], "Reformat");
  EXPECT_EQ(j[0]["precision"], "FP32");
}

}  // namespace
}  // namespace gpuscope::explore
