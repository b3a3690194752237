// Layer info JSON (trtexec --exportLayerInfo, reference/trtexec.md §6.3):
// its shape per verbosity, the per-type fields, and that gpuscope explore's
// plan loader reads it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <fstream>
#include <regex>

#include "engine/runtime/layer_info.h"
#include "explore/engine_plan.h"
#include "fixtures/onnx_fixture.h"
#include "runtime_test_util.h"

namespace gpuscope::engine {
namespace {

std::unique_ptr<Engine> buildCnn(ProfilingVerbosity v, bool fp16 = false) {
  std::string path = testutil::tempPath("li_cnn.onnx");
  if (testing::makeTinyCnnOnnx(path).empty()) return nullptr;
  BuildOptions o;
  o.fp16 = fp16;
  o.device = Device::kCpu;
  o.shapes = {{"input", {1, 3, 16, 16}}};
  o.verbosity = v;
  auto e = Engine::buildFromOnnx(path, o, nullptr);
  EXPECT_TRUE(e.ok()) << e.status().message();
  return e.ok() ? std::move(e).value() : nullptr;
}

TEST(LayerInfo, NamesOnlyIsAListOfLayerNames) {
  auto e = buildCnn(ProfilingVerbosity::kLayerNamesOnly);
  ASSERT_TRUE(e);
  auto j = nlohmann::json::parse(e->layerInfoJson(ProfilingVerbosity::kLayerNamesOnly));
  ASSERT_TRUE(j["Layers"].is_array());
  ASSERT_EQ(j["Layers"].size(), e->layers().size());
  for (size_t i = 0; i < e->layers().size(); ++i) EXPECT_EQ(j["Layers"][i], e->layers()[i].name);
  EXPECT_EQ(j["Bindings"], (nlohmann::json{"input", "logits"}));
  // A names-only build cannot report details.
  auto k = nlohmann::json::parse(e->layerInfoJson(ProfilingVerbosity::kDetailed));
  EXPECT_TRUE(k["Layers"][0].is_string());
  auto none = nlohmann::json::parse(e->layerInfoJson(ProfilingVerbosity::kNone));
  EXPECT_TRUE(none["Layers"].empty());
  EXPECT_EQ(none["Bindings"].size(), 2u);
}

TEST(LayerInfo, DetailedObjectsCarryTrtexecKeys) {
  auto e = buildCnn(ProfilingVerbosity::kDetailed);
  ASSERT_TRUE(e);
  std::string text = e->layerInfoJson(ProfilingVerbosity::kDetailed);
  auto j = nlohmann::ordered_json::parse(text);
  const std::regex tactic("^0x[0-9a-f]{16}$");
  size_t real_layers = 0;
  const nlohmann::ordered_json* conv = nullptr;
  for (const auto& l : j["Layers"]) {
    ASSERT_TRUE(l.is_object());
    for (const char* key : {"Name", "LayerType", "Inputs", "Outputs", "TacticValue", "Metadata"})
      EXPECT_TRUE(l.contains(key)) << key << " in " << l.dump();
    EXPECT_TRUE(std::regex_match(l["TacticValue"].get<std::string>(), tactic)) << l["TacticValue"];
    if (l["LayerType"] == "NoOp") continue;
    ++real_layers;
    EXPECT_TRUE(l.contains("ParameterType"));
    EXPECT_EQ(l["Metadata"].get<std::string>().rfind("[ONNX Layer: ", 0), 0u);
    for (const auto& t : l["Outputs"]) {
      EXPECT_EQ(t["Location"], "Device");
      EXPECT_EQ(t["Format/Datatype"], "Row major linear FP32");
      EXPECT_TRUE(t["Dimensions"].is_array());
    }
    if (!conv && l["ParameterType"] == "Convolution") conv = &l;
  }
  EXPECT_EQ(real_layers, e->layers().size());
  // The first convolution is /conv1/Conv: 8 maps of 3x3x3 (216 weights), pad 1.
  ASSERT_TRUE(conv);
  EXPECT_EQ((*conv)["Kernel"], (nlohmann::json{3, 3}));
  EXPECT_EQ((*conv)["OutMaps"], 8);
  EXPECT_EQ((*conv)["Groups"], 1);
  EXPECT_EQ((*conv)["Stride"], (nlohmann::json{1, 1}));
  EXPECT_EQ((*conv)["PrePadding"], (nlohmann::json{1, 1}));
  EXPECT_EQ((*conv)["PostPadding"], (nlohmann::json{1, 1}));
  EXPECT_EQ((*conv)["Weights"]["Type"], "Float");
  EXPECT_EQ((*conv)["Weights"]["Count"], 216);
  EXPECT_NE((*conv)["Metadata"].get<std::string>().find("[ONNX Layer: /conv1/Conv]"), std::string::npos);
  // Activation inputs only: the weights are not a tensor input of the layer.
  ASSERT_EQ((*conv)["Inputs"].size(), 1u);
  EXPECT_EQ((*conv)["Inputs"][0]["Name"], "input");
  EXPECT_EQ((*conv)["Inputs"][0]["Dimensions"], (nlohmann::json{1, 3, 16, 16}));
}

TEST(LayerInfo, MetadataJoinsOriginsWithRecordSeparator) {
  EXPECT_EQ(layerMetadata({"a", "b"}), "[ONNX Layer: a]\x1e[ONNX Layer: b]");
}

TEST(LayerInfo, ExploreLoadsTheDetailedExport) {
  auto e = buildCnn(ProfilingVerbosity::kDetailed);
  ASSERT_TRUE(e);
  std::string path = testutil::tempPath("cnn.graph.json");
  {
    std::ofstream f(path);
    f << e->layerInfoJson(ProfilingVerbosity::kDetailed);
  }
  explore::LoadOptions o;
  o.graph = path;
  auto plan = explore::loadEnginePlan(o);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(plan->detailed);
  ASSERT_EQ(plan->layers.size(), e->layers().size());
  for (size_t i = 0; i < plan->layers.size(); ++i) {
    EXPECT_EQ(plan->layers[i].name, e->layers()[i].name);
    EXPECT_EQ(plan->layers[i].subtype, e->layers()[i].layer_type);
    EXPECT_EQ(plan->layers[i].precision, "FP32") << plan->layers[i].name;
  }
  EXPECT_EQ(plan->bindings, (std::vector<std::string>{"input", "logits"}));
  // Weights bytes of the first convolution: 216 fp32 values.
  for (const auto& l : plan->layers)
    if (l.type == "Convolution") {
      EXPECT_EQ(l.weights_bytes, 216 * 4);
      break;
    }
}

// fp16 engines run the convolutions NHWC with [M, kH, kW, C] weights: the
// reported kernel is still kH x kW (3x3 for /conv1/Conv, not 3x3 taken from
// the wrong dims), and the input's layout conversion is a Shuffle layer.
TEST(LayerInfo, NhwcConvolutionReportsItsKernel) {
  auto e = buildCnn(ProfilingVerbosity::kDetailed, true);
  ASSERT_TRUE(e);
  auto j = nlohmann::ordered_json::parse(e->layerInfoJson(ProfilingVerbosity::kDetailed));
  int convs = 0, shuffles = 0;
  for (const auto& l : j["Layers"]) {
    if (l["LayerType"] == "Shuffle") ++shuffles;
    if (l.value("ParameterType", "") != "Convolution") continue;
    ++convs;
    EXPECT_EQ(l["Kernel"], (nlohmann::json{3, 3})) << l["Name"];
    EXPECT_EQ(l["OutMaps"], 8) << l["Name"];
  }
  EXPECT_EQ(convs, 2);
  EXPECT_EQ(shuffles, 1);
}

}  // namespace
}  // namespace gpuscope::engine
