#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/ops/fused_ops.h"
#include "engine/passes/passes.h"
#include "pass_test_util.h"

namespace gpuscope::engine::testing {
namespace {

using ::testing::ElementsAre;

TEST(FuseConv, BiasResidualReluBecomeOneLayer) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 3, 5, 5});
  ValueId skip = b.input("skip", {2, 4, 5, 5});
  ValueId c = b.node("Conv", "conv1", {x, b.weight("w", {4, 3, 3, 3}), b.weight("cb", {4})},
                     attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
  ValueId a1 = b.node("Add", "bias1", {c, b.weight("bias", {1, 4, 1, 1})});
  ValueId a2 = b.node("Add", "res1", {skip, a1});
  b.output(b.node("Relu", "relu1", {a2}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseConv(g, log).ok());
  ASSERT_THAT(opTypes(g), ElementsAre(std::string(fused::kConv)));
  const Node& n = g.nodes[0];
  EXPECT_EQ(n.name, "conv1 + bias1 + res1 + relu1");
  EXPECT_THAT(n.origin, ElementsAre("conv1", "bias1", "res1", "relu1"));
  EXPECT_EQ(n.attrs.getString("activation"), "Relu");
  ASSERT_EQ(n.inputs.size(), 4u);
  EXPECT_EQ(n.inputs[3], g.findValue("skip"));
  EXPECT_TRUE(logHas(log, "ConvReluFusion: Fusing conv1 + bias1 + res1 with relu1"));
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseConv, SameUpperPadsResolvedAndClipBoundsRead) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 2, 7, 7});
  ValueId c = b.node("Conv", "conv1", {x, b.weight("w", {3, 2, 4, 4})},
                     attrs({{"auto_pad", std::string("SAME_UPPER")}, {"strides", std::vector<int64_t>{2, 2}}}));
  b.output(b.node("Clip", "clip1", {c, b.scalar("lo", -0.25f), b.scalar("hi", 0.5f)}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseConv(g, log).ok());
  ASSERT_THAT(opTypes(g), ElementsAre(std::string(fused::kConv)));
  const Node& n = g.nodes[0];
  // out = ceil(7/2) = 4; total pad = (4-1)*2 + 4 - 7 = 3: begin 1, end 2 (SAME_UPPER puts the extra at the end).
  EXPECT_EQ(n.attrs.getInts("pads"), (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_FALSE(n.attrs.has("auto_pad"));
  EXPECT_EQ(n.attrs.getString("activation"), "Clip");
  EXPECT_FLOAT_EQ(n.attrs.getFloat("clip_min", 0), -0.25f);
  EXPECT_FLOAT_EQ(n.attrs.getFloat("clip_max", 0), 0.5f);
  EXPECT_EQ(n.inputs.size(), 2u);
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseConv, SigmoidAndScalarBias) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 2, 4, 4});
  ValueId c = b.node("Conv", "conv1", {x, b.weight("w", {2, 2, 3, 3})});
  ValueId a = b.node("Add", "add1", {c, b.scalar("s", 0.75f)});
  b.output(b.node("Sigmoid", "sig1", {a}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseConv(g, log).ok());
  ASSERT_THAT(nodeNames(g), ElementsAre("conv1 + add1 + sig1"));
  EXPECT_EQ(g.nodes[0].attrs.getString("activation"), "Sigmoid");
  EXPECT_EQ(g.constantOf(g.nodes[0].inputs[2])->shape(), (Shape{2}));
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseConv, WrongBiasShapeAndSharedIntermediateDoNotFuse) {
  {  // [1,1,1,4] varies along W, not per channel: the Add stays (the conv alone is converted)
    GraphBuilder b;
    ValueId x = b.input("x", {1, 2, 4, 4});
    ValueId c = b.node("Conv", "conv1", {x, b.weight("w", {2, 2, 1, 1})});
    ValueId a = b.node("Add", "add1", {c, b.weight("row", {1, 1, 1, 4})});
    b.output(b.node("Relu", "relu1", {a}));
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(fuseConv(g, log).ok());
    EXPECT_THAT(opTypes(g), ElementsAre(std::string(fused::kConv), "Add", "Relu"));
    EXPECT_THAT(nodeNames(g), ElementsAre("conv1", "add1", "relu1"));
    expectSameOutputs(g, ref, 1e-5, 1e-5);
  }
  {  // the conv output feeds the Relu and a second consumer: no epilogue
    GraphBuilder b;
    ValueId x = b.input("x", {1, 2, 4, 4});
    ValueId c = b.node("Conv", "conv1", {x, b.weight("w", {2, 2, 1, 1})});
    ValueId r = b.node("Relu", "relu1", {c});
    b.output(b.node("Mul", "mul1", {r, c}));
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(fuseConv(g, log).ok());
    EXPECT_THAT(opTypes(g), ElementsAre(std::string(fused::kConv), "Relu", "Mul"));
    expectSameOutputs(g, ref, 1e-5, 1e-5);
  }
  {  // a residual broadcast from a smaller shape is not a residual
    GraphBuilder b;
    ValueId x = b.input("x", {1, 2, 4, 4});
    ValueId z = b.input("z", {1, 2, 1, 4});
    ValueId c = b.node("Conv", "conv1", {x, b.weight("w", {2, 2, 1, 1})});
    b.output(b.node("Add", "add1", {c, z}));
    Graph g = b.build();
    PassLog log;
    ASSERT_TRUE(fuseConv(g, log).ok());
    EXPECT_THAT(opTypes(g), ElementsAre(std::string(fused::kConv), "Add"));
  }
}

TEST(FuseConv, ConvBnReluThroughFoldAndFuse) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 3, 6, 6});
  ValueId c = b.node("Conv", "conv1", {x, b.weight("w", {4, 3, 3, 3})}, attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
  ValueId bn = b.node("BatchNormalization", "bn1",
                      {c, b.weight("g", {4}), b.weight("beta", {4}), b.weight("mean", {4}), b.weight("var", {4}, 0.5f, 1.f)});
  b.output(b.node("Relu", "relu", {bn}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(foldBatchNorm(g, log).ok());
  ASSERT_TRUE(fuseConv(g, log).ok());
  EXPECT_THAT(nodeNames(g), ElementsAre("conv1 + bn1 + relu"));  // TensorRT's own example name
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

}  // namespace
}  // namespace gpuscope::engine::testing
