// The IR core (Graph::topologicalOrder, replaceUses, compact, consumers;
// bindInputShapes) on imported models.
#include <gtest/gtest.h>

#include "engine/onnx/onnx_import.h"
#include "engine/ops/op_def.h"
#include "engine/passes/infer_shapes.h"
#include "fixtures/onnx_fixture.h"
#include "unit/engine_onnx/onnx_test_util.h"

namespace gpuscope::engine {
namespace {

using test::expectInvalid;

Graph importOrDie(const std::string& bytes) {
  auto g = importOnnxBytes(bytes, "model.onnx");
  EXPECT_TRUE(g.ok()) << g.status().message();
  return g.ok() ? std::move(g).value() : Graph{};
}

TEST(OnnxGraphCore, UnsortedNodesImportAndSort) {
  // Written consumer-first: c = Neg(b), b = Relu(a), a = Abs(x).
  testing::OnnxModelSpec spec;
  spec.inputs = {{"x", DType::kFloat32, Shape{4}}};
  spec.outputs = {{"c", DType::kFloat32, Shape{4}}};
  spec.nodes = {{"Neg", {"b"}, {"c"}, {}, "neg"}, {"Relu", {"a"}, {"b"}, {}, "relu"}, {"Abs", {"x"}, {"a"}, {}, "abs"}};
  Graph g = importOrDie(testing::makeOnnxModel(spec));
  ASSERT_EQ(g.nodes.size(), 3u);
  EXPECT_EQ(g.nodes[0].name, "neg");  // import keeps the file's order
  auto order = g.topologicalOrder();
  ASSERT_TRUE(order.ok()) << order.status().message();
  EXPECT_EQ(*order, (std::vector<NodeId>{2, 1, 0}));
  // compact() renumbers into topological order.
  g.compact();
  EXPECT_EQ(g.nodes[0].name, "abs");
  EXPECT_EQ(g.nodes[2].name, "neg");
  EXPECT_EQ(g.values[size_t(g.outputs[0])].producer, 2);
}

TEST(OnnxGraphCore, CompactDropsDeadNodesAndUnusedValues) {
  Graph g = importOrDie(testing::makeTinyCnnOnnx(""));
  size_t values_before = g.values.size();
  // Remove the second Relu: the GlobalAveragePool reads the Add directly.
  NodeId relu = 6, add = 5, gap = 7;
  ASSERT_EQ(g.nodes[size_t(relu)].op, "Relu");
  ValueId relu_out = g.nodes[size_t(relu)].outputs[0];
  ValueId add_out = g.nodes[size_t(add)].outputs[0];
  g.nodes[size_t(relu)].dead = true;
  g.replaceUses(relu_out, add_out);
  EXPECT_EQ(g.nodes[size_t(gap)].inputs[0], add_out);
  EXPECT_EQ(g.liveNodeCount(), 9);
  auto users = g.consumers();
  EXPECT_EQ(users[size_t(add_out)], (std::vector<NodeId>{gap}));
  EXPECT_TRUE(users[size_t(relu_out)].empty());
  g.compact();
  EXPECT_EQ(g.nodes.size(), 9u);
  EXPECT_EQ(g.values.size(), values_before - 1);  // the Relu's output
  EXPECT_EQ(g.findValue("/relu_1/Relu_output_0"), kNoValue);
  EXPECT_EQ(g.nodes[6].op, "GlobalAveragePool");
  EXPECT_EQ(g.values[size_t(g.nodes[6].inputs[0])].producer, 5);
  EXPECT_EQ(g.nodes[5].op, "Add");
  EXPECT_EQ(g.values[size_t(g.outputs[0])].name, "logits");
  EXPECT_EQ(g.values[size_t(g.outputs[0])].producer, 8);
  // Weights still resolve after renumbering.
  EXPECT_NE(g.constantOf(g.nodes[0].inputs[1]), nullptr);
  EXPECT_EQ(g.values[size_t(g.nodes[0].inputs[1])].name, "conv1.weight");
}

TEST(OnnxGraphCore, UnusedInitializersAreDroppedByCompact) {
  std::vector<std::pair<std::string, HostTensor>> inits;
  inits.emplace_back("unused", HostTensor(DType::kFloat32, Shape{3}));
  testing::OnnxModelSpec spec;
  spec.inputs = {{"x", DType::kFloat32, Shape{3}}};
  spec.outputs = {{"y", DType::kFloat32, Shape{3}}};
  spec.initializers = inits;
  spec.nodes = {{"Relu", {"x"}, {"y"}}};
  Graph g = importOrDie(testing::makeOnnxModel(spec));
  EXPECT_NE(g.findValue("unused"), kNoValue);  // import keeps it
  g.compact();
  EXPECT_EQ(g.findValue("unused"), kNoValue);
  EXPECT_EQ(g.values.size(), 2u);
}

TEST(OnnxGraphCore, BindInputShapes) {
  Graph cnn = importOrDie(testing::makeTinyCnnOnnx(""));
  expectInvalid(bindInputShapes(cnn, {}), {"input 'input'", "'N'", "--shapes"});
  expectInvalid(bindInputShapes(cnn, {{"image", {1, 3, 16, 16}}}), {"'image'", "not an input"});
  expectInvalid(bindInputShapes(cnn, {{"input", {2, 3, 16}}}), {"input 'input'", "rank 4"});
  expectInvalid(bindInputShapes(cnn, {{"input", {2, 3, 32, 16}}}), {"input 'input'", "fixed dim 2 = 16", "32"});
  expectInvalid(bindInputShapes(cnn, {{"input", {-2, 3, 16, 16}}}), {"negative"});
  ASSERT_TRUE(bindInputShapes(cnn, {{"input", {2, 3, 16, 16}}}).ok());
  const Value& in = cnn.values[size_t(cnn.inputs[0])];
  EXPECT_EQ(in.desc.shape, (Shape{2, 3, 16, 16}));
  EXPECT_EQ(in.dim_params, (std::vector<std::string>{"", "", "", ""}));

  Graph bert = importOrDie(testing::makeTinyTransformerOnnx(""));
  // One input bound, the other still dynamic: the error names it and its dim.
  expectInvalid(bindInputShapes(bert, {{"input_ids", {1, 8}}}), {"input 'attention_mask'", "'batch'"});
  Graph bert2 = importOrDie(testing::makeTinyTransformerOnnx(""));
  ASSERT_TRUE(bindInputShapes(bert2, {{"input_ids", {2, 8}}, {"attention_mask", {2, 8}}}).ok());
  for (ValueId id : bert2.inputs) EXPECT_EQ(bert2.values[size_t(id)].desc.shape, (Shape{2, 8}));

  Graph fixed = importOrDie(testing::makeTinyCnnOnnx("", 18, false));
  EXPECT_TRUE(bindInputShapes(fixed, {}).ok());  // nothing dynamic
}

}  // namespace
}  // namespace gpuscope::engine

namespace gpuscope::engine {
namespace {

// The fixtures through bindInputShapes + inferShapes, when the op groups the
// other helpers write are all registered (skipped, naming the missing ops,
// until then). Expected shapes follow from the fixtures' definitions.
std::string missingOps(const Graph& g) {
  std::string missing;
  for (const Node& n : g.nodes) {
    const OpDef* def = OpRegistry::instance().find(n.op);
    if ((!def || !def->infer) && missing.find(n.op) == std::string::npos) missing += n.op + " ";
  }
  return missing;
}

TEST(OnnxGraphCore, InferShapesOnTinyCnn) {
  Graph cnn = importOrDie(testing::makeTinyCnnOnnx(""));
  if (std::string missing = missingOps(cnn); !missing.empty()) GTEST_SKIP() << "ops not registered yet: " << missing;
  ASSERT_TRUE(bindInputShapes(cnn, {{"input", {2, 3, 16, 16}}}).ok());
  Status s = inferShapes(cnn);
  ASSERT_TRUE(s.ok()) << s.message();
  // conv1 (pad 1) keeps 16x16, the pool halves it, conv2 keeps 8x8.
  ValueId pool = cnn.nodes[3].outputs[0];
  EXPECT_EQ(cnn.values[size_t(pool)].desc, (TensorDesc{DType::kFloat32, {2, 8, 8, 8}}));
  EXPECT_EQ(cnn.values[size_t(cnn.outputs[0])].desc, (TensorDesc{DType::kFloat32, {2, 10}}));
}

// torch's shape arithmetic (Shape -> Gather -> Unsqueeze -> Concat/Slice)
// must fold once the inputs are bound, or Reshape/Slice lack constant inputs.
TEST(OnnxGraphCore, InferShapesOnTinyTransformer) {
  Graph bert = importOrDie(testing::makeTinyTransformerOnnx(""));
  if (std::string missing = missingOps(bert); !missing.empty()) GTEST_SKIP() << "ops not registered yet: " << missing;
  ASSERT_TRUE(bindInputShapes(bert, {{"input_ids", {2, 8}}, {"attention_mask", {2, 8}}}).ok());
  Status s = inferShapes(bert);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(bert.values[size_t(bert.outputs[0])].desc, (TensorDesc{DType::kFloat32, {2, 8, 32}}));
  for (size_t i = 0; i < bert.nodes.size(); ++i) {
    EXPECT_NE(bert.nodes[i].op, "Shape") << "not folded: " << bert.describe(NodeId(i));
    for (ValueId v : bert.nodes[i].outputs) {
      if (v == kNoValue) continue;
      EXPECT_TRUE(shapeKnown(bert.values[size_t(v)].desc.shape)) << bert.describe(NodeId(i));
    }
  }
  // Scores are [B, heads, S, S] = [2, 2, 8, 8].
  for (const Node& n : bert.nodes) {
    if (n.op == "Softmax") {
      EXPECT_EQ(bert.values[size_t(n.outputs[0])].desc.shape, (Shape{2, 2, 8, 8}));
    }
  }
}

}  // namespace
}  // namespace gpuscope::engine
