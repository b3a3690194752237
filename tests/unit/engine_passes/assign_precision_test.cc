#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/ops/fused_ops.h"
#include "engine/passes/passes.h"
#include "pass_test_util.h"

namespace gpuscope::engine::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;
const std::string kReformat(fused::kReformat);

// x [1,3,6,6] -> Conv -> Relu -> y; plus int64 ids -> Gather from a table -> e.
Graph smallNet() {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 3, 6, 6});
  ValueId c = b.node("Conv", "conv1", {x, b.weight("w", {4, 3, 3, 3}, -0.3f, 0.3f), b.weight("cb", {4})});
  b.output(b.node("Relu", "relu1", {c}));
  ValueId ids = b.input("ids", {3}, DType::kInt64);
  b.output(b.node("Gather", "embed", {b.weight("table", {10, 4}), ids}));
  return b.g;  // inference after inputs get values
}

std::map<std::string, HostTensor> netInputs(const Graph& g) {
  auto in = randomInputs(g);
  in["ids"] = HostTensor::fromInts(DType::kInt64, {3}, std::vector<int64_t>{0, 7, 3});
  return in;
}

TEST(AssignPrecision, HalfAndBf16WithReformatLayersAtTheBoundaries) {
  for (DType t : {DType::kFloat16, DType::kBFloat16}) {
    SCOPED_TRACE(dtypeName(t));
    GraphBuilder b;
    b.g = smallNet();
    Graph ref = b.build();
    Graph g = ref;
    PassLog log;
    ASSERT_TRUE(assignPrecision(g, t, log).ok());
    EXPECT_THAT(nodeNames(g), UnorderedElementsAre("Reformatting CopyNode for Input Tensor 0 to conv1", "conv1", "relu1",
                                                   "Reformatting CopyNode for Output Tensor 0 to relu1", "embed",
                                                   "Reformatting CopyNode for Output Tensor 0 to embed"));
    const Node* in_reformat = findNode(g, "Reformatting CopyNode for Input Tensor 0 to conv1");
    ASSERT_NE(in_reformat, nullptr);
    EXPECT_EQ(in_reformat->op, kReformat);
    EXPECT_EQ(in_reformat->inputs[0], g.inputs[0]);
    EXPECT_EQ(in_reformat->attrs.getInt("to", 0), dtypeToOnnx(t));
    const Node* conv = findNode(g, "conv1");
    ASSERT_NE(conv, nullptr);
    EXPECT_EQ(g.values[size_t(conv->inputs[0])].desc.dtype, t);
    EXPECT_EQ(g.constantOf(conv->inputs[1])->dtype(), t);   // weights
    EXPECT_EQ(g.constantOf(conv->inputs[2])->dtype(), t);   // bias
    EXPECT_EQ(g.values[size_t(conv->outputs[0])].desc.dtype, t);
    // I/O keep the model's types; the int64 ids are untouched.
    EXPECT_EQ(g.values[size_t(g.inputs[0])].desc.dtype, DType::kFloat32);
    EXPECT_EQ(g.values[size_t(g.inputs[1])].desc.dtype, DType::kInt64);
    EXPECT_EQ(g.values[size_t(g.outputs[0])].desc.dtype, DType::kFloat32);
    EXPECT_EQ(g.values[size_t(g.outputs[0])].name, "relu1_out");
    EXPECT_TRUE(logHas(log, std::string("Adding reformat layer: Reformatting CopyNode for Input Tensor 0 to conv1 (x) from Float to ") +
                                (t == DType::kFloat16 ? "Half" : "BF16")));
    auto inputs = netInputs(ref);
    auto want = runGraph(ref, inputs);
    auto got = runGraph(g, inputs);
    ASSERT_TRUE(want.ok()) << want.status().message();
    ASSERT_TRUE(got.ok()) << got.status().message();
    // bf16 keeps 8 mantissa bits: 1e-2 relative plus a small absolute floor for values near 0.
    for (size_t i = 0; i < 2; ++i) expectClose((*got)[i], (*want)[i], 1e-2, 1e-2, "output " + std::to_string(i));
  }
}

TEST(AssignPrecision, OutputAlsoReadInsideTheGraph) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 3});
  ValueId r = b.node("Relu", "relu", {x});
  b.output(r);
  b.output(b.node("Sigmoid", "sig", {r}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(assignPrecision(g, DType::kFloat16, log).ok());
  const Node* sig = findNode(g, "sig");
  const Node* out_reformat = findNode(g, "Reformatting CopyNode for Output Tensor 0 to relu");
  ASSERT_NE(sig, nullptr);
  ASSERT_NE(out_reformat, nullptr);
  // The sigmoid reads the fp16 value the Relu writes, not the fp32 copy.
  EXPECT_EQ(sig->inputs[0], out_reformat->inputs[0]);
  EXPECT_EQ(g.values[size_t(sig->inputs[0])].desc.dtype, DType::kFloat16);
  EXPECT_EQ(out_reformat->outputs[0], g.outputs[0]);
  EXPECT_EQ(g.liveNodeCount(), 5);  // input reformat, relu, sig, two output reformats
  expectSameOutputs(g, ref, 1e-2, 1e-2);
}

TEST(AssignPrecision, Fp32IsANoOpAndBadTypeIsRejected) {
  GraphBuilder b;
  b.g = smallNet();
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(assignPrecision(g, DType::kFloat32, log).ok());
  EXPECT_EQ(nodeNames(g), nodeNames(ref));
  EXPECT_FALSE(assignPrecision(g, DType::kInt8, log).ok());
}

TEST(AssignPrecision, HalfClampsOutOfRangeConstants) {
  GraphBuilder b;
  ValueId x = b.input("x", {4});
  ValueId big = b.constant("big", {4}, {1e6f, -1e6f, 2.f, -std::numeric_limits<float>::infinity()});
  b.output(b.node("Max", "max", {x, big}));
  Graph g = b.build();
  PassLog log;
  ASSERT_TRUE(assignPrecision(g, DType::kFloat16, log).ok());
  const HostTensor* c = g.constantOf(g.findValue("big"));
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->dtype(), DType::kFloat16);
  EXPECT_EQ(c->getDouble(0), 65504.0);
  EXPECT_EQ(c->getDouble(1), -65504.0);
  EXPECT_EQ(c->getDouble(2), 2.0);
  EXPECT_EQ(c->getDouble(3), -std::numeric_limits<double>::infinity());  // infinities stay
  EXPECT_TRUE(logHas(log, "Weights big has 2 values outside the FP16 range; clamped to +-65504"));
}

}  // namespace
}  // namespace gpuscope::engine::testing
