// The seed corpus of fuzz/fuzz_onnx.cc (fuzz/corpus/onnx): files named ok_*
// must import, bad_* must be rejected. Run with
// GPUSCOPE_REGENERATE_ONNX_CORPUS=1 to rewrite the seeds from the fixtures
// (each stays under 20 KB: large weights are shrunk, the graphs kept).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "base/file.h"
#include "engine/onnx/onnx_import.h"
#include "fixtures/onnx_fixture.h"
#include "unit/engine_onnx/onnx_test_util.h"

namespace gpuscope::engine {
namespace {

using test::parseModel;
using test::serialize;

constexpr size_t kMaxSeedBytes = 20 * 1024;

// Keeps every initializer but cuts those over 256 bytes to 16 fp32 values:
// the graph still imports (the importer does not check op shapes).
std::string shrunk(const std::string& bytes) {
  onnx::ModelProto m = parseModel(bytes);
  for (auto& t : *m.mutable_graph()->mutable_initializer()) {
    if (t.raw_data().size() <= 256) continue;
    t.clear_dims();
    t.add_dims(16);
    t.mutable_raw_data()->resize(16 * 4);
  }
  return serialize(m);
}

std::vector<std::pair<std::string, std::string>> seeds() {
  std::vector<std::pair<std::string, std::string>> out;
  std::string cnn = testing::makeTinyCnnOnnx("");
  out.emplace_back("ok_tiny_cnn_opset18.onnx", cnn);
  out.emplace_back("ok_tiny_cnn_opset13_static.onnx", testing::makeTinyCnnOnnx("", 13, false));
  out.emplace_back("ok_tiny_transformer_opset18.onnx", shrunk(testing::makeTinyTransformerOnnx("", 18)));
  out.emplace_back("ok_tiny_transformer_opset16.onnx", shrunk(testing::makeTinyTransformerOnnx("", 16)));

  // Typed fields, Constant forms and every attribute kind in one small model.
  Attributes attrs;
  attrs.set("i", int64_t(-3));
  attrs.set("f", 0.25f);
  attrs.set("s", std::string("same_upper"));
  attrs.set("ints", std::vector<int64_t>{1, 2});
  attrs.set("floats", std::vector<float>{0.5f});
  attrs.set("strings", std::vector<std::string>{"a"});
  attrs.set("t", std::make_shared<const HostTensor>(HostTensor::fromFloats(DType::kFloat16, Shape{2}, std::vector<float>{1, 2})));
  onnx::ModelProto typed = parseModel(testing::makeSingleNodeOnnx(
      "Custom", attrs, {{"x", DType::kFloat32, Shape{-1, 2}, {"n"}}},
      {{"w", HostTensor::fromFloats(DType::kFloat32, Shape{2}, std::vector<float>{1, 2})}}, {"y"}));
  auto* w = typed.mutable_graph()->mutable_initializer(0);
  w->clear_raw_data();
  w->add_float_data(1);
  w->add_float_data(2);
  auto* c = typed.mutable_graph()->add_node();
  c->set_op_type("Constant");
  c->add_output("k");
  auto* a = c->add_attribute();
  a->set_name("value_ints");
  a->set_type(onnx::AttributeProto::INTS);
  a->add_ints(7);
  out.emplace_back("ok_single_node_typed.onnx", serialize(typed));

  out.emplace_back("bad_truncated_cnn.onnx", cnn.substr(0, cnn.size() / 2));
  onnx::ModelProto m = parseModel(cnn);
  m.mutable_opset_import(0)->set_version(12);
  out.emplace_back("bad_opset_12.onnx", serialize(m));
  m = parseModel(cnn);
  m.mutable_graph()->mutable_node(2)->set_domain("com.microsoft");
  out.emplace_back("bad_domain.onnx", serialize(m));
  m = parseModel(cnn);
  m.mutable_graph()->mutable_initializer(1)->mutable_raw_data()->resize(5);
  out.emplace_back("bad_raw_data_size.onnx", serialize(m));
  m = parseModel(cnn);
  auto* ext = m.mutable_graph()->mutable_initializer(0);
  ext->clear_raw_data();
  ext->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* loc = ext->add_external_data();
  loc->set_key("location");
  loc->set_value("../../etc/passwd");
  out.emplace_back("bad_external_escape.onnx", serialize(m));
  m = parseModel(cnn);
  auto* g = m.mutable_graph()->mutable_node(2)->add_attribute();
  g->set_name("then_branch");
  g->set_type(onnx::AttributeProto::GRAPH);
  g->mutable_g()->set_name("then");
  out.emplace_back("bad_subgraph.onnx", serialize(m));
  m = parseModel(cnn);
  m.mutable_graph()->mutable_node(2)->set_input(0, "logits");
  out.emplace_back("bad_cycle.onnx", serialize(m));
  m = parseModel(cnn);
  m.mutable_graph()->mutable_initializer(1)->add_dims(int64_t(1) << 62);
  out.emplace_back("bad_huge_dims.onnx", serialize(m));
  return out;
}

TEST(OnnxFuzzCorpus, SeedsImportAsExpected) {
  std::filesystem::path dir = std::filesystem::path(GPUSCOPE_SOURCE_DIR) / "fuzz" / "corpus" / "onnx";
  auto all = seeds();
  if (const char* regen = std::getenv("GPUSCOPE_REGENERATE_ONNX_CORPUS"); regen && std::string(regen) == "1") {
    std::filesystem::create_directories(dir);
    for (const auto& [name, bytes] : all) ASSERT_TRUE(testing::writeBinaryFile((dir / name).string(), bytes));
  }
  for (const auto& [name, expected] : all) {
    std::string path = (dir / name).string();
    auto bytes = readFile(path);
    ASSERT_TRUE(bytes.ok()) << bytes.status().message() << " (regenerate with GPUSCOPE_REGENERATE_ONNX_CORPUS=1)";
    EXPECT_EQ(*bytes, expected) << name << " is stale (regenerate with GPUSCOPE_REGENERATE_ONNX_CORPUS=1)";
    EXPECT_LT(bytes->size(), kMaxSeedBytes) << name;
    // From memory with no folder, as the fuzz target imports them.
    auto g = importOnnxBytes(*bytes, name);
    if (name.starts_with("ok_")) {
      EXPECT_TRUE(g.ok()) << name << ": " << g.status().message();
    } else {
      EXPECT_FALSE(g.ok()) << name;
      EXPECT_EQ(g.status().code(), StatusCode::kInvalidInput) << name;
      EXPECT_NE(g.status().message().find(name), std::string::npos) << g.status().message();
    }
  }
}

}  // namespace
}  // namespace gpuscope::engine
