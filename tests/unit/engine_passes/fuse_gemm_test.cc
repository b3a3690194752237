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

TEST(FuseGemm, OnnxGemmFullCBecomesTheResidual) {
  // Y = alpha*A@B + beta*C with C [M,N]: beta*C (a constant, scaled once) is
  // the residual input, no Add after the Gemm.
  GraphBuilder b;
  ValueId x = b.input("x", {3, 8});
  b.output(b.node("Gemm", "gemm", {x, b.weight("W", {8, 6}), b.weight("C", {3, 6})}, attrs({{"beta", 0.5f}})));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseGemm(g, log).ok());
  ASSERT_THAT(opTypes(g), ElementsAre(kGemm));
  const Node& n = g.nodes[0];
  EXPECT_EQ(n.name, "gemm");
  ASSERT_EQ(n.inputs.size(), 4u);
  EXPECT_EQ(n.inputs[2], kNoValue);
  const HostTensor* c = g.constantOf(n.inputs[3]);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->shape(), (Shape{3, 6}));
  EXPECT_FLOAT_EQ(float(c->getDouble(7)), 0.5f * float(ref.constantOf(ref.findValue("C"))->getDouble(7)));
  EXPECT_EQ(g.values[size_t(g.outputs[0])].name, "gemm_out");
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseGemm, OnnxGemmRuntimeCResidualTakesBiasAndRelu) {
  // C a runtime [M,N] tensor (beta 1) is the residual as it is; a bias Add and
  // a Relu after the Gemm still fuse: relu(A@B + C + b) is what the graph computes.
  GraphBuilder b;
  ValueId x = b.input("x", {4, 8});
  ValueId c = b.input("c", {4, 6});
  ValueId y = b.node("Gemm", "gemm", {x, b.weight("W", {6, 8}), c}, attrs({{"transB", int64_t(1)}}));
  y = b.node("Add", "bias", {y, b.weight("bias", {6})});
  b.output(b.node("Relu", "relu", {y}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseGemm(g, log).ok());
  ASSERT_THAT(nodeNames(g), ElementsAre("gemm + bias + relu"));
  const Node& n = g.nodes[0];
  ASSERT_EQ(n.inputs.size(), 4u);
  EXPECT_EQ(n.inputs[3], g.findValue("c"));
  EXPECT_EQ(g.constantOf(n.inputs[2])->shape(), (Shape{6}));
  EXPECT_EQ(n.attrs.getString("activation"), "Relu");
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseGemm, OnnxGemmBroadcastCStaysAnAdd) {
  // C [M,1] broadcasts along N: neither a bias nor a residual.
  GraphBuilder b;
  ValueId x = b.input("x", {3, 8});
  b.output(b.node("Gemm", "gemm", {x, b.weight("W", {8, 6}), b.weight("C", {3, 1})}, attrs({{"beta", 0.5f}})));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseGemm(g, log).ok());
  EXPECT_THAT(opTypes(g), ElementsAre(kGemm, "Add"));
  EXPECT_EQ(g.nodes[0].inputs.size(), 2u);
  EXPECT_EQ(g.values[size_t(g.outputs[0])].name, "gemm_out");
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

// x [2,5,8] @ W [8,6] (+ bias) + r [2,5,6] (r first when `residual_first`).
Graph residualGraph(bool bias, bool residual_first) {
  GraphBuilder b;
  ValueId h = bias ? matmulBias(b) : b.node("MatMul", "fc", {b.input("x", {2, 5, 8}), b.weight("W", {8, 6}, -2, 2)});
  ValueId r = b.input("r", {2, 5, 6});
  b.output(b.node("Add", "res", residual_first ? std::vector<ValueId>{r, h} : std::vector<ValueId>{h, r}));
  return b.build();
}

TEST(FuseGemm, BiasAndResidualAddFuse) {
  for (bool bias : {true, false}) {
    for (bool residual_first : {false, true}) {
      SCOPED_TRACE(std::string("bias ") + (bias ? "yes" : "no") + (residual_first ? ", residual first" : ""));
      Graph ref = residualGraph(bias, residual_first);
      Graph g = ref;
      PassLog log;
      ASSERT_TRUE(fuseGemm(g, log).ok());
      ASSERT_THAT(opTypes(g), ElementsAre(kGemm));
      const Node& n = g.nodes[0];
      EXPECT_EQ(n.name, bias ? "fc + fc_bias + res" : "fc + res");
      EXPECT_EQ(n.attrs.getString("activation"), "");
      ASSERT_EQ(n.inputs.size(), 4u);
      EXPECT_EQ(n.inputs[2] == kNoValue, !bias);
      EXPECT_EQ(n.inputs[3], g.findValue("r"));
      EXPECT_EQ(n.outputs[0], g.outputs[0]);  // the Add's output, a graph output, is the Gemm's now
      EXPECT_TRUE(logHas(log, std::string("GemmEltwiseSumFusion: Fusing ") + (bias ? "fc + fc_bias" : "fc") + " with res"));
      expectSameOutputs(g, ref, 1e-5, 1e-5);
    }
  }
}

TEST(FuseGemm, TwoResidualBlocksInARow) {
  // y1 = fc1(x) + b1 + x; y2 = fc2(y1) + y1: the second residual is the first fused Gemm's output.
  GraphBuilder b;
  ValueId x = b.input("x", {3, 4, 8});
  ValueId h1 = b.node("Add", "fc1_bias", {b.node("MatMul", "fc1", {x, b.weight("W1", {8, 8})}), b.weight("b1", {8})});
  ValueId y1 = b.node("Add", "res1", {x, h1});
  ValueId h2 = b.node("MatMul", "fc2", {y1, b.weight("W2", {8, 8})});
  b.output(b.node("Add", "res2", {h2, y1}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseGemm(g, log).ok());
  ASSERT_THAT(nodeNames(g), ElementsAre("fc1 + fc1_bias + res1", "fc2 + res2"));
  EXPECT_EQ(g.nodes[1].inputs[3], g.nodes[0].outputs[0]);
  EXPECT_EQ(g.nodes[1].inputs[0], g.nodes[0].outputs[0]);
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseGemm, ResidualAfterAnActivationDoesNotFuse) {
  // relu(x) + r != relu(x + r): the Relu fuses, the Add stays.
  {
    GraphBuilder b;
    ValueId h = b.node("Relu", "relu", {matmulBias(b)});
    b.output(b.node("Add", "res", {h, b.input("r", {2, 5, 6})}));
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(fuseGemm(g, log).ok());
    EXPECT_THAT(nodeNames(g), ElementsAre("fc + fc_bias + relu", "res"));
    EXPECT_EQ(g.nodes[0].inputs.size(), 3u);
    expectSameOutputs(g, ref, 1e-5, 1e-5);
  }
  {  // erf-GELU (HF form) then the residual
    GraphBuilder b;
    ValueId h = matmulBias(b);
    ValueId half = b.node("Mul", "mul_half", {h, b.scalar("half", 0.5f)});
    ValueId e = b.node("Erf", "erf", {b.node("Mul", "mul_rsqrt2", {h, b.scalar("rs2", 0.70710678f)})});
    ValueId gl = b.node("Mul", "mul", {half, b.node("Add", "add1", {b.scalar("one", 1.f), e})});
    b.output(b.node("Add", "res", {gl, b.input("r", {2, 5, 6})}));
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(fuseGemm(g, log).ok());
    EXPECT_THAT(opTypes(g), ElementsAre(kGemm, "Add"));
    EXPECT_EQ(g.nodes[0].attrs.getString("activation"), "Gelu");
    EXPECT_EQ(g.nodes[1].name, "res");
    expectSameOutputs(g, ref, 1e-5, 1e-5);
  }
}

TEST(FuseGemm, BroadcastingResidualDoesNotFuse) {
  // [5,6] and [2,5,1] broadcast to the [2,5,6] GEMM output: not C's layout;
  // [3,2,5,6] broadcasts the GEMM output itself (the sum is larger than D).
  for (Shape rs : {Shape{5, 6}, Shape{2, 5, 1}, Shape{3, 2, 5, 6}}) {
    SCOPED_TRACE(shapeText(rs));
    GraphBuilder b;
    ValueId h = matmulBias(b);
    b.output(b.node("Add", "res", {h, b.input("r", rs)}));
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(fuseGemm(g, log).ok());
    EXPECT_THAT(nodeNames(g), ElementsAre("fc + fc_bias", "res"));
    EXPECT_FALSE(logHas(log, "Running: GemmEltwiseSumFusion on fc + fc_bias"));
    expectSameOutputs(g, ref, 1e-5, 1e-5);
  }
}

TEST(FuseGemm, ResidualNotFusedWhenTheGemmOutputIsShared) {
  {  // the biased GEMM output also feeds a Relu
    GraphBuilder b;
    ValueId h = matmulBias(b);
    b.output(b.node("Add", "res", {h, b.input("r", {2, 5, 6})}));
    b.output(b.node("Relu", "relu", {h}));
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(fuseGemm(g, log).ok());
    EXPECT_THAT(nodeNames(g), ElementsAre("fc + fc_bias", "res", "relu"));
    EXPECT_EQ(g.nodes[0].inputs.size(), 3u);
    expectSameOutputs(g, ref, 1e-5, 1e-5);
  }
  {  // the GEMM output is a graph output
    GraphBuilder b;
    ValueId h = matmulBias(b);
    b.output(b.node("Add", "res", {h, b.input("r", {2, 5, 6})}));
    b.output(h);
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(fuseGemm(g, log).ok());
    EXPECT_THAT(nodeNames(g), ElementsAre("fc + fc_bias", "res"));
    expectSameOutputs(g, ref, 1e-5, 1e-5);
  }
  {  // h + h: the Add reads the GEMM output twice, there is no other operand
    GraphBuilder b;
    ValueId h = matmulBias(b);
    b.output(b.node("Add", "twice", {h, h}));
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(fuseGemm(g, log).ok());
    EXPECT_THAT(nodeNames(g), ElementsAre("fc + fc_bias", "twice"));
    expectSameOutputs(g, ref, 1e-5, 1e-5);
  }
}

TEST(FuseGemm, Gpt2AddmmViewResidualFusesAcrossTheReshape) {
  // GPT-2's attention c_proj: addmm(bias, a.view(-1, nx), W).view(B, S, N) + residual.
  GraphBuilder b;
  ValueId x = b.input("x", {6, 8});
  ValueId mm = b.node("Gemm", "c_proj", {x, b.weight("W", {8, 12}), b.weight("bias", {12})});
  ValueId h = b.node("Reshape", "view", {mm, b.ints("shape", {2, 3, 12})});
  ValueId r = b.input("residual", {2, 3, 12});
  ValueId y = b.node("Add", "res", {r, h});
  b.output(b.node("Mul", "after", {y, b.scalar("two", 2.f)}));  // a reader of the sum
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseGemm(g, log).ok());
  ASSERT_THAT(opTypes(g), ElementsAre("Reshape", kGemm, "Reshape", "Mul"));
  const Node* gemm = findNode(g, "c_proj + res");
  ASSERT_NE(gemm, nullptr);
  ASSERT_EQ(gemm->inputs.size(), 4u);
  // The residual reaches the Gemm as a [6,12] view of itself ...
  const Node* rv = findNode(g, "res_residual_view");
  ASSERT_NE(rv, nullptr);
  EXPECT_EQ(rv->inputs[0], g.findValue("residual"));
  EXPECT_EQ(gemm->inputs[3], rv->outputs[0]);
  EXPECT_EQ(g.values[size_t(rv->outputs[0])].desc.shape, (Shape{6, 12}));
  // ... and the original view reads the sum and writes the Add's output.
  const Node* view = findNode(g, "view");
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->inputs[0], gemm->outputs[0]);
  EXPECT_EQ(g.values[size_t(view->outputs[0])].name, "res_out");
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseGemm, ReshapeThenBroadcastingAddDoesNotFuse) {
  // After the view the Add broadcasts a [3,12] tensor: nothing changes past the bias.
  GraphBuilder b;
  ValueId x = b.input("x", {6, 8});
  ValueId mm = b.node("Gemm", "c_proj", {x, b.weight("W", {8, 12}), b.weight("bias", {12})});
  ValueId h = b.node("Reshape", "view", {mm, b.ints("shape", {2, 3, 12})});
  b.output(b.node("Add", "res", {h, b.input("r", {3, 12})}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseGemm(g, log).ok());
  EXPECT_THAT(opTypes(g), ElementsAre(kGemm, "Reshape", "Add"));
  EXPECT_EQ(g.nodes[0].inputs.size(), 3u);
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

}  // namespace
}  // namespace gpuscope::engine::testing
