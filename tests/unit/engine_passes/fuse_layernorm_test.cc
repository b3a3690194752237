#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/passes/passes.h"
#include "pass_test_util.h"

namespace gpuscope::engine::testing {
namespace {

using ::testing::ElementsAre;

struct LnOptions {
  int64_t opset = 18;
  bool pow = true;         // Pow(d, 2) vs Mul(d, d)
  bool reciprocal = false; // Div vs Reciprocal + Mul
  int64_t axis = -1;
  bool scale_bias = true;
};

// x [2,3,8] -> decomposed LayerNorm -> output (then a Relu reads x too: x may have other users).
Graph decomposed(const LnOptions& o) {
  GraphBuilder b(o.opset);
  ValueId x = b.input("x", {2, 3, 8});
  auto mean = [&](const std::string& name, ValueId in) {
    if (o.opset >= 18) return b.node("ReduceMean", name, {in, b.ints(name + "_axes", {o.axis})});
    return b.node("ReduceMean", name, {in}, attrs({{"axes", std::vector<int64_t>{o.axis}}}));
  };
  ValueId mu = mean("mean1", x);
  ValueId d = b.node("Sub", "sub", {x, mu});
  ValueId sq = o.pow ? b.node("Pow", "pow", {d, b.scalar("two", 2.f)}) : b.node("Mul", "square", {d, d});
  ValueId var = mean("mean2", sq);
  ValueId ve = b.node("Add", "add_eps", {var, b.scalar("eps", 1e-5f)});
  ValueId sd = b.node("Sqrt", "sqrt", {ve});
  ValueId n;
  if (o.reciprocal) {
    ValueId r = b.node("Reciprocal", "recip", {sd});
    n = b.node("Mul", "norm", {d, r});
  } else {
    n = b.node("Div", "norm", {d, sd});
  }
  if (o.scale_bias) {
    ValueId s = b.node("Mul", "scale", {n, b.weight("gamma", {8})});
    n = b.node("Add", "shift", {b.weight("beta", {8}), s});
  }
  b.output(n);
  b.output(b.node("Relu", "other_user", {x}));
  return b.build();
}

TEST(FuseLayerNorm, DecomposedFormsBecomeLayerNormalization) {
  for (LnOptions o : {LnOptions{}, LnOptions{13, false, true}, LnOptions{18, true, false, 2}, LnOptions{17, false, false, -1, false}}) {
    SCOPED_TRACE(::testing::Message() << "opset " << o.opset << " pow " << o.pow << " recip " << o.reciprocal);
    Graph ref = decomposed(o);
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(fuseLayerNorm(g, log).ok());
    ASSERT_THAT(opTypes(g), ElementsAre("LayerNormalization", "Relu"));
    const Node& ln = g.nodes[0];
    std::vector<std::string> expected{"mean1", "sub", o.pow ? "pow" : "square", "mean2", "add_eps", "sqrt"};
    if (o.reciprocal) expected.push_back("recip");
    expected.push_back("norm");
    if (o.scale_bias) {
      expected.push_back("scale");
      expected.push_back("shift");
    }
    EXPECT_EQ(ln.origin, expected);
    EXPECT_EQ(ln.attrs.getInt("axis", 0), -1);
    EXPECT_FLOAT_EQ(ln.attrs.getFloat("epsilon", 0), 1e-5f);
    EXPECT_EQ(ln.inputs.size(), o.scale_bias ? 3u : 2u);
    expectSameOutputs(g, ref, 1e-5, 1e-5);
  }
}

TEST(FuseLayerNorm, NotOverAnotherAxisOrWithSharedIntermediate) {
  {
    Graph g = decomposed(LnOptions{18, true, false, 1});
    PassLog log;
    ASSERT_TRUE(fuseLayerNorm(g, log).ok());
    EXPECT_EQ(opTypes(g).front(), "ReduceMean");
    EXPECT_EQ(opTypes(g).size(), 10u);
  }
  {  // the centred value is also a graph output
    Graph g = decomposed(LnOptions{});
    g.outputs.push_back(g.findValue("sub_out"));
    Graph ref = g;
    PassLog log;
    ASSERT_TRUE(fuseLayerNorm(g, log).ok());
    EXPECT_EQ(opTypes(g).front(), "ReduceMean");
    expectSameOutputs(g, ref, 0, 0);
  }
}

}  // namespace
}  // namespace gpuscope::engine::testing
