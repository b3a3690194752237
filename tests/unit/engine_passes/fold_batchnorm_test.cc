#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include "engine/passes/passes.h"
#include "pass_test_util.h"

namespace gpuscope::engine::testing {
namespace {

using ::testing::ElementsAre;

// x [1,3,6,6] -> Conv(4 out, 3x3, pad 1, optional bias) -> BN -> output
Graph convBn(bool conv_bias, DType wtype = DType::kFloat32) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 3, 6, 6}, wtype);
  std::vector<ValueId> conv_in{x, b.weight("w", {4, 3, 3, 3}, -0.5f, 0.5f, wtype)};
  if (conv_bias) conv_in.push_back(b.weight("cb", {4}, -1, 1, wtype));
  ValueId c = b.node("Conv", "conv1", conv_in, attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
  ValueId y = b.node("BatchNormalization", "bn1",
                     {c, b.weight("gamma", {4}, 0.5f, 1.5f, wtype), b.weight("beta", {4}, -1, 1, wtype),
                      b.weight("mean", {4}, -0.5f, 0.5f, wtype), b.weight("var", {4}, 0.1f, 2.f, wtype)},
                     attrs({{"epsilon", 1e-3f}}));
  b.output(y);
  return b.build();
}

TEST(FoldBatchNorm, FoldsIntoConvWithAndWithoutBias) {
  for (bool bias : {false, true}) {
    Graph ref = convBn(bias);
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(foldBatchNorm(g, log).ok());
    EXPECT_THAT(opTypes(g), ElementsAre("Conv"));
    EXPECT_THAT(nodeNames(g), ElementsAre("conv1 + bn1"));
    EXPECT_THAT(g.nodes[0].origin, ElementsAre("conv1", "bn1"));
    ASSERT_EQ(g.nodes[0].inputs.size(), 3u);
    EXPECT_TRUE(g.isConstant(g.nodes[0].inputs[1]));
    EXPECT_TRUE(g.isConstant(g.nodes[0].inputs[2]));
    EXPECT_EQ(g.values[size_t(g.outputs[0])].name, "bn1_out");  // graph output name kept
    EXPECT_TRUE(logHas(log, "ConvScaleFusion: Fusing conv1 with bn1"));
    expectSameOutputs(g, ref, 1e-5, 1e-5);
  }
}

TEST(FoldBatchNorm, HandComputedChannel) {
  // 1x1 conv, one channel: y = w*x; BN: (y - mean)/sqrt(var+eps)*gamma + beta.
  GraphBuilder b;
  ValueId x = b.input("x", {1, 1, 1, 2});
  ValueId c = b.node("Conv", "conv", {x, b.constant("w", {1, 1, 1, 1}, {2.f})});
  b.output(b.node("BatchNormalization", "bn",
                  {c, b.constant("g", {1}, {3.f}), b.constant("bt", {1}, {1.f}), b.constant("m", {1}, {4.f}),
                   b.constant("v", {1}, {0.25f})},
                  attrs({{"epsilon", 0.f}})));
  Graph g = b.build();
  PassLog log;
  ASSERT_TRUE(foldBatchNorm(g, log).ok());
  // s = 3 / 0.5 = 6: W' = 12, B' = (0 - 4) * 6 + 1 = -23.
  EXPECT_FLOAT_EQ(g.constantOf(g.nodes[0].inputs[1])->getDouble(0), 12.0);
  EXPECT_FLOAT_EQ(g.constantOf(g.nodes[0].inputs[2])->getDouble(0), -23.0);
}

TEST(FoldBatchNorm, KeepsWeightDtype) {
  Graph ref = convBn(true, DType::kFloat16);
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(foldBatchNorm(g, log).ok());
  ASSERT_THAT(opTypes(g), ElementsAre("Conv"));
  EXPECT_EQ(g.constantOf(g.nodes[0].inputs[1])->dtype(), DType::kFloat16);
  EXPECT_EQ(g.constantOf(g.nodes[0].inputs[2])->dtype(), DType::kFloat16);
  expectSameOutputs(g, ref, 1e-2, 1e-2);
}

TEST(FoldBatchNorm, NonConstantBnOrSharedConvOutputOrLoneBnStay) {
  {  // BN scale is a graph input
    GraphBuilder b;
    ValueId x = b.input("x", {1, 2, 4, 4});
    ValueId gamma = b.input("gamma", {2});
    ValueId c = b.node("Conv", "conv1", {x, b.weight("w", {2, 2, 1, 1})});
    b.output(b.node("BatchNormalization", "bn1",
                    {c, gamma, b.weight("beta", {2}), b.weight("mean", {2}), b.weight("var", {2}, 0.5f, 1.f)}));
    Graph g = b.build();
    PassLog log;
    ASSERT_TRUE(foldBatchNorm(g, log).ok());
    EXPECT_THAT(opTypes(g), ElementsAre("Conv", "BatchNormalization"));
  }
  {  // the conv output is also read by another node
    GraphBuilder b;
    ValueId x = b.input("x", {1, 2, 4, 4});
    ValueId c = b.node("Conv", "conv1", {x, b.weight("w", {2, 2, 1, 1})});
    ValueId bn = b.node("BatchNormalization", "bn1",
                        {c, b.weight("g", {2}), b.weight("beta", {2}), b.weight("mean", {2}), b.weight("var", {2}, 0.5f, 1.f)});
    b.output(b.node("Add", "add1", {bn, c}));
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(foldBatchNorm(g, log).ok());
    EXPECT_THAT(opTypes(g), ElementsAre("Conv", "BatchNormalization", "Add"));
  }
  {  // BN after a Relu: nothing to fold into
    GraphBuilder b;
    ValueId x = b.input("x", {1, 2, 4, 4});
    ValueId r = b.node("Relu", "relu1", {x});
    b.output(b.node("BatchNormalization", "bn1",
                    {r, b.weight("g", {2}), b.weight("beta", {2}), b.weight("mean", {2}), b.weight("var", {2}, 0.5f, 1.f)}));
    Graph g = b.build();
    PassLog log;
    ASSERT_TRUE(foldBatchNorm(g, log).ok());
    EXPECT_THAT(opTypes(g), ElementsAre("Relu", "BatchNormalization"));
  }
}

}  // namespace
}  // namespace gpuscope::engine::testing
