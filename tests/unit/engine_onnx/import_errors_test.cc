// Malformed and hostile models: every one is InvalidInput naming the file and
// what is wrong, never a crash.
#include <gtest/gtest.h>

#include <climits>

#include "engine/onnx/onnx_import.h"
#include "fixtures/onnx_fixture.h"
#include "unit/engine_onnx/onnx_test_util.h"

namespace gpuscope::engine {
namespace {

using test::expectInvalid;
using test::parseModel;
using test::serialize;
using test::TempDir;

StatusOr<Graph> importProto(const onnx::ModelProto& m, const std::string& name = "bad.onnx") {
  return importOnnxBytes(serialize(m), name);
}

onnx::ModelProto cnn() { return parseModel(testing::makeTinyCnnOnnx("")); }

TEST(OnnxImportErrors, NotAModel) {
  TempDir tmp;
  std::string json = tmp.path("model.json");
  ASSERT_TRUE(testing::writeBinaryFile(json, "{\"traceEvents\": [{\"name\": \"x\", \"ph\": \"X\"}]}\n"));
  expectInvalid(importOnnx(json).status(), {json, "not an ONNX model"});
  std::string empty = tmp.path("empty.onnx");
  ASSERT_TRUE(testing::writeBinaryFile(empty, ""));
  expectInvalid(importOnnx(empty).status(), {empty, "not an ONNX model"});
  expectInvalid(importOnnx(tmp.path("missing.onnx")).status(), {tmp.path("missing.onnx")});
  expectInvalid(importOnnx(tmp.dir().string()).status(), {tmp.dir().string()});
}

TEST(OnnxImportErrors, RandomBytes) {
  // Deterministic byte soup of several sizes; some of it parses as protobuf
  // (unknown fields), none of it is a model.
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    size_t n = size_t(seed * 37 % 4096);
    std::vector<float> r = testing::pseudoRandomFloats(n, seed, 1.0f);
    std::string bytes(n, '\0');
    for (size_t i = 0; i < n; ++i) bytes[i] = char(int((r[i] + 1.0f) * 127.5f));
    auto g = importOnnxBytes(bytes, "random.bin");
    expectInvalid(g.status(), {"random.bin"});
  }
}

TEST(OnnxImportErrors, TruncatedAtEveryOffset) {
  std::string bytes = testing::makeTinyCnnOnnx("");
  ASSERT_GT(bytes.size(), 5000u);
  // The serialized ModelProto ends with opset_import (field 8, after the
  // graph): every proper prefix either cuts a length-delimited field (parse
  // error) or lacks the graph or the opset. None may import.
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    auto g = importOnnxBytes(std::string_view(bytes).substr(0, cut), "cut.onnx");
    ASSERT_FALSE(g.ok()) << "prefix of " << cut << " bytes imported";
    ASSERT_EQ(g.status().code(), StatusCode::kInvalidInput);
    ASSERT_NE(g.status().message().find("cut.onnx"), std::string::npos) << g.status().message();
  }
  TempDir tmp;
  for (size_t cut : {size_t(1), size_t(17), bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
    std::string path = tmp.path("truncated_" + std::to_string(cut) + ".onnx");
    ASSERT_TRUE(testing::writeBinaryFile(path, bytes.substr(0, cut)));
    expectInvalid(importOnnx(path).status(), {path});
  }
}

TEST(OnnxImportErrors, Opsets) {
  for (int64_t opset : {1, 12, 19, 21}) {
    onnx::ModelProto m = cnn();
    m.mutable_opset_import(0)->set_version(opset);
    expectInvalid(importProto(m).status(), {"bad.onnx", "opset " + std::to_string(opset), "13..18"});
  }
  onnx::ModelProto m = cnn();
  m.mutable_opset_import(0)->set_domain("ai.onnx");  // the explicit spelling is the default domain
  EXPECT_TRUE(importProto(m).ok());
  m.mutable_opset_import(0)->set_domain("com.microsoft");
  expectInvalid(importProto(m).status(), {"no entry for the default ONNX domain"});
  m = cnn();
  auto* twice = m.add_opset_import();
  twice->set_version(17);
  expectInvalid(importProto(m).status(), {"twice", "18", "17"});
  m = cnn();
  auto* other = m.add_opset_import();  // another domain nobody uses is fine
  other->set_domain("ai.onnx.ml");
  other->set_version(3);
  EXPECT_TRUE(importProto(m).ok());
}

TEST(OnnxImportErrors, IrVersion) {
  onnx::ModelProto m = cnn();
  m.set_ir_version(2);
  expectInvalid(importProto(m).status(), {"bad.onnx", "IR version 2"});
  m.set_ir_version(99);
  expectInvalid(importProto(m).status(), {"IR version 99"});
  m.clear_ir_version();
  expectInvalid(importProto(m).status(), {"no ir_version"});
  m.set_ir_version(10);  // torch 2.x writes IR 10
  EXPECT_TRUE(importProto(m).ok());
  m.clear_graph();
  expectInvalid(importProto(m).status(), {"no graph"});
}

TEST(OnnxImportErrors, UnknownDomain) {
  onnx::ModelProto m = cnn();
  m.mutable_graph()->mutable_node(2)->set_domain("com.microsoft");
  expectInvalid(importProto(m).status(), {"bad.onnx", "node '/relu/Relu' (Relu)", "domain 'com.microsoft'"});
}

TEST(OnnxImportErrors, BadRawDataSize) {
  onnx::ModelProto m = cnn();
  auto* t = m.mutable_graph()->mutable_initializer(1);  // conv1.bias, 8 floats
  t->mutable_raw_data()->resize(31);
  expectInvalid(importProto(m).status(), {"bad.onnx", "initializer 'conv1.bias'", "31 bytes", "32"});
  t->mutable_raw_data()->resize(0);
  t->clear_raw_data();
  t->add_float_data(1.0f);  // typed field with 1 value instead of 8
  expectInvalid(importProto(m).status(), {"initializer 'conv1.bias'", "1 values in float_data", "8"});
}

TEST(OnnxImportErrors, HostileDims) {
  onnx::ModelProto m = cnn();
  auto* t = m.mutable_graph()->mutable_initializer(1);
  t->clear_dims();
  t->add_dims(int64_t(1) << 40);
  t->add_dims(int64_t(1) << 40);
  expectInvalid(importProto(m).status(), {"initializer 'conv1.bias'", "overflows"});
  t->clear_dims();
  t->add_dims(int64_t(1) << 40);  // no overflow, but beyond the tensor limit
  expectInvalid(importProto(m).status(), {"initializer 'conv1.bias'", "limit"});
  t->clear_dims();
  t->add_dims(-8);
  expectInvalid(importProto(m).status(), {"initializer 'conv1.bias'", "negative"});
  t->clear_dims();
  t->add_dims(INT64_MAX);
  t->add_dims(0);  // INT64_MAX x 0 = 0 elements: no overflow, but 32 raw bytes do not fit
  expectInvalid(importProto(m).status(), {"initializer 'conv1.bias'", "raw_data has 32 bytes"});

  m = cnn();
  auto* dim = m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(1);
  dim->set_dim_value(-3);
  expectInvalid(importProto(m).status(), {"graph input 'input'", "negative dim 1"});
  dim->set_dim_value(INT64_MAX / 2);
  expectInvalid(importProto(m).status(), {"graph input 'input'"});

  ImportOptions small;
  small.max_tensor_bytes = 1000;  // conv2.weight has 2304 bytes
  expectInvalid(importOnnxBytes(serialize(cnn()), "small.onnx", small).status(),
                {"small.onnx", "initializer 'conv2.weight'", "1000-byte"});
}

TEST(OnnxImportErrors, GraphStructure) {
  onnx::ModelProto m = cnn();
  m.mutable_graph()->mutable_node(3)->set_input(0, "nowhere");
  expectInvalid(importProto(m).status(), {"bad.onnx", "node '/pool/MaxPool' (MaxPool)", "input 'nowhere'"});

  m = cnn();  // two nodes writing the same value
  m.mutable_graph()->mutable_node(2)->set_output(0, m.graph().node(1).output(0));
  expectInvalid(importProto(m).status(), {"node '/relu/Relu' (Relu)", m.graph().node(1).output(0),
                                          "node '/bn1/BatchNormalization'"});
  m = cnn();  // a node overwriting a weight
  m.mutable_graph()->mutable_node(2)->set_output(0, "conv1.weight");
  expectInvalid(importProto(m).status(), {"initializer 'conv1.weight' already defines"});

  m = cnn();
  m.mutable_graph()->mutable_output(0)->set_name("ghost");
  expectInvalid(importProto(m).status(), {"graph output 'ghost'"});
  m.mutable_graph()->clear_output();
  expectInvalid(importProto(m).status(), {"no outputs"});

  m = cnn();
  *m.mutable_graph()->add_initializer() = m.graph().initializer(0);
  expectInvalid(importProto(m).status(), {"initializer 'conv1.weight'", "already defines"});
  m = cnn();
  *m.mutable_graph()->add_input() = m.graph().input(0);
  expectInvalid(importProto(m).status(), {"graph input 'input'", "already defines"});

  m = cnn();  // a cycle: Relu reads the Gemm's output
  m.mutable_graph()->mutable_node(2)->set_input(0, "logits");
  expectInvalid(importProto(m).status(), {"bad.onnx", "cycle"});

  m = cnn();
  m.mutable_graph()->mutable_node(0)->clear_op_type();
  expectInvalid(importProto(m).status(), {"node #0", "no op_type"});
}

TEST(OnnxImportErrors, InputTypes) {
  onnx::ModelProto m = cnn();
  auto* tt = m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::STRING);
  expectInvalid(importProto(m).status(), {"graph input 'input'", "STRING"});
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->clear_shape();
  expectInvalid(importProto(m).status(), {"graph input 'input'", "no shape"});
  m.mutable_graph()->mutable_input(0)->clear_type();
  expectInvalid(importProto(m).status(), {"graph input 'input'", "no type"});
  m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_sequence_type();
  expectInvalid(importProto(m).status(), {"graph input 'input'", "not a tensor"});

  m = cnn();
  m.mutable_graph()->mutable_initializer(0)->set_data_type(onnx::TensorProto::COMPLEX64);
  expectInvalid(importProto(m).status(), {"initializer 'conv1.weight'", "COMPLEX64"});
  m.mutable_graph()->mutable_initializer(0)->set_data_type(1000);
  expectInvalid(importProto(m).status(), {"initializer 'conv1.weight'", "type #1000"});
}

TEST(OnnxImportErrors, Attributes) {
  onnx::ModelProto m = cnn();
  onnx::NodeProto* relu = m.mutable_graph()->mutable_node(2);
  relu->set_op_type("If");
  auto* a = relu->add_attribute();
  a->set_name("then_branch");
  a->set_type(onnx::AttributeProto::GRAPH);
  a->mutable_g()->set_name("then");
  expectInvalid(importProto(m).status(), {"bad.onnx", "node '/relu/Relu' (If)", "'then_branch'", "subgraph"});
  a->clear_g();
  a->set_type(onnx::AttributeProto::UNDEFINED);  // old files: the kind follows from the field set
  a->set_i(3);
  auto g = importProto(m);
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(g->nodes[2].attrs.getInt("then_branch", 0), 3);
  a->clear_i();
  expectInvalid(importProto(m).status(), {"'then_branch'", "no value"});
  a->set_type(onnx::AttributeProto::SPARSE_TENSOR);
  expectInvalid(importProto(m).status(), {"'then_branch'", "sparse"});
  a->set_type(onnx::AttributeProto::INT);
  a->set_ref_attr_name("alpha");
  expectInvalid(importProto(m).status(), {"'then_branch'", "function attribute"});
  a->clear_ref_attr_name();
  *relu->add_attribute() = *a;
  expectInvalid(importProto(m).status(), {"'then_branch'", "twice"});
  // A TENSOR attribute with a bad payload names the node and the attribute.
  m = cnn();
  auto* t = m.mutable_graph()->mutable_node(2)->add_attribute();
  t->set_name("value");
  t->set_type(onnx::AttributeProto::TENSOR);
  t->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  t->mutable_t()->add_dims(4);
  t->mutable_t()->set_raw_data("abc");
  expectInvalid(importProto(m).status(), {"node '/relu/Relu' (Relu): attribute 'value'", "3 bytes"});
}

TEST(OnnxImportErrors, ConstantNodes) {
  onnx::ModelProto m = cnn();
  onnx::NodeProto* c = m.mutable_graph()->add_node();
  c->set_op_type("Constant");
  c->set_name("k");
  c->add_output("k_out");
  expectInvalid(importProto(m).status(), {"node 'k' (Constant)", "exactly one value attribute"});
  auto* a = c->add_attribute();
  a->set_name("value_string");
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s("hello");
  expectInvalid(importProto(m).status(), {"node 'k' (Constant)", "string constants"});
  a->set_name("value");
  expectInvalid(importProto(m).status(), {"node 'k' (Constant)", "has no tensor"});
  a->set_name("value_int");
  c->add_output("second");
  expectInvalid(importProto(m).status(), {"node 'k' (Constant)", "exactly one output"});
}

TEST(OnnxImportErrors, SparseInitializer) {
  onnx::ModelProto m = cnn();
  auto* s = m.mutable_graph()->add_sparse_initializer();
  s->mutable_values()->set_name("sp");
  expectInvalid(importProto(m).status(), {"sparse initializer 'sp'"});
}

}  // namespace
}  // namespace gpuscope::engine
