// The fixture models through the importer: structure, names, dims, constant
// contents (compared with the protobuf bytes read independently), opsets.
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "engine/onnx/onnx_import.h"
#include "fixtures/onnx_fixture.h"
#include "unit/engine_onnx/onnx_test_util.h"

namespace gpuscope::engine {
namespace {

using test::parseModel;
using test::TempDir;

std::map<std::string, int> opCounts(const Graph& g) {
  std::map<std::string, int> counts;
  for (const Node& n : g.nodes) ++counts[n.op];
  return counts;
}

TEST(OnnxImportModels, TinyCnnStructure) {
  TempDir tmp;
  std::string path = tmp.path("cnn.onnx");
  ASSERT_FALSE(testing::makeTinyCnnOnnx(path).empty());
  auto g = importOnnx(path);
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(g->opset, 18);
  EXPECT_EQ(g->name, "tiny_cnn");
  EXPECT_EQ(g->producer, "gpuscope-fixture 1");
  // The fixture's 10 ops in graph order (header comment), 10 weights.
  std::vector<std::string> ops;
  for (const Node& n : g->nodes) ops.push_back(n.op);
  EXPECT_EQ(ops, (std::vector<std::string>{"Conv", "BatchNormalization", "Relu", "MaxPool", "Conv", "Add", "Relu",
                                           "GlobalAveragePool", "Flatten", "Gemm"}));
  int constants = 0;
  for (const Value& v : g->values) constants += v.constant != nullptr;
  EXPECT_EQ(constants, 10);
  ASSERT_EQ(g->inputs.size(), 1u);
  const Value& in = g->values[size_t(g->inputs[0])];
  EXPECT_EQ(in.name, "input");
  EXPECT_EQ(in.desc.dtype, DType::kFloat32);
  EXPECT_EQ(in.desc.shape, (Shape{-1, 3, 16, 16}));
  EXPECT_EQ(in.dim_params, (std::vector<std::string>{"N", "", "", ""}));
  ASSERT_EQ(g->outputs.size(), 1u);
  const Value& out = g->values[size_t(g->outputs[0])];
  EXPECT_EQ(out.name, "logits");
  EXPECT_EQ(out.producer, 9);  // the Gemm
  EXPECT_EQ(out.desc.shape, (Shape{-1, 10}));  // declared type of the graph output

  const Node& conv1 = g->nodes[0];
  EXPECT_EQ(conv1.name, "/conv1/Conv");
  EXPECT_EQ(conv1.origin, (std::vector<std::string>{"/conv1/Conv"}));
  EXPECT_EQ(conv1.attrs.getInts("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(conv1.attrs.getInt("group", -1), 1);
  ASSERT_EQ(conv1.inputs.size(), 3u);
  EXPECT_EQ(conv1.inputs[0], g->inputs[0]);
  EXPECT_EQ(g->values[size_t(conv1.inputs[1])].name, "conv1.weight");
  EXPECT_EQ(g->values[size_t(conv1.inputs[1])].desc.shape, (Shape{8, 3, 3, 3}));
  const Node& gemm = g->nodes[9];
  EXPECT_EQ(gemm.attrs.getInt("transB", 0), 1);
  EXPECT_FLOAT_EQ(gemm.attrs.getFloat("alpha", 0.f), 1.0f);
  // The residual Add reads the MaxPool output and conv2's output.
  const Node& add = g->nodes[5];
  EXPECT_EQ(g->values[size_t(add.inputs[0])].producer, 4);
  EXPECT_EQ(g->values[size_t(add.inputs[1])].producer, 3);
}

TEST(OnnxImportModels, ConstantBytesMatchTheProto) {
  std::string bytes = testing::makeTinyCnnOnnx("");
  onnx::ModelProto model = parseModel(bytes);
  auto g = importOnnxBytes(bytes, "cnn.onnx");
  ASSERT_TRUE(g.ok()) << g.status().message();
  ASSERT_EQ(model.graph().initializer_size(), 10);
  for (const auto& init : model.graph().initializer()) {
    ValueId id = g->findValue(init.name());
    ASSERT_NE(id, kNoValue) << init.name();
    const HostTensor* t = g->constantOf(id);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->dtype(), DType::kFloat32);
    ASSERT_EQ(t->byteSize(), init.raw_data().size()) << init.name();
    EXPECT_EQ(std::memcmp(t->raw(), init.raw_data().data(), t->byteSize()), 0) << init.name();
    Shape dims(init.dims().begin(), init.dims().end());
    EXPECT_EQ(t->shape(), dims);
  }
  // bn1.running_var = 1 + U(-0.5, 0.5): positive, as BatchNorm needs.
  for (float v : g->constantOf(g->findValue("bn1.running_var"))->toFloats()) EXPECT_GT(v, 0.0f);
}

TEST(OnnxImportModels, StaticBatchHasNoDimParams) {
  auto g = importOnnxBytes(testing::makeTinyCnnOnnx("", 13, false), "cnn13.onnx");
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(g->opset, 13);
  const Value& in = g->values[size_t(g->inputs[0])];
  EXPECT_EQ(in.desc.shape, (Shape{1, 3, 16, 16}));
  EXPECT_EQ(in.dim_params, (std::vector<std::string>{"", "", "", ""}));
}

TEST(OnnxImportModels, TransformerOpset18) {
  auto g = importOnnxBytes(testing::makeTinyTransformerOnnx(""), "bert.onnx");
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(g->nodes.size(), 53u);  // counted by hand from the fixture's construction
  auto counts = opCounts(*g);
  std::map<std::string, int> expected{{"MatMul", 8},  {"Add", 11},  {"LayerNormalization", 3},
                                      {"Softmax", 1}, {"Erf", 1},   {"Shape", 3},
                                      {"Gather", 4},  {"Unsqueeze", 4}, {"Concat", 2},
                                      {"Reshape", 4}, {"Transpose", 4}, {"Div", 2},
                                      {"Mul", 3},     {"Sub", 1},   {"Cast", 1},
                                      {"Slice", 1}};
  EXPECT_EQ(counts, expected);
  EXPECT_EQ(counts.count("Constant"), 0u);  // Constant nodes became constant values
  int constants = 0;
  for (const Value& v : g->values) constants += v.constant != nullptr;
  EXPECT_EQ(constants, 22 + 16);  // 22 initializers + 16 Constant nodes

  ASSERT_EQ(g->inputs.size(), 2u);
  for (ValueId id : g->inputs) {
    const Value& v = g->values[size_t(id)];
    EXPECT_EQ(v.desc.dtype, DType::kInt64);
    EXPECT_EQ(v.desc.shape, (Shape{-1, -1}));
    EXPECT_EQ(v.dim_params, (std::vector<std::string>{"batch", "seq"}));
  }
  // Constant nodes keep their output names and exact values.
  const HostTensor* sqrt_d = g->constantOf(g->findValue("/attention/Constant_6_output_0"));
  ASSERT_NE(sqrt_d, nullptr);
  EXPECT_EQ(sqrt_d->shape(), Shape{});
  EXPECT_FLOAT_EQ(float(sqrt_d->getDouble(0)), 4.0f);
  const HostTensor* axes = g->constantOf(g->findValue("/Constant_output_0"));
  ASSERT_NE(axes, nullptr);
  EXPECT_EQ(axes->dtype(), DType::kInt64);
  EXPECT_EQ(axes->toInts(), (std::vector<int64_t>{1, 2}));
  // The Cast's target type and the Transpose perms survive as attributes.
  for (const Node& n : g->nodes) {
    if (n.op == "Cast") {
      EXPECT_EQ(n.attrs.getInt("to", -1), 1);
    }
    if (n.name == "/attention/Transpose_1") {
      EXPECT_EQ(n.attrs.getInts("perm"), (std::vector<int64_t>{0, 2, 3, 1}));
    }
  }
  auto order = g->topologicalOrder();
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(order->size(), 53u);
}

TEST(OnnxImportModels, TransformerEveryOpset) {
  for (int64_t opset = kMinOnnxOpset; opset <= kMaxOnnxOpset; ++opset) {
    auto g = importOnnxBytes(testing::makeTinyTransformerOnnx("", opset), "bert.onnx");
    ASSERT_TRUE(g.ok()) << opset << ": " << g.status().message();
    EXPECT_EQ(g->opset, opset);
    auto counts = opCounts(*g);
    if (opset >= 17) {
      EXPECT_EQ(g->nodes.size(), 53u);
      EXPECT_EQ(counts["LayerNormalization"], 3);
    } else {  // each LayerNorm decomposed into 9 nodes
      EXPECT_EQ(g->nodes.size(), 53u + 3 * 8);
      EXPECT_EQ(counts["LayerNormalization"], 0);
      EXPECT_EQ(counts["ReduceMean"], 6);
      EXPECT_EQ(counts["Sqrt"], 3);
      EXPECT_EQ(counts["Pow"], 3);
      for (const Node& n : g->nodes)
        if (n.op == "ReduceMean") {
          EXPECT_EQ(n.attrs.getInts("axes"), (std::vector<int64_t>{-1}));
        }
    }
  }
}

TEST(OnnxImportModels, SingleNodeHelper) {
  Attributes attrs;
  attrs.set("axis", int64_t(1));
  attrs.set("epsilon", 1e-3f);
  attrs.set("mode", std::string("constant"));
  attrs.set("floats", std::vector<float>{0.5f, 2.0f});
  attrs.set("names", std::vector<std::string>{"a", "b"});
  attrs.set("t", std::make_shared<const HostTensor>(HostTensor::fromInts(DType::kInt32, Shape{3}, std::vector<int64_t>{4, 5, 6})));
  std::vector<std::pair<std::string, HostTensor>> inits;
  inits.emplace_back("w", HostTensor::fromFloats(DType::kFloat16, Shape{2}, std::vector<float>{1.5f, -2.0f}));
  std::string bytes = testing::makeSingleNodeOnnx(
      "MyOp", attrs, {{"x", DType::kBFloat16, Shape{-1, 3}, {"n"}}}, inits, {"y", "", "z"}, 17,
      {{"z", DType::kInt64, Shape{3}}});
  auto g = importOnnxBytes(bytes, "single.onnx");
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(g->opset, 17);
  ASSERT_EQ(g->nodes.size(), 1u);
  const Node& n = g->nodes[0];
  EXPECT_EQ(n.op, "MyOp");  // unknown ops import; inferShapes rejects them later
  EXPECT_EQ(n.name, "MyOp_0");
  EXPECT_EQ(n.attrs.getInt("axis", 0), 1);
  EXPECT_FLOAT_EQ(n.attrs.getFloat("epsilon", 0.f), 1e-3f);
  EXPECT_EQ(n.attrs.getString("mode"), "constant");
  EXPECT_EQ(n.attrs.getFloats("floats"), (std::vector<float>{0.5f, 2.0f}));
  EXPECT_EQ(std::get<std::vector<std::string>>(n.attrs.all().at("names")), (std::vector<std::string>{"a", "b"}));
  auto t = n.attrs.getTensor("t");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->dtype(), DType::kInt32);
  EXPECT_EQ(t->toInts(), (std::vector<int64_t>{4, 5, 6}));
  ASSERT_EQ(n.inputs.size(), 2u);
  const Value& x = g->values[size_t(n.inputs[0])];
  EXPECT_EQ(x.desc.dtype, DType::kBFloat16);
  EXPECT_EQ(x.dim_params, (std::vector<std::string>{"n", ""}));
  const HostTensor* w = g->constantOf(n.inputs[1]);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->dtype(), DType::kFloat16);
  EXPECT_EQ(w->toFloats(), (std::vector<float>{1.5f, -2.0f}));  // exact in fp16
  ASSERT_EQ(n.outputs.size(), 3u);
  EXPECT_EQ(n.outputs[1], kNoValue);  // "" = unused optional output
  EXPECT_EQ(g->outputs.size(), 2u);
  const Value& z = g->values[size_t(n.outputs[2])];
  EXPECT_EQ(z.desc.dtype, DType::kInt64);
  EXPECT_EQ(z.desc.shape, Shape{3});
}

TEST(OnnxImportModels, EmptyNodeNamesGetOpTypeAndIndex) {
  testing::OnnxModelSpec spec;
  spec.inputs = {{"x", DType::kFloat32, Shape{4}}};
  spec.outputs = {{"z", DType::kFloat32, Shape{4}}};
  spec.nodes.push_back({"Relu", {"x"}, {"y"}, {}, "", ""});
  spec.nodes.push_back({"Neg", {"y", ""}, {"z"}, {}, "", "ai.onnx"});
  auto g = importOnnxBytes(testing::makeOnnxModel(spec), "names.onnx");
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(g->nodes[0].name, "Relu_0");
  EXPECT_EQ(g->nodes[1].name, "Neg_1");
  EXPECT_EQ(g->describe(1), "node 'Neg_1' (Neg)");
  ASSERT_EQ(g->nodes[1].inputs.size(), 2u);
  EXPECT_EQ(g->nodes[1].inputs[1], kNoValue);  // "" = omitted optional input
}

}  // namespace
}  // namespace gpuscope::engine
