// PointWiseFusion: groups, names, literals, and the fused graph computing
// exactly what the unfused one computes on the CPU reference path.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/ops/fused_ops.h"
#include "engine/ops/pointwise/program.h"
#include "engine/passes/fuse_pointwise.h"
#include "test_util.h"

namespace gpuscope::engine {
namespace {

using pwtest::addOp;
using pwtest::addScalar;

std::vector<const Node*> liveNodes(const Graph& g) {
  std::vector<const Node*> out;
  for (const Node& n : g.nodes)
    if (!n.dead) out.push_back(&n);
  return out;
}

void expectSameOutputs(const Graph& before, const Graph& after, const std::map<std::string, HostTensor>& feeds) {
  auto a = pwtest::runGraph(before, feeds);
  auto b = pwtest::runGraph(after, feeds);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok()) << b.status().message();
  ASSERT_EQ(a->size(), b->size());
  for (size_t k = 0; k < a->size(); ++k) {
    ASSERT_EQ((*a)[k].desc(), (*b)[k].desc());
    ASSERT_EQ((*a)[k].byteSize(), (*b)[k].byteSize());
    EXPECT_EQ(std::memcmp((*a)[k].raw(), (*b)[k].raw(), (*a)[k].byteSize()), 0) << "output " << k << " differs";
  }
}

// y = x * 0.5 * (1 + erf(x / sqrt(2))), as torch.onnx writes it.
Graph geluGraph(Shape shape) {
  Graph g;
  ValueId x = g.addValue("x", {DType::kFloat32, shape});
  g.inputs = {x};
  ValueId d = addOp(g, "Div", "/mlp/act/Div", {x, addScalar(g, "sqrt2", 1.4142135f)});
  ValueId e = addOp(g, "Erf", "/mlp/act/Erf", {d});
  ValueId a = addOp(g, "Add", "/mlp/act/Add", {e, addScalar(g, "one", 1.f)});
  ValueId m = addOp(g, "Mul", "/mlp/act/Mul", {x, a});
  ValueId y = addOp(g, "Mul", "/mlp/act/Mul_1", {m, addScalar(g, "half", 0.5f)});
  g.outputs = {y};
  EXPECT_TRUE(inferShapes(g, {.fold_constants = false}).ok());
  return g;
}

TEST(FusePointwise, ErfGeluBecomesOnePwn) {
  Graph g = geluGraph({2, 3, 8});
  Graph before = g;
  ASSERT_TRUE(fusePointwise(g).ok());
  auto live = liveNodes(g);
  ASSERT_EQ(live.size(), 1u);
  const Node& n = *live[0];
  EXPECT_EQ(n.op, fused::kPointwise);
  EXPECT_EQ(n.name, "PWN(/mlp/act/Div, /mlp/act/Erf, /mlp/act/Add, /mlp/act/Mul, /mlp/act/Mul_1)");
  EXPECT_EQ(n.origin, (std::vector<std::string>{"/mlp/act/Div", "/mlp/act/Erf", "/mlp/act/Add", "/mlp/act/Mul",
                                                "/mlp/act/Mul_1"}));
  ASSERT_EQ(n.inputs.size(), 1u);  // the three scalars became literals
  EXPECT_EQ(g.values[size_t(n.inputs[0])].name, "x");
  auto p = pointwise::parseProgram(n.attrs.getString("program"));
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->literals.size(), 3u);
  EXPECT_EQ(p->statements.size(), 5u);
  ASSERT_TRUE(inferShapes(g, {.fold_constants = false}).ok());  // may compact: re-read the node
  EXPECT_EQ(g.values[size_t(liveNodes(g)[0]->outputs[0])].desc, (TensorDesc{DType::kFloat32, {2, 3, 8}}));
  expectSameOutputs(before, g, {{"x", pwtest::randomTensor(DType::kFloat32, {2, 3, 8}, 7)}});
}

TEST(FusePointwise, SingleNodeIsWrappedAndGraphOutputsStayVisible) {
  Graph g;
  ValueId x = g.addValue("x", {DType::kFloat32, {4, 6}});
  ValueId b = g.addValue("b", {DType::kFloat32, {6}});
  g.inputs = {x, b};
  ValueId s = addOp(g, "Add", "add", {x, b});
  ValueId r = addOp(g, "Relu", "relu", {s});
  ValueId t = addOp(g, "Tanh", "tanh", {r});
  g.outputs = {r, t};  // relu's output is a graph output: it cannot be internal
  ASSERT_TRUE(inferShapes(g, {.fold_constants = false}).ok());
  Graph before = g;
  ASSERT_TRUE(fusePointwise(g).ok());
  auto live = liveNodes(g);
  ASSERT_EQ(live.size(), 2u);
  std::vector<std::string> names = {live[0]->name, live[1]->name};
  EXPECT_EQ(names, (std::vector<std::string>{"PWN(add, relu)", "PWN(tanh)"}));
  EXPECT_EQ(live[0]->inputs.size(), 2u);  // b is not a constant: stays an input
  expectSameOutputs(before, g,
                    {{"x", pwtest::randomTensor(DType::kFloat32, {4, 6}, 1)},
                     {"b", pwtest::randomTensor(DType::kFloat32, {6}, 2)}});
}

TEST(FusePointwise, DiamondWithSharedIntermediateFusesAndShapeChangeSplits) {
  // SiLU written out: s = Add(x, b); y = Mul(s, Sigmoid(s)) (s read twice inside
  // the group); then z = Add(y[2,1,5], w[1,4,5]) widens the shape: new group.
  Graph g;
  ValueId x = g.addValue("x", {DType::kFloat32, {2, 1, 5}});
  ValueId w = g.addValue("w", {DType::kFloat32, {1, 4, 5}});
  g.inputs = {x, w};
  HostTensor bias = pwtest::randomTensor(DType::kFloat32, {5}, 3);
  ValueId bc = g.addConstant("bias", bias);
  ValueId s = addOp(g, "Add", "add", {x, bc});
  ValueId sg = addOp(g, "Sigmoid", "sig", {s});
  ValueId y = addOp(g, "Mul", "mul", {s, sg});
  ValueId z = addOp(g, "Add", "widen", {y, w});
  ValueId o = addOp(g, "Neg", "neg", {z});
  g.outputs = {o};
  ASSERT_TRUE(inferShapes(g, {.fold_constants = false}).ok());
  Graph before = g;
  ASSERT_TRUE(fusePointwise(g).ok());
  auto live = liveNodes(g);
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[0]->name, "PWN(add, sig, mul)");
  EXPECT_EQ(live[1]->name, "PWN(widen, neg)");
  EXPECT_EQ(live[0]->inputs.size(), 2u);  // x and the 5-element bias constant
  expectSameOutputs(before, g,
                    {{"x", pwtest::randomTensor(DType::kFloat32, {2, 1, 5}, 4)},
                     {"w", pwtest::randomTensor(DType::kFloat32, {1, 4, 5}, 5)}});
}

TEST(FusePointwise, HighRankScalarConstantStaysWhenItSetsTheShape) {
  // Add(x[4], c[1,1,1]) has shape [1,1,4]: folding c would lose the rank.
  Graph g;
  ValueId x = g.addValue("x", {DType::kFloat32, {4}});
  g.inputs = {x};
  ValueId c = addScalar(g, "c", 2.f, DType::kFloat32, {1, 1, 1});
  ValueId y = addOp(g, "Add", "add", {x, c});
  g.outputs = {y};
  ASSERT_TRUE(inferShapes(g, {.fold_constants = false}).ok());
  Graph before = g;
  ASSERT_TRUE(fusePointwise(g).ok());
  auto live = liveNodes(g);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0]->inputs.size(), 2u);
  ASSERT_TRUE(inferShapes(g, {.fold_constants = false}).ok());
  EXPECT_EQ(g.values[size_t(liveNodes(g)[0]->outputs[0])].desc.shape, (Shape{1, 1, 4}));
  expectSameOutputs(before, g, {{"x", pwtest::floats({4}, {1, 2, 3, 4})}});
}

TEST(FusePointwise, Fp16ChainWithCastsAndCompareWhere) {
  // fp16 x -> Cast fp32 -> Mul c -> Cast fp16; mask = Less(x, 0); Where(mask, x, cast) :
  // one group, the literal keeps fp32, the output is fp16.
  Graph g;
  ValueId x = g.addValue("x", {DType::kFloat16, {3, 8}});
  g.inputs = {x};
  Attributes to32, to16;
  to32.set("to", int64_t(1));
  to16.set("to", int64_t(10));
  ValueId c1 = addOp(g, "Cast", "cast32", {x}, to32);
  ValueId m = addOp(g, "Mul", "scale", {c1, addScalar(g, "k", 0.3f)});
  ValueId c2 = addOp(g, "Cast", "cast16", {m}, to16);
  ValueId lt = addOp(g, "Less", "neg_mask", {x, addScalar(g, "zero", 0.f, DType::kFloat16)});
  ValueId w = addOp(g, "Where", "where", {lt, x, c2});
  g.outputs = {w};
  if (!OpRegistry::instance().find("Where") || !OpRegistry::instance().find("Cast"))
    GTEST_SKIP() << "Where/Cast OpDefs (ops/nn) not linked in this tree yet";
  ASSERT_TRUE(inferShapes(g, {.fold_constants = false}).ok());
  Graph before = g;
  ASSERT_TRUE(fusePointwise(g).ok());
  auto live = liveNodes(g);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0]->name, "PWN(cast32, scale, cast16, neg_mask, where)");
  ASSERT_TRUE(inferShapes(g, {.fold_constants = false}).ok());
  EXPECT_EQ(g.values[size_t(liveNodes(g)[0]->outputs[0])].desc.dtype, DType::kFloat16);
  expectSameOutputs(before, g, {{"x", pwtest::randomTensor(DType::kFloat16, {3, 8}, 9)}});
}

TEST(FusePointwise, NonElementwiseNodesAndFp64AreLeftAlone) {
  Graph g;
  ValueId x = g.addValue("x", {DType::kFloat64, {4}});
  g.inputs = {x};
  ValueId y = addOp(g, "Relu", "relu64", {x});
  g.outputs = {y};
  ASSERT_TRUE(inferShapes(g, {.fold_constants = false}).ok());
  ASSERT_TRUE(fusePointwise(g).ok());
  ASSERT_EQ(liveNodes(g).size(), 1u);
  EXPECT_EQ(liveNodes(g)[0]->op, "Relu");
}

}  // namespace
}  // namespace gpuscope::engine

namespace gpuscope::engine {
namespace {

TEST(FusePointwise, GroupsBeyondTheKernelInputLimitStayUnfused) {
  Graph g;
  ValueId acc = g.addValue("x0", {DType::kFloat32, {3}});
  g.inputs = {acc};
  for (int k = 1; k <= pointwise::kMaxProgramInputs; ++k) {  // 17 inputs in one chain
    ValueId in = g.addValue(fmt::format("x{}", k), {DType::kFloat32, {3}});
    g.inputs.push_back(in);
    acc = pwtest::addOp(g, "Add", fmt::format("add{}", k), {acc, in});
  }
  g.outputs = {acc};
  ASSERT_TRUE(inferShapes(g, {.fold_constants = false}).ok());
  ASSERT_TRUE(fusePointwise(g).ok());
  int adds = 0;
  for (const Node& n : g.nodes) adds += !n.dead && n.op == "Add";
  EXPECT_EQ(adds, pointwise::kMaxProgramInputs);
}

}  // namespace
}  // namespace gpuscope::engine
