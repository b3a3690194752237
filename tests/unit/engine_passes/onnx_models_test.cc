// The whole optimizer on the project's tiny ONNX models (tests/fixtures/
// onnx_fixture.h: a ResNet-like CNN and a BERT-like encoder layer), imported
// the way the builder imports real models.
#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/onnx/onnx_import.h"
#include "engine/ops/fused_ops.h"
#include "engine/passes/infer_shapes.h"
#include "engine/passes/pipeline.h"
#include "engine/runtime/engine.h"
#include "fixtures/onnx_fixture.h"
#include "pass_test_util.h"

namespace gpuscope::engine::testing {
namespace {

StatusOr<Graph> load(const std::string& bytes, const std::map<std::string, Shape>& shapes) {
  GS_ASSIGN_OR_RETURN(Graph g, importOnnxBytes(bytes, "<fixture>"));
  GS_RETURN_IF_ERROR(bindInputShapes(g, shapes));
  GS_RETURN_IF_ERROR(inferShapes(g));
  return g;
}

int count(const Graph& g, std::string_view op) {
  auto ops = opTypes(g);
  return int(std::count(ops.begin(), ops.end(), std::string(op)));
}

void compare(const Graph& got, const Graph& ref, const std::map<std::string, HostTensor>& inputs, double tol) {
  auto want = runGraph(ref, inputs);
  ASSERT_TRUE(want.ok()) << want.status().message();
  auto have = runGraph(got, inputs);
  ASSERT_TRUE(have.ok()) << have.status().message();
  ASSERT_EQ(have->size(), want->size());
  for (size_t i = 0; i < want->size(); ++i) expectClose((*have)[i], (*want)[i], tol, tol, "output " + std::to_string(i));
}

TEST(OptimizeOnnx, TinyCnn) {
  auto ref = load(gpuscope::testing::makeTinyCnnOnnx(""), {{"input", {2, 3, 16, 16}}});
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  auto inputs = randomInputs(*ref);
  for (DType t : {DType::kFloat32, DType::kFloat16, DType::kBFloat16}) {
    SCOPED_TRACE(dtypeName(t));
    Graph g = *ref;
    PassLog log;
    Status s = optimize(g, OptimizeOptions{t, true}, log);
    ASSERT_TRUE(s.ok()) << s.message();
    const Node* c1 = findNode(g, "/conv1/Conv + /bn1/BatchNormalization + /relu/Relu");
    const Node* c2 = findNode(g, "/conv2/Conv + /Add + /relu_1/Relu");
    ASSERT_NE(c1, nullptr);
    ASSERT_NE(c2, nullptr);
    EXPECT_EQ(c1->op, std::string(fused::kConv));
    EXPECT_EQ(c2->inputs.size(), 4u);  // residual input
    ASSERT_NE(findNode(g, "/fc/Gemm"), nullptr);
    EXPECT_EQ(findNode(g, "/fc/Gemm")->op, std::string(fused::kGemm));
    EXPECT_EQ(count(g, "BatchNormalization"), 0);
    EXPECT_EQ(count(g, std::string(fused::kReformat)), t == DType::kFloat32 ? 0 : 2);
    compare(g, *ref, inputs, t == DType::kFloat32 ? 1e-5 : 2e-2);
  }
}

TEST(OptimizeOnnx, TinyTransformerBothLayerNormForms) {
  for (int64_t opset : {18, 13}) {
    SCOPED_TRACE(opset);
    auto ref = load(gpuscope::testing::makeTinyTransformerOnnx("", opset), {{"input_ids", {2, 8}}, {"attention_mask", {2, 8}}});
    ASSERT_TRUE(ref.ok()) << ref.status().message();
    std::map<std::string, HostTensor> inputs;
    std::vector<int64_t> ids, mask;
    for (int64_t i = 0; i < 16; ++i) {
      ids.push_back((i * 7 + 3) % 50);
      mask.push_back(i >= 13 ? 0 : 1);  // the second sequence ends with 3 padding tokens
    }
    inputs["input_ids"] = HostTensor::fromInts(DType::kInt64, {2, 8}, ids);
    inputs["attention_mask"] = HostTensor::fromInts(DType::kInt64, {2, 8}, mask);
    for (DType t : {DType::kFloat32, DType::kFloat16}) {
      SCOPED_TRACE(dtypeName(t));
      Graph g = *ref;
      PassLog log;
      Status s = optimize(g, OptimizeOptions{t, true}, log);
      ASSERT_TRUE(s.ok()) << s.message();
      EXPECT_EQ(count(g, "LayerNormalization"), 3);
      EXPECT_EQ(count(g, "Softmax"), 0);
      EXPECT_EQ(count(g, "MatMul"), 0);
      ASSERT_EQ(count(g, std::string(fused::kAttention)), 1);
      const Node* att = nullptr;
      for (const Node& n : g.nodes)
        if (n.op == fused::kAttention) att = &n;
      EXPECT_EQ(att->name, "/attention/MatMul + /attention/Div + /attention/Add + /attention/Softmax + /attention/MatMul_1");
      EXPECT_EQ(att->inputs.size(), 4u);  // the padding mask stays an input
      EXPECT_EQ(att->attrs.getInt("k_transposed", -1), 1);
      EXPECT_FLOAT_EQ(att->attrs.getFloat("scale", 0), 0.25f);
      const Node* ffn = findNode(g, "/intermediate.dense/MatMul + /intermediate.dense/Add + /intermediate/intermediate_act_fn/Div"
                                    " + /intermediate/intermediate_act_fn/Erf + /intermediate/intermediate_act_fn/Add"
                                    " + /intermediate/intermediate_act_fn/Mul + /intermediate/intermediate_act_fn/Mul_1");
      ASSERT_NE(ffn, nullptr);
      EXPECT_EQ(ffn->attrs.getString("activation"), "Gelu");
      // Both residual Adds (after the attention output projection and after
      // the FFN down projection) are Gemm epilogues, each reading the
      // LayerNorm output before it as the residual; without that fusion they
      // were PWN(/attention/output/Add) and PWN(/output/Add). The pointwise
      // layers left: the mask arithmetic and the embedding sum.
      for (const char* name : {"/attention.output.dense/MatMul + /attention.output.dense/Add + /attention/output/Add",
                               "/output.dense/MatMul + /output.dense/Add + /output/Add"}) {
        SCOPED_TRACE(name);
        const Node* proj = findNode(g, name);
        ASSERT_NE(proj, nullptr);
        EXPECT_EQ(proj->op, std::string(fused::kGemm));
        EXPECT_EQ(proj->attrs.getString("activation"), "");
        ASSERT_EQ(proj->inputs.size(), 4u);
        NodeId r = g.values[size_t(proj->inputs[3])].producer;
        ASSERT_GE(r, 0);
        EXPECT_EQ(g.nodes[size_t(r)].op, "LayerNormalization");
      }
      std::vector<std::string> pwn;
      for (const Node& n : g.nodes)
        if (!n.dead && n.op == fused::kPointwise) pwn.push_back(n.name);
      EXPECT_THAT(pwn, ::testing::UnorderedElementsAre("PWN(/Sub, /Mul)", "PWN(/embeddings/Add)"));
      compare(g, *ref, inputs, t == DType::kFloat32 ? 1e-5 : 2e-2);
    }
  }
}

TEST(OptimizeOnnx, TinyTransformerResidualGemmLayerInfo) {
  // The CPU engine's detailed layer info lists the residual as the fused
  // layer's second input and the residual Add in its metadata.
  auto g = load(gpuscope::testing::makeTinyTransformerOnnx(""), {{"input_ids", {2, 8}}, {"attention_mask", {2, 8}}});
  ASSERT_TRUE(g.ok()) << g.status().message();
  BuildOptions o;
  o.device = Device::kCpu;
  o.verbosity = ProfilingVerbosity::kDetailed;
  auto e = Engine::buildFromGraph(std::move(*g), o, nullptr);
  ASSERT_TRUE(e.ok()) << e.status().message();
  const Graph& eg = (*e)->graph();
  const std::string name = "/output.dense/MatMul + /output.dense/Add + /output/Add";
  const Node* n = findNode(eg, name);
  ASSERT_NE(n, nullptr);
  ASSERT_EQ(n->inputs.size(), 4u);
  // A is the GELU Gemm's output, the residual the attention block's LayerNorm output.
  NodeId a_producer = eg.values[size_t(n->inputs[0])].producer;
  NodeId r_producer = eg.values[size_t(n->inputs[3])].producer;
  ASSERT_GE(a_producer, 0);
  ASSERT_GE(r_producer, 0);
  EXPECT_EQ(eg.nodes[size_t(a_producer)].attrs.getString("activation"), "Gelu");
  EXPECT_EQ(eg.nodes[size_t(r_producer)].op, "LayerNormalization");
  auto j = nlohmann::json::parse((*e)->layerInfoJson(ProfilingVerbosity::kDetailed));
  const nlohmann::json* layer = nullptr;
  for (const auto& l : j["Layers"])
    if (l["Name"] == name) layer = &l;
  ASSERT_NE(layer, nullptr);
  ASSERT_EQ((*layer)["Inputs"].size(), 2u);  // W and bias are weights, not listed
  EXPECT_EQ((*layer)["Inputs"][0]["Name"], eg.values[size_t(n->inputs[0])].name);
  EXPECT_EQ((*layer)["Inputs"][1]["Name"], eg.values[size_t(n->inputs[3])].name);
  EXPECT_EQ((*layer)["Inputs"][1]["Dimensions"], (nlohmann::json{2, 8, 32}));
  EXPECT_THAT((*layer)["Metadata"].get<std::string>(), ::testing::HasSubstr("[ONNX Layer: /output/Add]"));
}

}  // namespace
}  // namespace gpuscope::engine::testing
