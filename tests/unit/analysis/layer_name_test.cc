// Engine layer names from reference/trt_naming.md §2-3, parsed.
#include <gtest/gtest.h>

#include "analysis/layers/layer_name.h"

namespace gpuscope::analysis {
namespace {

using V = std::vector<std::string>;

TEST(LayerName, VerticalFusion) {
  ParsedLayerName p = parseLayerName("Conv_8 + Add_9 + Relu_10");
  EXPECT_EQ(p.kind, LayerKind::kFused);
  EXPECT_EQ(p.sources, (V{"Conv_8", "Add_9", "Relu_10"}));
  EXPECT_FALSE(p.inserted);
}

TEST(LayerName, HorizontalFusion) {
  ParsedLayerName p = parseLayerName("Conv_68 || Conv_72");
  EXPECT_EQ(p.kind, LayerKind::kFused);
  EXPECT_EQ(p.sources, (V{"Conv_68", "Conv_72"}));
}

TEST(LayerName, PointWiseNodesAndConstants) {
  ParsedLayerName a = parseLayerName("features.0.0.weight + QuantizeLinear_8 + Conv_12 + PWN(Clip_16)");
  EXPECT_TRUE(a.pwn);
  EXPECT_EQ(a.sources, (V{"QuantizeLinear_8", "Conv_12", "Clip_16"}));
  EXPECT_EQ(a.constants, (V{"features.0.0.weight"}));
  ParsedLayerName b = parseLayerName("PWN(PWN(/backbone/act/HardSwish), /backbone/act/HardSwish_2)");
  EXPECT_EQ(b.sources, (V{"/backbone/act/HardSwish", "/backbone/act/HardSwish_2"}));
  ParsedLayerName c = parseLayerName(
      "PWN(/m/Constant_30_output_0 + (Unnamed Layer* 80) [Shuffle] + /m/Add, /m/Div)");
  EXPECT_EQ(c.sources, (V{"/m/Add", "/m/Div"}));
  EXPECT_EQ(c.constants, (V{"/m/Constant_30_output_0"}));
  EXPECT_EQ(c.helpers, (V{"(Unnamed Layer* 80) [Shuffle]"}));
  ParsedLayerName d = parseLayerName("Conv_531 + PWN(LeakyRelu_532)");
  EXPECT_EQ(d.sources, (V{"Conv_531", "LeakyRelu_532"}));
}

TEST(LayerName, ForeignNode) {
  ParsedLayerName p = parseLayerName("{ForeignNode[transformer.h.0.attn.bias.../Cast]}");
  EXPECT_EQ(p.kind, LayerKind::kForeignNode);
  EXPECT_TRUE(p.myelin);
  EXPECT_EQ(p.foreign_first, "transformer.h.0.attn.bias");
  EXPECT_EQ(p.foreign_last, "/Cast");
  ParsedLayerName q =
      parseLayerName("{ForeignNode[/model/taskhead22/Constant_12_output_0.../model/taskhead22/Unsqueeze_6]}");
  EXPECT_EQ(q.foreign_last, "/model/taskhead22/Unsqueeze_6");
}

TEST(LayerName, InsertedLayers) {
  ParsedLayerName r = parseLayerName("Reformatting CopyNode for Input Tensor 0 to GlobalAveragePool_843");
  EXPECT_EQ(r.kind, LayerKind::kReformat);
  EXPECT_TRUE(r.inserted);
  EXPECT_EQ(r.target, "GlobalAveragePool_843");
  ParsedLayerName o = parseLayerName("Reformatting CopyNode for Output Tensor 0 to reshape_after_Gemm_48");
  EXPECT_EQ(o.target, "reshape_after_Gemm_48");
  ParsedLayerName u = parseLayerName("(Unnamed Layer* 849) [Shuffle]");
  EXPECT_EQ(u.kind, LayerKind::kUnnamed);
  EXPECT_TRUE(u.inserted);
}

TEST(LayerName, MyelinForms) {
  ParsedLayerName tag = parseLayerName("$$myelin$$/time_embedding/act/sigmoid");
  EXPECT_EQ(tag.kind, LayerKind::kMyelinTag);
  EXPECT_EQ(tag.sources, (V{"/time_embedding/act/sigmoid"}));
  ParsedLayerName gen = parseLayerName("__myl_TranReshMove_myl3_3");
  EXPECT_EQ(gen.kind, LayerKind::kMyelinGenerated);
  EXPECT_EQ(gen.myelin_ops, (V{"Transpose", "Reshape", "Move"}));
  ParsedLayerName kept = parseLayerName("/input_embed/proj/MatMul_myl0_2");
  EXPECT_TRUE(kept.myelin);
  EXPECT_EQ(kept.sources, (V{"/input_embed/proj/MatMul"}));
}

TEST(LayerName, VerboseNvtxText) {
  EXPECT_EQ(layerNameFromNvtx("{\"Name\":\"Conv_8 + Relu_10\",\"LayerType\":\"CaskConvolution\"}"),
            "Conv_8 + Relu_10");
  EXPECT_EQ(layerNameFromNvtx("Name: Conv_8 + Relu_10, LayerType: CaskConvolution, Inputs: []"),
            "Conv_8 + Relu_10");
  EXPECT_EQ(layerNameFromNvtx("{ForeignNode[a...b]}"), "{ForeignNode[a...b]}");
  EXPECT_EQ(parseLayerName("{\"Name\":\"Conv_8 + Relu_10\"}").sources, (V{"Conv_8", "Relu_10"}));
}

TEST(LayerName, SplitTopLevelKeepsBrackets) {
  EXPECT_EQ(splitTopLevel("a + PWN(b + c) + {x + y}", " + "), (V{"a", "PWN(b + c)", "{x + y}"}));
}

}  // namespace
}  // namespace gpuscope::analysis
