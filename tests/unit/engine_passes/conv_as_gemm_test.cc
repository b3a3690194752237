// convAsGemm: patchify convolutions (kernel == stride >= 4) become im2col
// (Reshape, Transpose, Reshape) + MatMul + bias Add, and a ViT token tail
// (Reshape [N,OC,Ho*Wo] -> Transpose(0,2,1)) or an NHWC permute becomes one
// Reshape of the GEMM rows. Every rewritten graph runs on the CPU reference
// ops against the original; the folded weight is checked element by element
// against W[o,c,i,j] at row (c*kh + i)*kw + j, column o.
#include <array>
#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/onnx/onnx_import.h"
#include "engine/ops/fused_ops.h"
#include "engine/passes/infer_shapes.h"
#include "engine/passes/passes.h"
#include "engine/passes/pipeline.h"
#include "fixtures/onnx_fixture.h"
#include "pass_test_util.h"

namespace gpuscope::engine::testing {
namespace {

using ::testing::ElementsAre;
using I = std::vector<int64_t>;
const std::string kGemm(fused::kGemm);
const std::string kIn = "Reformatting CopyNode for Input Tensor 0 to patch_embed";
const std::string kOut = "Reformatting CopyNode for Output Tensor 0 to patch_embed";

Attributes patchAttrs(int64_t k) {
  return attrs({{"kernel_shape", I{k, k}}, {"strides", I{k, k}}, {"pads", I{0, 0, 0, 0}}, {"dilations", I{1, 1}}});
}

double tolerance(DType t) { return t == DType::kFloat32 ? 1e-5 : 2e-2; }

TEST(ConvAsGemm, PatchifyConvBecomesIm2colAndMatMul) {
  for (DType t : {DType::kFloat32, DType::kFloat16}) {
    SCOPED_TRACE(dtypeName(t));
    GraphBuilder b;
    ValueId x = b.input("x", {2, 3, 32, 32}, t);
    ValueId w = b.weight("w", {16, 3, 8, 8}, -0.2f, 0.2f, t);
    b.output(b.node("Conv", "patch_embed", {x, w, b.weight("bias", {16}, -1.f, 1.f, t)}, patchAttrs(8)));
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(convAsGemm(g, log).ok());
    ASSERT_TRUE(inferShapes(g, InferOptions{.fold_constants = false}).ok());
    EXPECT_THAT(opTypes(g), ElementsAre("Reshape", "Transpose", "Reshape", "MatMul", "Add", "Reshape", "Transpose"));
    EXPECT_THAT(nodeNames(g), ElementsAre("patch_embed_patches", kIn, "patch_embed_rows", "patch_embed",
                                          "patch_embed_bias", "patch_embed_nhwc", kOut));
    EXPECT_TRUE(logHas(log, "Running: ConvToMatMulTransform on patch_embed"));
    // Ho = Wo = 32 / 8 = 4: rows N*Ho*Wo = 32, K = C*kh*kw = 3*8*8 = 192.
    const Node* im2col = findNode(g, kIn);
    ASSERT_NE(im2col, nullptr);
    EXPECT_EQ(im2col->attrs.getInts("perm"), (I{0, 2, 4, 1, 3, 5}));
    EXPECT_EQ(g.values[size_t(im2col->inputs[0])].desc.shape, (Shape{2, 3, 4, 8, 4, 8}));
    EXPECT_EQ(g.values[size_t(im2col->outputs[0])].desc.shape, (Shape{2, 4, 4, 3, 8, 8}));
    const Node* mm = findNode(g, "patch_embed");
    ASSERT_NE(mm, nullptr);
    EXPECT_EQ(g.values[size_t(mm->inputs[0])].desc.shape, (Shape{32, 192}));
    EXPECT_THAT(mm->origin, ElementsAre("patch_embed"));
    EXPECT_THAT(im2col->origin, ElementsAre("patch_embed"));
    EXPECT_TRUE(findNode(g, "patch_embed_bias")->origin.empty());  // fuseGemm's layer keeps the name "patch_embed"
    const HostTensor* wm = g.constantOf(mm->inputs[1]);
    ASSERT_NE(wm, nullptr);
    ASSERT_EQ(wm->shape(), (Shape{192, 16}));
    EXPECT_EQ(wm->dtype(), t);
    const HostTensor* w0 = ref.constantOf(w);
    for (auto [o, c, i, j] : {std::array<int64_t, 4>{0, 0, 0, 0}, {15, 2, 7, 7}, {5, 1, 3, 6}, {9, 2, 0, 5}})
      EXPECT_EQ(wm->getDouble(((c * 8 + i) * 8 + j) * 16 + o), w0->getDouble(((o * 3 + c) * 8 + i) * 8 + j))
          << o << "," << c << "," << i << "," << j;
    const Node* back = findNode(g, kOut);
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(back->attrs.getInts("perm"), (I{0, 3, 1, 2}));
    EXPECT_EQ(back->outputs[0], g.outputs[0]);
    EXPECT_EQ(g.values[size_t(g.outputs[0])].name, "patch_embed_out");  // the graph output keeps its name
    expectSameOutputs(g, ref, tolerance(t), tolerance(t));
  }
}

// ViT's flatten(2).transpose(1, 2). 32x48 with kernel 8 gives Ho 4, Wo 6:
// the flattened [N,OC,Ho*Wo] = [2,16,24] and the tokens [2,24,16] differ, so
// a transposed result could not pass for the right one.
TEST(ConvAsGemm, VitTokenTailBecomesOneReshape) {
  for (DType t : {DType::kFloat32, DType::kFloat16}) {
    SCOPED_TRACE(dtypeName(t));
    GraphBuilder b;
    ValueId x = b.input("x", {2, 3, 32, 48}, t);
    ValueId c = b.node("Conv", "patch_embed", {x, b.weight("w", {16, 3, 8, 8}, -0.2f, 0.2f, t), b.weight("bias", {16}, -1.f, 1.f, t)},
                       patchAttrs(8));
    ValueId f = b.node("Reshape", "flat", {c, b.ints("flat_shape", {2, 16, -1})});
    ValueId tok = b.node("Transpose", "tok", {f}, attrs({{"perm", I{0, 2, 1}}}));
    b.output(b.node("Add", "pos", {tok, b.weight("pos_embed", {1, 24, 16}, -1.f, 1.f, t)}));
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(convAsGemm(g, log).ok());
    ASSERT_TRUE(inferShapes(g, InferOptions{.fold_constants = false}).ok());
    EXPECT_THAT(opTypes(g), ElementsAre("Reshape", "Transpose", "Reshape", "MatMul", "Add", "Reshape", "Add"));
    const Node* view = findNode(g, "flat + tok");
    ASSERT_NE(view, nullptr);
    EXPECT_EQ(view->op, "Reshape");
    EXPECT_THAT(view->origin, ElementsAre("flat", "tok"));
    EXPECT_EQ(view->outputs[0], g.findValue("tok_out"));
    EXPECT_EQ(g.values[size_t(view->outputs[0])].desc.shape, (Shape{2, 24, 16}));
    EXPECT_EQ(g.values[size_t(view->inputs[0])].desc.shape, (Shape{48, 16}));  // the GEMM rows, N*Ho*Wo = 2*4*6
    EXPECT_TRUE(logHas(log, "Removing flat"));
    EXPECT_TRUE(logHas(log, "Removing tok"));
    expectSameOutputs(g, ref, tolerance(t), tolerance(t));
    // fuseGemm then takes the constant bias as the epilogue; the layer keeps the conv's name.
    ASSERT_TRUE(fuseGemm(g, log).ok());
    ASSERT_TRUE(inferShapes(g, InferOptions{.fold_constants = false}).ok());
    EXPECT_THAT(opTypes(g), ElementsAre("Reshape", "Transpose", "Reshape", kGemm, "Reshape", "Add"));
    const Node* gemm = findNode(g, "patch_embed");
    ASSERT_NE(gemm, nullptr);
    EXPECT_EQ(gemm->op, kGemm);
    EXPECT_EQ(gemm->inputs.size(), 3u);
    EXPECT_THAT(gemm->origin, ElementsAre("patch_embed"));
    expectSameOutputs(g, ref, tolerance(t), tolerance(t));
  }
}

TEST(ConvAsGemm, NhwcPermuteTailAndNoBias) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 2, 16, 24});
  ValueId c = b.node("Conv", "patch_embed", {x, b.weight("w", {5, 2, 4, 4})}, patchAttrs(4));
  b.output(b.node("Transpose", "to_nhwc", {c}, attrs({{"perm", I{0, 2, 3, 1}}})));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(convAsGemm(g, log).ok());
  ASSERT_TRUE(inferShapes(g, InferOptions{.fold_constants = false}).ok());
  EXPECT_THAT(opTypes(g), ElementsAre("Reshape", "Transpose", "Reshape", "MatMul", "Reshape"));
  const Node* view = findNode(g, "to_nhwc");
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->op, "Reshape");
  EXPECT_EQ(g.values[size_t(view->outputs[0])].desc.shape, (Shape{1, 4, 6, 5}));
  EXPECT_EQ(view->outputs[0], g.outputs[0]);
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(ConvAsGemm, AutoPadValidAndSameWithDivisibleInputAreRewritten) {
  for (const char* mode : {"VALID", "SAME_UPPER", "SAME_LOWER"}) {
    SCOPED_TRACE(mode);
    GraphBuilder b;
    ValueId x = b.input("x", {2, 3, 16, 16});
    b.output(b.node("Conv", "patch_embed", {x, b.weight("w", {4, 3, 4, 4}), b.weight("bias", {4})},
                    attrs({{"auto_pad", std::string(mode)}, {"strides", I{4, 4}}})));
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(convAsGemm(g, log).ok());
    EXPECT_EQ(findNode(g, "patch_embed")->op, "MatMul");
    expectSameOutputs(g, ref, 1e-5, 1e-5);
  }
}

// Shapes outside the patchify class keep their Conv (and the pass logs nothing).
TEST(ConvAsGemm, OtherConvolutionsAreLeftAlone) {
  struct Case {
    const char* what;
    Shape x, w;
    Attributes a;
    bool weight_input = false;
  };
  const std::vector<Case> cases = {
      {"padding", {2, 3, 30, 30}, {16, 3, 8, 8}, attrs({{"strides", I{8, 8}}, {"pads", I{1, 1, 1, 1}}})},
      {"stride != kernel", {2, 3, 32, 32}, {16, 3, 8, 8}, attrs({{"strides", I{4, 4}}})},
      {"groups", {2, 4, 32, 32}, {8, 2, 8, 8}, attrs({{"strides", I{8, 8}}, {"group", int64_t(2)}})},
      {"dilation", {2, 3, 32, 32}, {16, 3, 4, 4}, attrs({{"strides", I{4, 4}}, {"dilations", I{2, 2}}})},
      {"H not a multiple", {2, 3, 30, 32}, {16, 3, 8, 8}, attrs({{"strides", I{8, 8}}})},
      {"W not a multiple", {2, 3, 32, 36}, {16, 3, 8, 8}, attrs({{"strides", I{8, 8}}})},
      {"SAME_UPPER, not a multiple", {2, 3, 30, 30}, {16, 3, 8, 8},
       attrs({{"strides", I{8, 8}}, {"auto_pad", std::string("SAME_UPPER")}})},
      {"kernel 2 (below the patchify class)", {2, 3, 32, 32}, {16, 3, 2, 2}, attrs({{"strides", I{2, 2}}})},
      {"kernel 1", {2, 3, 32, 32}, {16, 3, 1, 1}, attrs({})},
      {"weight computed at run time", {2, 3, 32, 32}, {16, 3, 8, 8}, attrs({{"strides", I{8, 8}}}), true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    GraphBuilder b;
    ValueId x = b.input("x", c.x);
    ValueId w = c.weight_input ? b.input("w", c.w) : b.weight("w", c.w);
    b.output(b.node("Conv", "conv", {x, w, b.weight("bias", {c.w[0]})}, c.a));
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(convAsGemm(g, log).ok());
    EXPECT_THAT(opTypes(g), ElementsAre("Conv"));
    EXPECT_TRUE(log.lines().empty());
  }
}

// A reader of the flattened value besides the Transpose keeps the general
// form: the conv's [N,OC,Ho,Wo] output is still produced, and the ViT tail
// stays as it was.
TEST(ConvAsGemm, SharedFlattenKeepsGeneralForm) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 3, 32, 32});
  ValueId c = b.node("Conv", "patch_embed", {x, b.weight("w", {24, 3, 8, 8}), b.weight("bias", {24})}, patchAttrs(8));
  ValueId f = b.node("Reshape", "flat", {c, b.ints("flat_shape", {2, 24, 16})});
  b.output(b.node("Transpose", "tok", {f}, attrs({{"perm", I{0, 2, 1}}})));
  b.output(f);
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(convAsGemm(g, log).ok());
  EXPECT_THAT(nodeNames(g), ElementsAre("patch_embed_patches", kIn, "patch_embed_rows", "patch_embed",
                                        "patch_embed_bias", "patch_embed_nhwc", kOut, "flat", "tok"));
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

// Whole pipeline, fp16: a convolution after the patchify stem reads the
// GEMM's NHWC rows directly (conv_layout reuses the input of the stem's
// Transpose(0,3,1,2)), so no reformat is left between them.
TEST(ConvAsGemm, PipelineHybridStemFeedsNhwcConvWithoutReformat) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 3, 32, 32});
  ValueId c = b.node("Conv", "patch_embed", {x, b.weight("w", {16, 3, 8, 8}, -0.2f, 0.2f), b.weight("bias", {16})},
                     patchAttrs(8));
  ValueId c2 = b.node("Conv", "conv2", {c, b.weight("w2", {8, 16, 3, 3}, -0.2f, 0.2f), b.weight("bias2", {8})},
                      attrs({{"pads", I{1, 1, 1, 1}}}));
  b.output(b.node("Relu", "relu", {c2}));
  Graph ref = b.build();
  for (DType t : {DType::kFloat32, DType::kFloat16}) {
    SCOPED_TRACE(dtypeName(t));
    Graph g = ref;
    PassLog log;
    Status s = optimize(g, OptimizeOptions{t, true}, log);
    ASSERT_TRUE(s.ok()) << s.message();
    const Node* gemm = findNode(g, "patch_embed");
    ASSERT_NE(gemm, nullptr);
    EXPECT_EQ(gemm->op, kGemm);
    const Node* conv = findNode(g, "conv2 + relu");
    ASSERT_NE(conv, nullptr);
    EXPECT_EQ(conv->op, std::string(fused::kConv));
    NodeId p = g.values[size_t(conv->inputs[0])].producer;
    ASSERT_GE(p, 0);
    if (t == DType::kFloat16) {
      // fp16: [N,Ho,Wo,OC] view of the GEMM rows is conv2's NHWC input.
      EXPECT_EQ(conv->attrs.getString("layout"), "NHWC");
      EXPECT_EQ(g.nodes[size_t(p)].name, "patch_embed_nhwc");
      EXPECT_EQ(findNode(g, kOut), nullptr);
      EXPECT_EQ(findNode(g, "Reformatting CopyNode for Input Tensor 0 to conv2 + relu"), nullptr);
    } else {
      EXPECT_EQ(g.nodes[size_t(p)].name, kOut);  // fp32 convolutions stay NCHW
    }
    expectSameOutputs(g, ref, tolerance(t), tolerance(t));
  }
}

// ---- a tiny ViT, as torch.onnx's dynamo exporter writes timm's ------------
// VisionTransformer (node names "node_conv2d", "node_transpose", "node_cat",
// ...): img 32, patch 8 (16 tokens + cls), dim 16, 2 heads of 8, one block,
// MLP 64 with erf-GELU, 10 classes. Input "input" fp32 [2,3,32,32], output
// "logits" fp32 [2,10]. Built in code through the ONNX importer.
constexpr int64_t kVitN = 2, kVitD = 16, kVitHeads = 2, kVitDh = 8, kVitTokens = 17, kVitMlp = 64;

std::string makeTinyVitOnnx() {
  using ::gpuscope::testing::OnnxNodeSpec;
  ::gpuscope::testing::OnnxModelSpec spec;
  spec.graph_name = "main_graph";
  spec.inputs = {{"input", DType::kFloat32, Shape{kVitN, 3, 32, 32}}};
  spec.outputs = {{"logits", DType::kFloat32, Shape{kVitN, 10}}};
  uint64_t seed = 1;
  auto weight = [&](const std::string& name, Shape shape, float scale) {
    auto f = ::gpuscope::testing::pseudoRandomFloats(size_t(shapeElements(shape)), seed++, scale);
    spec.initializers.emplace_back(name, HostTensor::fromFloats(DType::kFloat32, shape, f));
    return name;
  };
  auto value = [&](const std::string& name, Shape shape, std::vector<float> v) {
    spec.initializers.emplace_back(name, HostTensor::fromFloats(DType::kFloat32, shape, v));
    return name;
  };
  auto ints = [&](const std::string& name, std::vector<int64_t> v) {
    spec.initializers.emplace_back(name, HostTensor::fromInts(DType::kInt64, {int64_t(v.size())}, v));
    return name;
  };
  auto scalarIndex = [&](const std::string& name, int64_t i) {
    spec.initializers.emplace_back(name, HostTensor::fromInts(DType::kInt64, {}, std::vector<int64_t>{i}));
    return name;
  };
  auto node = [&](const std::string& op, const std::string& name, std::vector<std::string> in, Attributes a = {}) {
    spec.nodes.push_back(OnnxNodeSpec(op, std::move(in), {name + "_out"}, std::move(a), name));
    return name + "_out";
  };
  auto linear = [&](const std::string& mm, const std::string& add, const std::string& x, const std::string& w, int64_t k,
                    int64_t n) {
    std::string y = node("MatMul", mm, {x, weight(w + ".weight", {k, n}, 0.3f)});
    return node("Add", add, {y, weight(w + ".bias", {n}, 0.1f)});
  };
  auto layerNorm = [&](const std::string& name, const std::string& x, const std::string& p) {
    return node("LayerNormalization", name, {x, weight(p + ".weight", {kVitD}, 1.f), weight(p + ".bias", {kVitD}, 0.1f)},
                attrs({{"axis", int64_t(-1)}, {"epsilon", 1e-6f}}));
  };
  // PatchEmbed: proj conv, flatten(2), transpose(1, 2).
  std::string x = node("Conv", "node_conv2d",
                       {"input", weight("patch_embed.proj.weight", {kVitD, 3, 8, 8}, 0.2f),
                        weight("patch_embed.proj.bias", {kVitD}, 0.1f)},
                       attrs({{"kernel_shape", I{8, 8}}, {"strides", I{8, 8}}, {"pads", I{0, 0, 0, 0}},
                              {"dilations", I{1, 1}}, {"group", int64_t(1)}}));
  x = node("Reshape", "node_view", {x, ints("val_flat", {kVitN, kVitD, 16})});
  x = node("Transpose", "node_transpose", {x}, attrs({{"perm", I{0, 2, 1}}}));
  std::string cls = node("Expand", "node_expand", {weight("cls_token", {1, 1, kVitD}, 0.5f), ints("val_cls", {kVitN, 1, kVitD})});
  x = node("Concat", "node_cat", {cls, x}, attrs({{"axis", int64_t(1)}}));
  x = node("Add", "node_add", {x, weight("pos_embed", {1, kVitTokens, kVitD}, 0.5f)});
  // Block: x + proj(attn(norm1(x))), then x + fc2(gelu(fc1(norm2(x)))).
  std::string h = layerNorm("node_layer_norm", x, "blocks.0.norm1");
  std::string qkv = linear("node_MatMul_12", "node_linear", h, "blocks.0.attn.qkv", kVitD, 3 * kVitD);
  qkv = node("Reshape", "node_view_1", {qkv, ints("val_qkv", {kVitN, kVitTokens, 3, kVitHeads, kVitDh})});
  qkv = node("Transpose", "node_permute", {qkv}, attrs({{"perm", I{2, 0, 3, 1, 4}}}));
  std::string q = node("Gather", "node_select", {qkv, scalarIndex("val_0", 0)}, attrs({{"axis", int64_t(0)}}));
  std::string k = node("Gather", "node_select_1", {qkv, scalarIndex("val_1", 1)}, attrs({{"axis", int64_t(0)}}));
  std::string v = node("Gather", "node_select_2", {qkv, scalarIndex("val_2", 2)}, attrs({{"axis", int64_t(0)}}));
  const float s = 1.f / std::sqrt(std::sqrt(float(kVitDh)));  // SDPA scales Q and K^T by sqrt(1/sqrt(Dh)) each
  q = node("Mul", "node_Mul_57", {q, value("val_scale_q", {}, {s})});
  k = node("Transpose", "node_transpose_1", {k}, attrs({{"perm", I{0, 1, 3, 2}}}));
  k = node("Mul", "node_Mul_60", {k, value("val_scale_k", {}, {s})});
  std::string att = node("MatMul", "node_MatMul_61", {q, k});
  att = node("Softmax", "node_Softmax_62", {att}, attrs({{"axis", int64_t(-1)}}));
  att = node("MatMul", "node_scaled_dot_product_attention", {att, v});
  att = node("Transpose", "node_transpose_2", {att}, attrs({{"perm", I{0, 2, 1, 3}}}));
  att = node("Reshape", "node_view_2", {att, ints("val_attn", {kVitN, kVitTokens, kVitD})});
  att = linear("node_MatMul_69", "node_linear_1", att, "blocks.0.attn.proj", kVitD, kVitD);
  x = node("Add", "node_add_1", {x, att});
  h = layerNorm("node_layer_norm_1", x, "blocks.0.norm2");
  h = linear("node_MatMul_71", "node_linear_2", h, "blocks.0.mlp.fc1", kVitD, kVitMlp);
  std::string e = node("Div", "node_Div_73", {h, value("val_sqrt2", {}, {std::sqrt(2.f)})});
  e = node("Erf", "node_Erf_74", {e});
  e = node("Add", "node_Add_75", {e, value("val_one", {}, {1.f})});
  e = node("Mul", "node_Mul_76", {h, e});
  h = node("Mul", "node_gelu", {e, value("val_half", {}, {0.5f})});
  h = linear("node_MatMul_78", "node_linear_3", h, "blocks.0.mlp.fc2", kVitMlp, kVitD);
  x = node("Add", "node_add_2", {x, h});
  x = layerNorm("node_layer_norm_2", x, "norm");
  x = node("Gather", "node_select_3", {x, scalarIndex("val_cls_index", 0)}, attrs({{"axis", int64_t(1)}}));
  x = linear("node_MatMul_84", "node_linear_4", x, "head", kVitD, 10);
  spec.nodes.back().outputs = {"logits"};
  return ::gpuscope::testing::makeOnnxModel(spec);
}

StatusOr<Graph> loadTinyVit() {
  GS_ASSIGN_OR_RETURN(Graph g, importOnnxBytes(makeTinyVitOnnx(), "tiny_vit.onnx"));
  GS_RETURN_IF_ERROR(bindInputShapes(g, {{"input", {kVitN, 3, 32, 32}}}));
  GS_RETURN_IF_ERROR(inferShapes(g));
  return g;
}

int countOp(const Graph& g, const std::string& op) {
  int n = 0;
  for (const std::string& o : opTypes(g)) n += o == op;
  return n;
}

TEST(ConvAsGemm, TinyVitWholePipelineMatchesReference) {
  auto ref = loadTinyVit();
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  ASSERT_EQ(countOp(*ref, "Conv"), 1);
  auto inputs = randomInputs(*ref);
  auto want = runGraph(*ref, inputs);
  ASSERT_TRUE(want.ok()) << want.status().message();
  for (DType t : {DType::kFloat32, DType::kFloat16, DType::kBFloat16}) {
    SCOPED_TRACE(dtypeName(t));
    Graph g = *ref;
    PassLog log;
    Status st = optimize(g, OptimizeOptions{t, true}, log);
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_TRUE(logHas(log, "Running: ConvToMatMulTransform on node_conv2d"));
    EXPECT_TRUE(logHas(log, "Removing node_transpose"));
    EXPECT_EQ(countOp(g, "Conv") + countOp(g, std::string(fused::kConv)), 0);
    // The patch embedding is one GEMM layer with the bias epilogue, named
    // after the conv; its rows reach node_cat through one view.
    const Node* pe = findNode(g, "node_conv2d");
    ASSERT_NE(pe, nullptr);
    EXPECT_EQ(pe->op, kGemm);
    ASSERT_EQ(pe->inputs.size(), 3u);
    EXPECT_EQ(g.values[size_t(pe->outputs[0])].desc.shape, (Shape{kVitN * 16, kVitD}));
    const Node* tokens = findNode(g, "node_view + node_transpose");
    ASSERT_NE(tokens, nullptr);
    EXPECT_EQ(tokens->op, "Reshape");
    EXPECT_EQ(tokens->inputs[0], pe->outputs[0]);
    EXPECT_EQ(g.values[size_t(tokens->outputs[0])].desc.shape, (Shape{kVitN, 16, kVitD}));
    // The only copies left around the stem: the im2col Transpose (and, at
    // fp16/bf16, the input's precision reformat); attention reads Q/K/V and
    // writes its output through views, so no other Transpose remains.
    const Node* im2col = findNode(g, "Reformatting CopyNode for Input Tensor 0 to node_conv2d");
    ASSERT_NE(im2col, nullptr);
    EXPECT_EQ(im2col->op, "Transpose");
    EXPECT_EQ(countOp(g, "Transpose"), 1);
    EXPECT_EQ(countOp(g, std::string(fused::kAttention)), 1);
    const double tol = t == DType::kFloat32 ? 1e-4 : 5e-2;
    auto have = runGraph(g, inputs);
    ASSERT_TRUE(have.ok()) << have.status().message();
    ASSERT_EQ(have->size(), 1u);
    expectClose((*have)[0], (*want)[0], tol, tol, "logits");
  }
}

}  // namespace
}  // namespace gpuscope::engine::testing
