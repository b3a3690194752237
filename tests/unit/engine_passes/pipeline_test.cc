#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/ops/fused_ops.h"
#include "engine/passes/pipeline.h"
#include "pass_test_util.h"

namespace gpuscope::engine::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::StartsWith;

// Conv-BN-ReLU, a residual block and a classifier Gemm.
Graph convNet() {
  GraphBuilder b(17);
  ValueId x = b.input("x", {2, 3, 8, 8});
  auto convBn = [&](const std::string& n, ValueId in, int64_t cin, int64_t cout) {
    ValueId c = b.node("Conv", n, {in, b.weight(n + ".w", {cout, cin, 3, 3}, -0.3f, 0.3f)},
                       attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
    return b.node("BatchNormalization", n + "_bn",
                  {c, b.weight(n + ".g", {cout}, 0.5f, 1.5f), b.weight(n + ".b", {cout}),
                   b.weight(n + ".m", {cout}, -0.2f, 0.2f), b.weight(n + ".v", {cout}, 0.5f, 1.5f)});
  };
  ValueId h = b.node("Relu", "relu1", {convBn("conv1", x, 3, 4)});
  ValueId r = b.node("Relu", "relu2", {convBn("conv2", h, 4, 4)});
  ValueId s = b.node("Add", "add", {convBn("conv3", r, 4, 4), h});
  ValueId y = b.node("Relu", "relu3", {s});
  ValueId p = b.node("GlobalAveragePool", "pool", {y});
  ValueId f = b.node("Flatten", "flatten", {p});
  ValueId id = b.node("Identity", "identity", {f});
  b.output(b.node("Gemm", "fc", {id, b.weight("fc.w", {5, 4}), b.weight("fc.b", {5})}, attrs({{"transB", int64_t(1)}})));
  return b.build();
}

TEST(Optimize, ConvNetFp32) {
  Graph ref = convNet();
  Graph g = ref;
  PassLog log;
  Status s = optimize(g, OptimizeOptions{}, log);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_THAT(nodeNames(g), ElementsAre("conv1 + conv1_bn + relu1", "conv2 + conv2_bn + relu2",
                                        "conv3 + conv3_bn + add + relu3", "pool", "flatten", "fc"));
  EXPECT_EQ(opTypes(g)[0], std::string(fused::kConv));
  EXPECT_EQ(opTypes(g)[5], std::string(fused::kGemm));
  EXPECT_EQ(log.lines().front(), "Original: 14 layers");
  EXPECT_TRUE(logHas(log, "After dead-layer removal: 13 layers"));
  EXPECT_THAT(log.lines().back(), StartsWith("Graph optimization time: "));
  EXPECT_THAT(log.text(), ::testing::HasSubstr("[V] [TRT] ConvReluFusion: Fusing conv1 + conv1_bn with relu1\n"));
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(Optimize, ConvNetFp16AndUnfused) {
  Graph ref = convNet();
  {
    Graph g = ref;
    PassLog log;
    Status s = optimize(g, OptimizeOptions{DType::kFloat16, true}, log);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(nodeNames(g).front(), "Reformatting CopyNode for Input Tensor 0 to conv1 + conv1_bn + relu1");
    EXPECT_EQ(nodeNames(g).back(), "Reformatting CopyNode for Output Tensor 0 to fc");
    expectSameOutputs(g, ref, 1e-2, 1e-2);
  }
  {
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(optimize(g, OptimizeOptions{DType::kFloat32, false}, log).ok());
    EXPECT_EQ(g.liveNodeCount(), 13);  // only the Identity went
    expectSameOutputs(g, ref, 1e-6, 1e-6);
  }
}

// One pre-norm transformer block: LayerNorm (decomposed), attention, GELU MLP.
Graph block() {
  GraphBuilder b(18);
  const int64_t Bt = 2, S = 6, E = 8, H = 2, D = 4;
  ValueId x = b.input("x", {Bt, S, E});
  auto ln = [&](const std::string& n, ValueId in) {
    ValueId mu = b.node("ReduceMean", n + ".mean", {in, b.ints(n + ".ax1", {-1})});
    ValueId d = b.node("Sub", n + ".sub", {in, mu});
    ValueId var = b.node("ReduceMean", n + ".var", {b.node("Pow", n + ".pow", {d, b.scalar(n + ".two", 2.f)}),
                                                     b.ints(n + ".ax2", {-1})});
    ValueId sd = b.node("Sqrt", n + ".sqrt", {b.node("Add", n + ".eps", {var, b.scalar(n + ".e", 1e-5f)})});
    ValueId nn = b.node("Div", n + ".div", {d, sd});
    return b.node("Add", n + ".shift", {b.node("Mul", n + ".scale", {nn, b.weight(n + ".g", {E})}), b.weight(n + ".b", {E})});
  };
  auto heads = [&](const std::string& n, ValueId in) {  // [B,S,E] -> [B,H,S,D]
    ValueId p = b.node("Add", n + ".bias", {b.node("MatMul", n, {in, b.weight(n + ".w", {E, E}, -0.5f, 0.5f)}), b.weight(n + ".b", {E})});
    ValueId r = b.node("Reshape", n + ".reshape", {p, b.ints(n + ".shape", {Bt, S, H, D})});
    return b.node("Transpose", n + ".tr", {r}, attrs({{"perm", std::vector<int64_t>{0, 2, 1, 3}}}));
  };
  ValueId h = ln("ln1", x);
  ValueId q = heads("q", h), k = heads("k", h), v = heads("v", h);
  ValueId kt = b.node("Transpose", "kT", {k}, attrs({{"perm", std::vector<int64_t>{0, 1, 3, 2}}}));
  ValueId sc = b.node("Div", "att.scale", {b.node("MatMul", "att.qk", {q, kt}), b.scalar("sqrtD", 2.f)});
  ValueId pr = b.node("Softmax", "att.softmax", {sc}, attrs({{"axis", int64_t(-1)}}));
  ValueId ctx = b.node("MatMul", "att.pv", {pr, v});
  ValueId merged = b.node("Reshape", "att.merge",
                          {b.node("Transpose", "att.tr", {ctx}, attrs({{"perm", std::vector<int64_t>{0, 2, 1, 3}}})),
                           b.ints("merge.shape", {Bt, S, E})});
  ValueId x2 = b.node("Add", "res1", {x, merged});
  ValueId up = b.node("Add", "fc1.bias", {b.node("MatMul", "fc1", {ln("ln2", x2), b.weight("fc1.w", {E, 16})}), b.weight("fc1.b", {16})});
  ValueId g1 = b.node("Mul", "gelu.mul", {up, b.node("Add", "gelu.add", {b.node("Erf", "gelu.erf", {b.node("Div", "gelu.div", {up, b.scalar("s2", 1.4142135f)})}), b.scalar("one", 1.f)})});
  ValueId g2 = b.node("Mul", "gelu.half", {g1, b.scalar("half", 0.5f)});
  ValueId down = b.node("MatMul", "fc2", {g2, b.weight("fc2.w", {16, E})});
  b.output(b.node("Add", "res2", {x2, down}));
  return b.build();
}

TEST(Optimize, TransformerBlockFusesLayerNormAttentionAndGelu) {
  Graph ref = block();
  Graph g = ref;
  PassLog log;
  Status s = optimize(g, OptimizeOptions{}, log);
  ASSERT_TRUE(s.ok()) << s.message();
  std::vector<std::string> ops = opTypes(g);
  auto count = [&](const std::string& op) { return std::count(ops.begin(), ops.end(), op); };
  EXPECT_EQ(count("LayerNormalization"), 2);
  EXPECT_EQ(count(std::string(fused::kAttention)), 1);
  EXPECT_EQ(count("Softmax"), 0);
  EXPECT_EQ(count(std::string(fused::kGemm)), 5);  // q, k, v, fc1 (+GELU), fc2
  const Node* fc1 = findNode(g, "fc1 + fc1.bias + gelu.div + gelu.erf + gelu.add + gelu.mul + gelu.half");
  ASSERT_NE(fc1, nullptr);
  EXPECT_EQ(fc1->attrs.getString("activation"), "Gelu");
  EXPECT_NE(findNode(g, "kT + att.qk + att.scale + att.softmax + att.pv"), nullptr);
  // res2 follows fc2 (a Gemm): its epilogue. res1 follows the attention (no
  // output projection in this block): it stays an elementwise layer.
  EXPECT_NE(findNode(g, "fc2 + res2"), nullptr);
  EXPECT_EQ(findNode(g, "fc2"), nullptr);
  EXPECT_EQ(count(std::string(fused::kPointwise)), 1);
  EXPECT_NE(findNode(g, "PWN(res1)"), nullptr);
  expectSameOutputs(g, ref, 1e-5, 1e-5);

  Graph h = ref;
  PassLog log16;
  s = optimize(h, OptimizeOptions{DType::kFloat16, true}, log16);
  ASSERT_TRUE(s.ok()) << s.message();
  // fc2's residual Add (res2, whose fp32 graph output gets a Reformat) is its epilogue.
  const Node* fc2 = findNode(h, "fc2 + res2");
  ASSERT_NE(fc2, nullptr);
  EXPECT_EQ(fc2->op, std::string(fused::kGemm));
  EXPECT_EQ(h.values[size_t(fc2->outputs[0])].desc.dtype, DType::kFloat16);
  ASSERT_EQ(fc2->inputs.size(), 4u);
  EXPECT_EQ(h.values[size_t(fc2->inputs[3])].desc.dtype, DType::kFloat16);  // x2 in the compute type
  EXPECT_NE(findNode(h, "Reformatting CopyNode for Output Tensor 0 to fc2 + res2"), nullptr);
  EXPECT_TRUE(logHas(log16, "Converted 13 constants from Float to Half"));
  expectSameOutputs(h, ref, 1e-2, 1e-2);
}

}  // namespace
}  // namespace gpuscope::engine::testing
