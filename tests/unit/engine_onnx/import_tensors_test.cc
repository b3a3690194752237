// Tensor contents: raw_data, every typed field, Constant node forms,
// external data files (and their path checks), value_info.
#include <gtest/gtest.h>

#include <cstring>

#include "engine/onnx/onnx_import.h"
#include "fixtures/onnx_fixture.h"
#include "unit/engine_onnx/onnx_test_util.h"

namespace gpuscope::engine {
namespace {

using test::expectInvalid;
using test::parseModel;
using test::serialize;
using test::TempDir;

// Identity(x) plus one initializer "w" that the test rewrites in the proto.
onnx::ModelProto modelWithInitializer() {
  testing::OnnxModelSpec spec;
  spec.inputs = {{"x", DType::kFloat32, Shape{2}}};
  spec.outputs = {{"y", DType::kFloat32, Shape{2}}};
  spec.initializers.emplace_back("w", HostTensor(DType::kFloat32, Shape{2}));
  spec.nodes.push_back({"Add", {"x", "w"}, {"y"}, {}, "add", ""});
  return parseModel(testing::makeOnnxModel(spec));
}

onnx::TensorProto* weight(onnx::ModelProto& m) {
  onnx::TensorProto* t = m.mutable_graph()->mutable_initializer(0);
  t->clear_raw_data();
  t->clear_dims();
  return t;
}

StatusOr<HostTensor> importWeight(const onnx::ModelProto& m) {
  auto g = importOnnxBytes(serialize(m), "w.onnx");
  if (!g.ok()) return g.status();
  return *g->constantOf(g->findValue("w"));
}

TEST(OnnxImportTensors, TypedFields) {
  struct Case {
    onnx::TensorProto::DataType type;
    DType dtype;
    std::vector<double> expected;
  };
  std::vector<Case> cases = {
      {onnx::TensorProto::FLOAT, DType::kFloat32, {1.5, -2.25, 0}},
      {onnx::TensorProto::DOUBLE, DType::kFloat64, {1e300, -0.125, 3}},
      {onnx::TensorProto::INT64, DType::kInt64, {-(1ll << 40), 7, 0}},
      {onnx::TensorProto::INT32, DType::kInt32, {-5, 100000, 1}},
      {onnx::TensorProto::INT8, DType::kInt8, {-128, 127, -3}},
      {onnx::TensorProto::UINT8, DType::kUInt8, {255, 0, 9}},
      {onnx::TensorProto::BOOL, DType::kBool, {1, 0, 1}},
      {onnx::TensorProto::FLOAT16, DType::kFloat16, {1.0, -2.0, 0.5}},
      {onnx::TensorProto::BFLOAT16, DType::kBFloat16, {1.0, -3.0, 0.25}},
  };
  for (const Case& c : cases) {
    onnx::ModelProto m = modelWithInitializer();
    onnx::TensorProto* t = weight(m);
    t->set_data_type(c.type);
    t->add_dims(3);
    for (size_t i = 0; i < c.expected.size(); ++i) {
      double v = c.expected[i];
      switch (c.type) {
        case onnx::TensorProto::FLOAT: t->add_float_data(float(v)); break;
        case onnx::TensorProto::DOUBLE: t->add_double_data(v); break;
        case onnx::TensorProto::INT64: t->add_int64_data(int64_t(v)); break;
        // fp16 bit patterns by hand: 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800.
        case onnx::TensorProto::FLOAT16: t->add_int32_data(std::vector<int>{0x3C00, 0xC000, 0x3800}[i]); break;
        // bf16 = top half of fp32: 1.0 = 0x3F80, -3.0 = 0xC040, 0.25 = 0x3E80.
        case onnx::TensorProto::BFLOAT16: t->add_int32_data(std::vector<int>{0x3F80, 0xC040, 0x3E80}[i]); break;
        // BOOL: any nonzero is true (2 -> 1).
        case onnx::TensorProto::BOOL: t->add_int32_data(i == 0 ? 2 : int(v)); break;
        default: t->add_int32_data(int32_t(v)); break;
      }
    }
    auto w = importWeight(m);
    ASSERT_TRUE(w.ok()) << int(c.type) << ": " << w.status().message();
    EXPECT_EQ(w->dtype(), c.dtype);
    EXPECT_EQ(w->shape(), Shape{3});
    for (size_t i = 0; i < c.expected.size(); ++i) EXPECT_EQ(w->getDouble(int64_t(i)), c.expected[i]) << i;
    if (c.dtype == DType::kBool) {
      EXPECT_EQ(w->data<uint8_t>()[0], 1);
    }
  }
}

TEST(OnnxImportTensors, RawScalarsEmptyAndBool) {
  onnx::ModelProto m = modelWithInitializer();
  onnx::TensorProto* t = weight(m);
  t->set_data_type(onnx::TensorProto::INT64);  // scalar: no dims, one element
  int64_t v = -42;
  t->set_raw_data(std::string(reinterpret_cast<const char*>(&v), 8));
  auto w = importWeight(m);
  ASSERT_TRUE(w.ok()) << w.status().message();
  EXPECT_EQ(w->shape(), Shape{});
  EXPECT_EQ(w->getInt(0), -42);

  t->add_dims(0);  // zero elements, zero bytes
  t->add_dims(5);
  t->set_raw_data("");
  w = importWeight(m);
  ASSERT_TRUE(w.ok()) << w.status().message();
  EXPECT_EQ(w->shape(), (Shape{0, 5}));
  EXPECT_EQ(w->byteSize(), 0u);

  t->clear_dims();
  t->add_dims(3);
  t->set_data_type(onnx::TensorProto::BOOL);
  t->set_raw_data(std::string("\x00\x07\x01", 3));
  w = importWeight(m);
  ASSERT_TRUE(w.ok()) << w.status().message();
  EXPECT_EQ(w->toInts(), (std::vector<int64_t>{0, 1, 1}));
  EXPECT_EQ(w->data<uint8_t>()[1], 1);  // normalized to 0/1
}

TEST(OnnxImportTensors, ConstantNodeForms) {
  testing::OnnxModelSpec spec;
  spec.inputs = {{"x", DType::kFloat32, Shape{1}}};
  spec.outputs = {{"y", DType::kFloat32, Shape{1}}};
  spec.nodes.push_back({"Identity", {"x"}, {"y"}, {}, "id", ""});
  onnx::ModelProto m = parseModel(testing::makeOnnxModel(spec));
  auto addConstant = [&](const std::string& out, auto fill) {
    onnx::NodeProto* n = m.mutable_graph()->add_node();
    n->set_op_type("Constant");
    n->add_output(out);
    fill(n->add_attribute());
  };
  addConstant("cf", [](onnx::AttributeProto* a) { a->set_name("value_float"); a->set_type(onnx::AttributeProto::FLOAT); a->set_f(2.5f); });
  addConstant("cfs", [](onnx::AttributeProto* a) { a->set_name("value_floats"); a->set_type(onnx::AttributeProto::FLOATS); a->add_floats(1); a->add_floats(-1); });
  addConstant("ci", [](onnx::AttributeProto* a) { a->set_name("value_int"); a->set_type(onnx::AttributeProto::INT); a->set_i(-9); });
  addConstant("cis", [](onnx::AttributeProto* a) { a->set_name("value_ints"); a->set_type(onnx::AttributeProto::INTS); a->add_ints(3); a->add_ints(4); a->add_ints(5); });
  addConstant("ct", [](onnx::AttributeProto* a) {
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(onnx::TensorProto::INT32);
    a->mutable_t()->add_dims(2);
    a->mutable_t()->add_int32_data(11);
    a->mutable_t()->add_int32_data(12);
  });
  auto g = importOnnxBytes(serialize(m), "constants.onnx");
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(g->nodes.size(), 1u);  // only the Identity is a node
  auto c = [&](const char* name) { return g->constantOf(g->findValue(name)); };
  ASSERT_TRUE(c("cf") && c("cfs") && c("ci") && c("cis") && c("ct"));
  EXPECT_EQ(c("cf")->dtype(), DType::kFloat32);
  EXPECT_EQ(c("cf")->shape(), Shape{});
  EXPECT_EQ(c("cf")->getDouble(0), 2.5);
  EXPECT_EQ(c("cfs")->shape(), Shape{2});
  EXPECT_EQ(c("cfs")->toFloats(), (std::vector<float>{1, -1}));
  EXPECT_EQ(c("ci")->dtype(), DType::kInt64);
  EXPECT_EQ(c("ci")->shape(), Shape{});
  EXPECT_EQ(c("ci")->getInt(0), -9);
  EXPECT_EQ(c("cis")->toInts(), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(c("ct")->dtype(), DType::kInt32);
  EXPECT_EQ(c("ct")->toInts(), (std::vector<int64_t>{11, 12}));
}

TEST(OnnxImportTensors, ValueInfoGivesIntermediateDescs) {
  testing::OnnxModelSpec spec;
  spec.inputs = {{"x", DType::kFloat16, Shape{-1, 4}, {"b"}}};
  spec.outputs = {{"z", DType::kFloat16, Shape{-1, 4}, {"b"}}};
  spec.nodes.push_back({"Relu", {"x"}, {"y"}, {}, "r", ""});
  spec.nodes.push_back({"Neg", {"y"}, {"z"}, {}, "n", ""});
  onnx::ModelProto m = parseModel(testing::makeOnnxModel(spec));
  auto* vi = m.mutable_graph()->add_value_info();
  vi->set_name("y");
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT16);
  tt->mutable_shape()->add_dim()->set_dim_param("b");
  tt->mutable_shape()->add_dim()->set_dim_value(4);
  auto* bad = m.mutable_graph()->add_value_info();  // unsupported type: ignored, not an error
  bad->set_name("z");
  bad->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::STRING);
  auto g = importOnnxBytes(serialize(m), "vi.onnx");
  ASSERT_TRUE(g.ok()) << g.status().message();
  const Value& y = g->values[size_t(g->findValue("y"))];
  EXPECT_EQ(y.desc.dtype, DType::kFloat16);
  EXPECT_EQ(y.desc.shape, (Shape{-1, 4}));
  EXPECT_EQ(y.dim_params, (std::vector<std::string>{"b", ""}));
  EXPECT_EQ(g->values[size_t(g->findValue("z"))].desc.dtype, DType::kFloat16);  // from the graph output
}

TEST(OnnxImportTensors, ExternalDataMatchesInline) {
  TempDir tmp;
  std::string inline_bytes = testing::makeTinyCnnOnnx("");
  auto inline_graph = importOnnxBytes(inline_bytes, "inline.onnx");
  ASSERT_TRUE(inline_graph.ok()) << inline_graph.status().message();
  // min_bytes 100: the small bias vectors (32 bytes) stay inline, the rest moves.
  std::string path = tmp.path("cnn_ext.onnx");
  std::string ext_bytes = testing::writeOnnxWithExternalData(inline_bytes, path, "cnn_ext.onnx.data", 100);
  ASSERT_FALSE(ext_bytes.empty());
  onnx::ModelProto ext = parseModel(ext_bytes);
  int external = 0;
  for (const auto& init : ext.graph().initializer()) external += init.data_location() == onnx::TensorProto::EXTERNAL;
  EXPECT_EQ(external, 3);  // conv1.weight (864 B), conv2.weight (2304 B), fc.weight (320 B)
  EXPECT_LT(ext_bytes.size(), inline_bytes.size() - 3000);

  auto g = importOnnx(path);
  ASSERT_TRUE(g.ok()) << g.status().message();
  int compared = 0;
  for (const Value& v : inline_graph->values) {
    if (!v.constant) continue;
    const HostTensor* t = g->constantOf(g->findValue(v.name));
    ASSERT_NE(t, nullptr) << v.name;
    ASSERT_EQ(t->byteSize(), v.constant->byteSize()) << v.name;
    EXPECT_EQ(std::memcmp(t->raw(), v.constant->raw(), t->byteSize()), 0) << v.name;
    ++compared;
  }
  EXPECT_EQ(compared, 10);

  // From memory, external data needs a folder.
  auto no_dir = importOnnxBytes(ext_bytes, "mem.onnx");
  expectInvalid(no_dir.status(), {"mem.onnx", "conv1.weight", "folder"});
  ImportOptions opts;
  opts.external_data_dir = tmp.dir().string();
  EXPECT_TRUE(importOnnxBytes(ext_bytes, "mem.onnx", opts).ok());
}

TEST(OnnxImportTensors, ExternalDataErrors) {
  TempDir tmp;
  std::string path = tmp.path("m.onnx");
  std::string bytes = testing::writeOnnxWithExternalData(testing::makeTinyCnnOnnx(""), path, "m.data", 100);
  ASSERT_FALSE(bytes.empty());
  // Something outside the model's folder that a path escape would reach.
  ASSERT_TRUE(testing::writeBinaryFile((tmp.dir().parent_path() / "gpuscope_onnx_outside.data").string(),
                                       std::string(4096, '\1')));
  struct Case {
    std::string key, value, expect;
  };
  std::vector<Case> cases = {
      {"location", "../gpuscope_onnx_outside.data", "leaves the model's folder"},
      {"location", "sub/../../gpuscope_onnx_outside.data", "leaves the model's folder"},
      {"location", (tmp.dir().parent_path() / "gpuscope_onnx_outside.data").string(), "absolute path"},
      {"location", "missing.data", "does not exist"},
      {"location", "", "no 'location'"},
      {"offset", "1000000", "beyond its end"},
      {"offset", "12a", "not a non-negative integer"},
      {"offset", "-64", "not a non-negative integer"},
      {"length", "7", "does not match"},
  };
  for (const Case& c : cases) {
    onnx::ModelProto m = parseModel(bytes);
    onnx::TensorProto* t = m.mutable_graph()->mutable_initializer(0);  // conv1.weight, external
    ASSERT_EQ(t->data_location(), onnx::TensorProto::EXTERNAL);
    for (auto& e : *t->mutable_external_data())
      if (e.key() == c.key) e.set_value(c.value);
    std::string bad_path = tmp.path("bad.onnx");
    ASSERT_TRUE(testing::writeBinaryFile(bad_path, serialize(m)));
    auto g = importOnnx(bad_path);
    expectInvalid(g.status(), {bad_path, "initializer 'conv1.weight'", c.expect});
  }
  std::filesystem::remove(tmp.dir().parent_path() / "gpuscope_onnx_outside.data");
}

}  // namespace
}  // namespace gpuscope::engine
