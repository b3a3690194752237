// End to end on the CPU path: the onnx fixtures built optimized and
// unoptimized give the same outputs; a graph built in code against values
// computed by hand; context behaviour (buffers, profiling, capture).
#include <gtest/gtest.h>

#include "engine/onnx/onnx_import.h"
#include "fixtures/onnx_fixture.h"
#include "runtime_test_util.h"

namespace gpuscope::engine {
namespace {

using testutil::cpuOutputs;
using testutil::fillCpuInputs;

struct Built {
  std::unique_ptr<Engine> engine;
  std::vector<std::string> log;
};

Built buildCpu(const std::string& onnx_path, std::map<std::string, Shape> shapes, bool optimize, bool fp16 = false) {
  Built b;
  BuildOptions o;
  o.device = Device::kCpu;
  o.fp16 = fp16;
  o.shapes = std::move(shapes);
  o.optimize = optimize;
  o.verbosity = ProfilingVerbosity::kDetailed;
  auto e = Engine::buildFromOnnx(onnx_path, o, testutil::collectLog(b.log));
  EXPECT_TRUE(e.ok()) << e.status().message();
  if (e.ok()) b.engine = std::move(e).value();
  return b;
}

std::map<std::string, std::vector<float>> runOnce(const Engine& e) {
  auto ctx = ExecutionContext::create(e, {});
  EXPECT_TRUE(ctx.ok()) << ctx.status().message();
  if (!ctx.ok()) return {};
  fillCpuInputs(e, **ctx);
  Status s = (*ctx)->enqueue(nullptr);
  EXPECT_TRUE(s.ok()) << s.message();
  return cpuOutputs(e, **ctx);
}

void expectSameOutputs(const Engine& optimized, const Engine& reference, double tol) {
  auto a = runOnce(optimized), b = runOnce(reference);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_FALSE(a.empty());
  for (const auto& [name, values] : b) {
    ASSERT_TRUE(a.count(name)) << name;
    EXPECT_LT(testutil::relativeError(a[name], values), tol) << name;
  }
}

TEST(CpuEngine, TinyCnnOptimizedMatchesUnoptimized) {
  std::string path = testutil::tempPath("tiny_cnn.onnx");
  ASSERT_FALSE(testing::makeTinyCnnOnnx(path).empty());
  Built opt = buildCpu(path, {{"input", {2, 3, 16, 16}}}, true);
  Built ref = buildCpu(path, {{"input", {2, 3, 16, 16}}}, false);
  ASSERT_TRUE(opt.engine && ref.engine);
  // The optimizer fuses: fewer layers than the 10 ONNX nodes minus the view (Flatten).
  EXPECT_LE(opt.engine->layers().size(), ref.engine->layers().size());
  EXPECT_EQ(ref.engine->layers().size(), 9u);  // 10 nodes, Flatten is a view
  expectSameOutputs(*opt.engine, *ref.engine, 1e-4);
  auto io = opt.engine->io();
  ASSERT_EQ(io.size(), 2u);
  EXPECT_EQ(io[1].name, "logits");
  EXPECT_EQ(io[1].desc.shape, (Shape{2, 10}));
}

TEST(CpuEngine, TinyCnnFp16WithinHalfPrecisionTolerance) {
  std::string path = testutil::tempPath("tiny_cnn16.onnx");
  ASSERT_FALSE(testing::makeTinyCnnOnnx(path).empty());
  Built half = buildCpu(path, {{"input", {2, 3, 16, 16}}}, true, true);
  Built ref = buildCpu(path, {{"input", {2, 3, 16, 16}}}, false);
  ASSERT_TRUE(half.engine && ref.engine);
  EXPECT_EQ(half.engine->precision(), Precision::kFp16);
  expectSameOutputs(*half.engine, *ref.engine, 1e-2);
}

TEST(CpuEngine, TinyTransformerOptimizedMatchesUnoptimized) {
  std::string path = testutil::tempPath("tiny_transformer.onnx");
  ASSERT_FALSE(testing::makeTinyTransformerOnnx(path).empty());
  std::map<std::string, Shape> shapes{{"input_ids", {2, 8}}, {"attention_mask", {2, 8}}};
  Built opt = buildCpu(path, shapes, true);
  Built ref = buildCpu(path, shapes, false);
  ASSERT_TRUE(opt.engine && ref.engine);
  expectSameOutputs(*opt.engine, *ref.engine, 1e-4);
}

TEST(CpuEngine, MlpGraphMatchesHandComputation) {
  std::vector<std::string> log;
  BuildOptions o;
  o.device = Device::kCpu;
  o.optimize = false;  // one layer per node: the structure checked below
  auto e = Engine::buildFromGraph(testutil::makeMlpGraph(), o, testutil::collectLog(log));
  ASSERT_TRUE(e.ok()) << e.status().message();
  auto ctx = ExecutionContext::create(**e, {.profile_layers = true});
  ASSERT_TRUE(ctx.ok());
  std::vector<float> x(8);
  for (size_t i = 0; i < 8; ++i) x[i] = float(i) - 3.5f;
  std::memcpy((*ctx)->buffer("x"), x.data(), 32);
  ASSERT_TRUE((*ctx)->enqueue(nullptr).ok());
  // y = reshape(relu(x @ w)), z = 2 * relu(x @ w), w[k][j] = ((k*6+j) % 7 - 3) / 4.
  const float* y = static_cast<const float*>((*ctx)->buffer("y"));
  const float* z = static_cast<const float*>((*ctx)->buffer("z"));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 6; ++j) {
      double acc = 0;
      for (int k = 0; k < 4; ++k) acc += double(x[size_t(i * 4 + k)]) * ((k * 6 + j) % 7 - 3) * 0.25;
      double relu = acc > 0 ? acc : 0;
      EXPECT_NEAR(y[i * 6 + j], relu, 1e-5) << i << "," << j;
      EXPECT_NEAR(z[i * 6 + j], 2 * relu, 1e-5) << i << "," << j;
    }
  // Layers: MatMul, Relu, Add (Reshape is a view, no layer), in run order.
  const auto& layers = (*e)->layers();
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[0].name, "/fc/MatMul");
  EXPECT_EQ(layers[0].layer_type, "MatrixMultiply");
  EXPECT_EQ(layers[1].name, "/relu/Relu");
  EXPECT_EQ(layers[1].parameter_type, "PointWise");
  EXPECT_EQ(layers[2].name, "/Add");
  auto times = (*ctx)->lastLayerTimes();
  ASSERT_TRUE(times.ok());
  EXPECT_EQ(times->ms.size(), 3u);
  for (float t : times->ms) EXPECT_GE(t, 0.f);
  EXPECT_EQ((*ctx)->buffer("nope"), nullptr);
  // trtexec's INFO lines.
  bool built = false, size = false;
  for (const auto& l : log) {
    built |= l.rfind("I Engine built in ", 0) == 0;
    size |= l.rfind("I Created engine with size: ", 0) == 0 && l.find(" MiB") != std::string::npos;
  }
  EXPECT_TRUE(built);
  EXPECT_TRUE(size);
  EXPECT_EQ((*e)->weightBytes(), 512);  // 96 B weights + 16 B shape, each padded to 256
}

TEST(CpuEngine, MlpGraphOptimizedMatchesUnoptimized) {
  BuildOptions o;
  o.device = Device::kCpu;
  auto opt = Engine::buildFromGraph(testutil::makeMlpGraph(), o, nullptr);
  o.optimize = false;
  auto ref = Engine::buildFromGraph(testutil::makeMlpGraph(), o, nullptr);
  ASSERT_TRUE(opt.ok()) << opt.status().message();
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  expectSameOutputs(**opt, **ref, 1e-6);
}

TEST(CpuEngine, ContextWithoutProfilingRefusesLayerTimes) {
  BuildOptions o;
  o.device = Device::kCpu;
  auto e = Engine::buildFromGraph(testutil::makeMlpGraph(), o, nullptr);
  ASSERT_TRUE(e.ok());
  auto ctx = ExecutionContext::create(**e, {});
  ASSERT_TRUE(ctx.ok());
  ASSERT_TRUE((*ctx)->enqueue(nullptr).ok());
  EXPECT_FALSE((*ctx)->lastLayerTimes().ok());
  std::vector<std::string> log;
  auto captured = (*ctx)->captureGraph(nullptr, testutil::collectLog(log));
  ASSERT_TRUE(captured.ok());
  EXPECT_FALSE(*captured);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0][0], 'W');
}

TEST(CpuEngine, UnknownOpNamesNodeAndOp) {
  Graph g = testutil::makeMlpGraph();
  g.nodes[1].op = "NoSuchOp";
  BuildOptions o;
  o.device = Device::kCpu;
  o.optimize = false;
  auto e = Engine::buildFromGraph(std::move(g), o, nullptr);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(e.status().message().find("/relu/Relu"), std::string::npos) << e.status().message();
  EXPECT_NE(e.status().message().find("NoSuchOp"), std::string::npos) << e.status().message();
}

}  // namespace
}  // namespace gpuscope::engine
