#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/ops/fused_ops.h"
#include "engine/passes/passes.h"
#include "pass_test_util.h"

namespace gpuscope::engine::testing {
namespace {

using ::testing::ElementsAre;
const std::string kGemm(fused::kGemm);

// x [2,5,8] @ W [8,6] + bias, returns the biased value.
ValueId matmulBias(GraphBuilder& b, bool bias_first = false) {
  ValueId x = b.input("x", {2, 5, 8});
  ValueId m = b.node("MatMul", "fc", {x, b.weight("W", {8, 6}, -2, 2)});
  ValueId bias = b.weight("bias", {6});
  return b.node("Add", "fc_bias", bias_first ? std::vector<ValueId>{bias, m} : std::vector<ValueId>{m, bias});
}

TEST(FuseGemm, BiasAndErfGeluTorchDecomposition) {
  // torch.onnx: Div(x, sqrt2) -> Erf -> Add 1 -> Mul x -> Mul 0.5
  GraphBuilder b;
  ValueId h = matmulBias(b, /*bias_first=*/true);
  ValueId d = b.node("Div", "div", {h, b.scalar("sqrt2", 1.4142135f)});
  ValueId e = b.node("Erf", "erf", {d});
  ValueId a = b.node("Add", "add1", {e, b.scalar("one", 1.f)});
  ValueId m = b.node("Mul", "mul_x", {h, a});
  b.output(b.node("Mul", "mul_half", {m, b.scalar("half", 0.5f)}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseGemm(g, log).ok());
  ASSERT_THAT(opTypes(g), ElementsAre(kGemm));
  const Node& n = g.nodes[0];
  EXPECT_EQ(n.name, "fc + fc_bias + div + erf + add1 + mul_x + mul_half");
  EXPECT_EQ(n.attrs.getString("activation"), "Gelu");
  ASSERT_EQ(n.inputs.size(), 3u);
  EXPECT_EQ(g.constantOf(n.inputs[2])->shape(), (Shape{6}));
  EXPECT_TRUE(logHas(log, "GemmBiasFusion: Fusing fc with fc_bias"));
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseGemm, ErfGeluHuggingFaceForm) {
  // x * 0.5 * (1 + erf(x * 0.70710678))
  GraphBuilder b;
  ValueId h = matmulBias(b);
  ValueId half = b.node("Mul", "mul_half", {h, b.scalar("half", 0.5f)});
  ValueId s = b.node("Mul", "mul_rsqrt2", {h, b.scalar("rs2", 0.70710678f)});
  ValueId e = b.node("Erf", "erf", {s});
  ValueId a = b.node("Add", "add1", {b.scalar("one", 1.f), e});
  b.output(b.node("Mul", "mul", {half, a}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseGemm(g, log).ok());
  ASSERT_THAT(opTypes(g), ElementsAre(kGemm));
  EXPECT_EQ(g.nodes[0].attrs.getString("activation"), "Gelu");
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseGemm, TanhGeluGpt2Form) {
  // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
  GraphBuilder b;
  ValueId h = matmulBias(b);
  ValueId half = b.node("Mul", "m0", {b.scalar("half", 0.5f), h});
  ValueId cube = b.node("Pow", "pow", {h, b.scalar("three", 3.f)});
  ValueId k = b.node("Mul", "m1", {b.scalar("c", 0.044715f), cube});
  ValueId inner = b.node("Add", "a0", {h, k});
  ValueId sc = b.node("Mul", "m2", {b.scalar("sqrt2pi", 0.7978845608f), inner});
  ValueId t = b.node("Tanh", "tanh", {sc});
  ValueId a = b.node("Add", "a1", {b.scalar("one", 1.f), t});
  b.output(b.node("Mul", "m3", {half, a}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseGemm(g, log).ok());
  ASSERT_THAT(opTypes(g), ElementsAre(kGemm));
  EXPECT_EQ(g.nodes[0].attrs.getString("activation"), "GeluTanh");
  EXPECT_THAT(g.nodes[0].origin, ElementsAre("fc", "fc_bias", "m0", "pow", "m1", "a0", "m2", "tanh", "a1", "m3"));
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseGemm, NotGeluWhenAConstantIsOff) {
  // 1.5 instead of sqrt(2): structurally GELU, numerically not.
  GraphBuilder b;
  ValueId h = matmulBias(b);
  ValueId d = b.node("Div", "div", {h, b.scalar("c", 1.5f)});
  ValueId e = b.node("Erf", "erf", {d});
  ValueId a = b.node("Add", "add1", {e, b.scalar("one", 1.f)});
  ValueId m = b.node("Mul", "mul_x", {h, a});
  b.output(b.node("Mul", "mul_half", {m, b.scalar("half", 0.5f)}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseGemm(g, log).ok());
  EXPECT_THAT(opTypes(g), ElementsAre(kGemm, "Div", "Erf", "Add", "Mul", "Mul"));
  EXPECT_EQ(g.nodes[0].name, "fc + fc_bias");
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseGemm, ReluAndWrongBiasShapeAndSharedOutput) {
  {
    GraphBuilder b;
    ValueId h = matmulBias(b);
    b.output(b.node("Relu", "relu", {h}));
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(fuseGemm(g, log).ok());
    EXPECT_THAT(nodeNames(g), ElementsAre("fc + fc_bias + relu"));
    EXPECT_EQ(g.nodes[0].attrs.getString("activation"), "Relu");
    expectSameOutputs(g, ref, 1e-5, 1e-5);
  }
  {  // bias [5,6] varies along M: stays an Add, and so does the Relu after it
    GraphBuilder b;
    ValueId x = b.input("x", {2, 5, 8});
    ValueId m = b.node("MatMul", "fc", {x, b.weight("W", {8, 6})});
    ValueId a = b.node("Add", "add", {m, b.weight("bias2d", {5, 6})});
    b.output(b.node("Relu", "relu", {a}));
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(fuseGemm(g, log).ok());
    EXPECT_THAT(opTypes(g), ElementsAre(kGemm, "Add", "Relu"));
    expectSameOutputs(g, ref, 1e-5, 1e-5);
  }
  {  // the MatMul output is also a graph output: nothing fuses into it
    GraphBuilder b;
    ValueId x = b.input("x", {4, 8});
    ValueId m = b.node("MatMul", "fc", {x, b.weight("W", {8, 6})});
    b.output(b.node("Add", "add", {m, b.weight("bias", {6})}));
    b.output(m);
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(fuseGemm(g, log).ok());
    EXPECT_THAT(opTypes(g), ElementsAre(kGemm, "Add"));
    expectSameOutputs(g, ref, 1e-5, 1e-5);
  }
}

TEST(FuseGemm, OnnxGemmTransBAlphaBetaBias) {
  GraphBuilder b;
  ValueId x = b.input("x", {3, 8});
  b.output(b.node("Gemm", "gemm", {x, b.weight("W", {6, 8}), b.weight("C", {6})},
                  attrs({{"transB", int64_t(1)}, {"alpha", 0.5f}, {"beta", 2.f}})));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseGemm(g, log).ok());
  ASSERT_THAT(opTypes(g), ElementsAre(kGemm));
  const Node& n = g.nodes[0];
  EXPECT_EQ(n.attrs.getInt("trans_b", 0), 1);
  EXPECT_FLOAT_EQ(n.attrs.getFloat("alpha", 0), 0.5f);
  // bias = beta * C
  EXPECT_FLOAT_EQ(float(g.constantOf(n.inputs[2])->getDouble(3)), 2.f * float(ref.constantOf(ref.findValue("C"))->getDouble(3)));
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseGemm, Gpt2AddmmViewGeluFusesAcrossTheReshape) {
  // GPT-2's Conv1D: addmm(bias, x.view(-1, nx), W).view(B, S, N) -> GELU (tanh form).
  GraphBuilder b;
  ValueId x = b.input("x", {6, 8});
  ValueId mm = b.node("Gemm", "c_fc", {x, b.weight("W", {8, 12}), b.weight("bias", {12})});
  ValueId h = b.node("Reshape", "view", {mm, b.ints("shape", {2, 3, 12})});
  ValueId half = b.node("Mul", "m0", {h, b.scalar("half", 0.5f)});
  ValueId cube = b.node("Mul", "cube", {b.node("Mul", "sq", {h, h}), h});
  ValueId inner = b.node("Add", "a0", {h, b.node("Mul", "m1", {cube, b.scalar("c", 0.044715f)})});
  ValueId t = b.node("Tanh", "tanh", {b.node("Mul", "m2", {inner, b.scalar("k", 0.7978845608f)})});
  b.output(b.node("Mul", "m3", {half, b.node("Add", "a1", {t, b.scalar("one", 1.f)})}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseGemm(g, log).ok());
  ASSERT_THAT(opTypes(g), ElementsAre(kGemm, "Reshape"));
  EXPECT_EQ(g.nodes[0].attrs.getString("activation"), "GeluTanh");
  EXPECT_EQ(g.nodes[0].name, "c_fc + m0 + sq + cube + m1 + a0 + m2 + tanh + a1 + m3");
  EXPECT_EQ(g.nodes[1].name, "view");
  EXPECT_EQ(g.nodes[1].inputs[0], g.nodes[0].outputs[0]);
  EXPECT_EQ(g.nodes[1].outputs[0], g.outputs[0]);
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseGemm, OnnxGemmFullCBecomesAnAdd) {
  GraphBuilder b;
  ValueId x = b.input("x", {3, 8});
  b.output(b.node("Gemm", "gemm", {x, b.weight("W", {8, 6}), b.weight("C", {3, 6})}, attrs({{"beta", 0.5f}})));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseGemm(g, log).ok());
  EXPECT_THAT(opTypes(g), ElementsAre(kGemm, "Add"));
  EXPECT_EQ(g.nodes[0].inputs.size(), 2u);
  EXPECT_EQ(g.values[size_t(g.outputs[0])].name, "gemm_out");
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

}  // namespace
}  // namespace gpuscope::engine::testing
