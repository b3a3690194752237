// Channels-last (layout = "NHWC") forms made by the layout pass for fp16/bf16
// engines: gpuscope.Conv on cuDNN NHWC descriptors (every tactic, fused and
// epilogue-kernel paths) and MaxPool / AveragePool / GlobalAveragePool /
// GlobalMaxPool. Each case is checked twice: against the CPU reference of the
// same NHWC node (checkAgainstCpu: every tactic, direct and CUDA-graph
// replay), and against the CPU reference of the equivalent NCHW node on
// transposed data, permuted back, so a layout mistake that the NHWC CPU op
// shared with the GPU would still be caught.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "engine/ops/shape/op_util.h"
#include "engine/passes/infer_shapes.h"
#include "unit/engine_gpu/gpu_test_util.h"

namespace gpuscope::engine::gputest {
namespace {

const std::vector<int64_t> kToNhwc = {0, 2, 3, 1};
const std::vector<int64_t> kToNchw = {0, 3, 1, 2};

// The node's CPU result from its own graph (inputs: constants or the
// OneNode's runtime values).
std::vector<HostTensor> cpuOutputs(OneNode& n) {
  const Node& node = n.graph.nodes[size_t(n.id)];
  std::vector<const HostTensor*> ptrs;
  for (ValueId v : node.inputs) {
    if (v == kNoValue) ptrs.push_back(nullptr);
    else if (const HostTensor* c = n.graph.constantOf(v)) ptrs.push_back(c);
    else ptrs.push_back(&n.values.at(n.graph.values[size_t(v)].name));
  }
  auto out = runNodeOnCpu(n.graph, n.id, ptrs);
  if (!out.ok()) {
    ADD_FAILURE() << "CPU reference of the NCHW node failed: " << out.status().message();
    return {};
  }
  return *out;
}

size_t tacticCount(GpuEnv& env, OneNode& n) {
  const Node& node = n.graph.nodes[size_t(n.id)];
  GpuLayerFactory f = GpuLayerRegistry::instance().find(node.op);
  if (!f) return 0;
  auto layer = f(GpuLayerArgs{n.graph, n.id, env.ctx});
  if (!layer.ok()) {
    ADD_FAILURE() << "factory: " << layer.status().message();
    return 0;
  }
  return (*layer)->tactics().size();
}

// Every tactic of the NHWC node `nhwc` against the NCHW node `nchw`'s CPU
// output permuted to NHWC.
void checkAgainstNchw(GpuEnv& env, OneNode& nhwc, OneNode& nchw, double tol) {
  std::vector<HostTensor> ref = cpuOutputs(nchw);
  ASSERT_EQ(ref.size(), 1u);
  HostTensor want = opu::transposed(ref[0], kToNhwc);
  size_t tactics = tacticCount(env, nhwc);
  ASSERT_GE(tactics, 1u);
  for (size_t t = 0; t < tactics; ++t) {
    std::string name;
    std::vector<HostTensor> got = runOnGpu(env, nhwc, t, &name, false);
    ASSERT_EQ(got.size(), 1u) << "tactic " << t;
    ASSERT_EQ(got[0].shape(), want.shape()) << "tactic " << name;
    Diff d = compareTensors(got[0], want);
    EXPECT_LE(d.rel, tol) << "[vs NCHW reference] tactic " << name << " (" << dtypeName(want.dtype()) << " NHWC "
                          << shapeText(want.shape()) << "): " << d.text();
  }
}

struct ConvCase {
  const char* what;
  Shape x;        // NCHW
  Shape w;        // [M, C/g, kH, kW]
  std::vector<int64_t> pads, strides;
  int64_t group;
  bool bias, residual;
  const char* act;
};

void runConvCase(GpuEnv& env, const ConvCase& c, DType t, std::mt19937& rng) {
  SCOPED_TRACE(fmt::format("{}: X {} W {} {} act '{}' bias {} residual {}", c.what, shapeText(c.x), shapeText(c.w),
                           dtypeName(t), c.act, c.bias, c.residual));
  HostTensor x = randomTensor(t, c.x, rng);
  HostTensor w = randomTensor(t, c.w, rng, -0.25, 0.25);
  HostTensor b = randomTensor(t, {c.w[0]}, rng);
  Attributes a;
  a.set("pads", c.pads);
  a.set("strides", c.strides);
  a.set("group", c.group);
  a.set("activation", std::string(c.act));
  if (std::string(c.act) == "Clip") {
    a.set("clip_min", -0.25f);
    a.set("clip_max", 0.5f);
  }
  // NCHW node first: its inferred output shape sizes the residual.
  OneNode ref;
  std::vector<ValueId> rin = {ref.input("x", x), ref.constant("w", w), c.bias ? ref.constant("b", b) : ref.omitted()};
  HostTensor z;
  if (c.residual) {
    // Output shape of the NCHW conv: computed by inference on a probe node.
    OneNode probe;
    ValueId px = probe.input("x", x);
    ValueId pw = probe.constant("w", w);
    ASSERT_TRUE(probe.node("gpuscope.Conv", {px, pw}, a));
    Shape ys = probe.graph.values[size_t(probe.graph.nodes[size_t(probe.id)].outputs[0])].desc.shape;
    z = randomTensor(t, ys, rng);
    rin.push_back(ref.input("z", z));
  }
  ASSERT_TRUE(ref.node("gpuscope.Conv", rin, a));

  OneNode n;
  std::vector<ValueId> in = {n.input("x", opu::transposed(x, kToNhwc)), n.constant("w", opu::transposed(w, kToNhwc)),
                             c.bias ? n.constant("b", b) : n.omitted()};
  if (c.residual) in.push_back(n.input("z", opu::transposed(z, kToNhwc)));
  Attributes an = a;
  an.set("layout", std::string("NHWC"));
  ASSERT_TRUE(n.node("gpuscope.Conv", in, an));

  RunOptions o;
  o.tol = tolFor(t);
  EXPECT_GE(checkAgainstCpu(env, n, o), 1);
  checkAgainstNchw(env, n, ref, tolFor(t));
}

const ConvCase kConvCases[] = {
    {"ResNet stem 7x7/2, 3 channels", {2, 3, 32, 32}, {16, 3, 7, 7}, {3, 3, 3, 3}, {2, 2}, 1, true, false, "Relu"},
    {"3x3 + bias + ReLU", {2, 16, 12, 12}, {32, 16, 3, 3}, {1, 1, 1, 1}, {1, 1}, 1, true, false, "Relu"},
    {"1x1 bottleneck, no bias, identity", {4, 64, 7, 7}, {32, 64, 1, 1}, {0, 0, 0, 0}, {1, 1}, 1, false, false, ""},
    {"1x1/2 downsample + bias", {2, 32, 14, 14}, {64, 32, 1, 1}, {0, 0, 0, 0}, {2, 2}, 1, true, false, ""},
    {"3x3 + bias + residual + ReLU", {2, 16, 10, 10}, {16, 16, 3, 3}, {1, 1, 1, 1}, {1, 1}, 1, true, true, "Relu"},
    {"3x3 residual, identity, no bias", {1, 8, 9, 9}, {8, 8, 3, 3}, {1, 1, 1, 1}, {1, 1}, 1, false, true, ""},
    {"grouped 3x3/2 (g=4)", {2, 32, 15, 13}, {32, 8, 3, 3}, {1, 1, 1, 1}, {2, 2}, 4, true, false, "Relu"},
    {"3x3 + Sigmoid (epilogue kernel)", {2, 8, 8, 8}, {16, 8, 3, 3}, {1, 1, 1, 1}, {1, 1}, 1, true, false, "Sigmoid"},
    {"3x3 + residual + Clip (epilogue kernel)", {2, 8, 8, 8}, {8, 8, 3, 3}, {1, 1, 1, 1}, {1, 1}, 1, true, true, "Clip"},
    {"3x3 + Tanh, no bias", {1, 16, 6, 6}, {16, 16, 3, 3}, {1, 1, 1, 1}, {1, 1}, 1, false, false, "Tanh"},
};

TEST(GpuNhwc, ConvHalfEveryTactic) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(101);
  for (DType t : {DType::kFloat16, DType::kBFloat16})
    for (const ConvCase& c : kConvCases) runConvCase(*env, c, t, rng);
}

// fp32 NHWC is not produced by the pass, but the layer must still be right.
TEST(GpuNhwc, ConvFloatEveryTactic) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(102);
  for (const ConvCase& c : {kConvCases[1], kConvCases[4], kConvCases[7]}) runConvCase(*env, c, DType::kFloat32, rng);
}

// A ResNet-50 sized layer (batch 8, 56x56x64 -> 3x3x64): the shapes whose
// speed motivated the NHWC path, still exact against the reference.
TEST(GpuNhwc, ConvResNetStage1Size) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(103);
  ConvCase c{"ResNet-50 layer1 3x3", {8, 64, 56, 56}, {64, 64, 3, 3}, {1, 1, 1, 1}, {1, 1}, 1, true, true, "Relu"};
  runConvCase(*env, c, DType::kFloat16, rng);
}

struct PoolCase {
  const char* op;
  Shape x;  // NCHW
  Attributes attrs;
};

Attributes poolAttrs(std::vector<int64_t> k, std::vector<int64_t> s, std::vector<int64_t> p, int64_t ceil_mode = 0,
                     int64_t include_pad = 0) {
  Attributes a;
  a.set("kernel_shape", std::move(k));
  a.set("strides", std::move(s));
  a.set("pads", std::move(p));
  a.set("ceil_mode", ceil_mode);
  a.set("count_include_pad", include_pad);
  return a;
}

TEST(GpuNhwc, Pooling) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(104);
  const PoolCase cases[] = {
      {"MaxPool", {2, 16, 32, 32}, poolAttrs({3, 3}, {2, 2}, {1, 1, 1, 1})},  // ResNet
      {"MaxPool", {1, 5, 9, 7}, poolAttrs({2, 2}, {2, 2}, {0, 0, 0, 0}, 1)},  // ceil_mode, odd channels
      {"AveragePool", {2, 8, 10, 10}, poolAttrs({3, 3}, {1, 1}, {1, 1, 1, 1}, 0, 1)},
      {"AveragePool", {2, 8, 11, 9}, poolAttrs({2, 2}, {2, 2}, {0, 0, 0, 0}, 1, 0)},
      {"GlobalAveragePool", {2, 64, 7, 7}, {}},
      {"GlobalAveragePool", {1, 2048, 7, 7}, {}},  // ResNet-50's head at batch 1
      {"GlobalMaxPool", {3, 24, 5, 6}, {}},
  };
  for (DType t : {DType::kFloat16, DType::kBFloat16, DType::kFloat32}) {
    for (const PoolCase& c : cases) {
      SCOPED_TRACE(fmt::format("{} X {} {}", c.op, shapeText(c.x), dtypeName(t)));
      HostTensor x = randomTensor(t, c.x, rng);
      OneNode ref;
      ValueId rx = ref.input("x", x);
      ASSERT_TRUE(ref.node(c.op, {rx}, c.attrs));
      OneNode n;
      ValueId nx = n.input("x", opu::transposed(x, kToNhwc));
      Attributes a = c.attrs;
      a.set("layout", std::string("NHWC"));
      ASSERT_TRUE(n.node(c.op, {nx}, a));
      RunOptions o;
      o.tol = t == DType::kFloat32 ? 1e-5 : tolFor(t);
      EXPECT_GE(checkAgainstCpu(*env, n, o), 1);
      checkAgainstNchw(*env, n, ref, o.tol);
    }
  }
}

}  // namespace
}  // namespace gpuscope::engine::gputest
