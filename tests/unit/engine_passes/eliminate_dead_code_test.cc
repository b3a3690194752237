#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/passes/passes.h"
#include "pass_test_util.h"

namespace gpuscope::engine::testing {
namespace {

using ::testing::ElementsAre;

TEST(EliminateDeadCode, RemovesIdentityDropoutAndUnusedBranches) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 3});
  ValueId id = b.node("Identity", "id1", {x});
  ValueId relu = b.node("Relu", "relu1", {id});
  ValueId drop = b.node("Dropout", "drop1", {relu});
  b.node("Sigmoid", "unused_sigmoid", {x});  // reaches no output
  ValueId y = b.node("Tanh", "tanh1", {drop});
  b.output(y);
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(eliminateDeadCode(g, log).ok());
  EXPECT_THAT(nodeNames(g), ElementsAre("relu1", "tanh1"));
  EXPECT_EQ(g.nodes[0].inputs[0], g.inputs[0]);  // relu reads x directly
  EXPECT_TRUE(logHas(log, "Removing id1"));
  EXPECT_TRUE(logHas(log, "Removing drop1"));
  EXPECT_TRUE(logHas(log, "Removing unused_sigmoid"));
  expectSameOutputs(g, ref, 0, 0);
}

TEST(EliminateDeadCode, SameTypeCastGoesOtherCastStays) {
  GraphBuilder b;
  ValueId x = b.input("x", {3});
  ValueId same = b.node("Cast", "cast_same", {x}, attrs({{"to", int64_t(1)}}));     // FLOAT -> FLOAT
  ValueId half = b.node("Cast", "cast_half", {same}, attrs({{"to", int64_t(10)}}));  // FLOAT -> FLOAT16
  b.output(b.node("Relu", "relu", {half}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(eliminateDeadCode(g, log).ok());
  EXPECT_THAT(nodeNames(g), ElementsAre("cast_half", "relu"));
  expectSameOutputs(g, ref, 0, 0);
}

TEST(EliminateDeadCode, IdentityProducingAGraphOutputKeepsTheOutputName) {
  GraphBuilder b;
  ValueId x = b.input("x", {4});
  ValueId r = b.node("Relu", "relu1", {x});
  ValueId y = b.node("Identity", "out_identity", {r});
  b.output(y);
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(eliminateDeadCode(g, log).ok());
  EXPECT_THAT(nodeNames(g), ElementsAre("relu1"));
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.values[size_t(g.outputs[0])].name, "out_identity_out");
  EXPECT_EQ(g.values[size_t(g.outputs[0])].producer, 0);
  expectSameOutputs(g, ref, 0, 0);
}

TEST(EliminateDeadCode, IdentityOfAGraphInputAsOutputStays) {
  GraphBuilder b;
  ValueId x = b.input("x", {4});
  b.output(b.node("Identity", "passthrough", {x}));
  Graph g = b.build();
  PassLog log;
  ASSERT_TRUE(eliminateDeadCode(g, log).ok());
  EXPECT_THAT(nodeNames(g), ElementsAre("passthrough"));
}

TEST(EliminateDeadCode, DropoutInTrainingModeOrWithUsedMaskStays) {
  GraphBuilder b;
  ValueId x = b.input("x", {4});
  ValueId training = b.g.addConstant("training", HostTensor::fromInts(DType::kBool, {}, std::vector<int64_t>{1}));
  ValueId ratio = b.scalar("ratio", 0.f);
  ValueId d = b.node("Dropout", "train_drop", {x, ratio, training});
  b.output(b.node("Relu", "relu1", {d}));
  Graph g = b.g;  // no inference needed for the structural check
  PassLog log;
  ASSERT_TRUE(eliminateDeadCode(g, log).ok());
  EXPECT_THAT(nodeNames(g), ElementsAre("train_drop", "relu1"));
}

}  // namespace
}  // namespace gpuscope::engine::testing
