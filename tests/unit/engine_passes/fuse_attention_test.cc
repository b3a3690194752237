#include <cmath>
#include <limits>
#include <map>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/ops/fused_ops.h"
#include "engine/passes/passes.h"
#include "pass_test_util.h"

namespace gpuscope::engine::testing {
namespace {

using ::testing::ElementsAre;
const std::string kAttention(fused::kAttention);
constexpr int64_t B = 2, H = 3, S = 5, D = 4;

std::vector<float> causalAdditive(float masked) {
  std::vector<float> m(size_t(S * S));
  for (int64_t i = 0; i < S; ++i)
    for (int64_t j = 0; j < S; ++j) m[size_t(i * S + j)] = j <= i ? 0.f : masked;
  return m;
}

// BERT's attention scores: softmax(q · kᵀ / 2 + mask) over q, k, v of
// [B, H, S, D] and a [B, 1, 1, S] mask input.
struct BertScores {
  ValueId q, k, v, mask, p;
};
BertScores bertScores(GraphBuilder& b) {
  BertScores r;
  r.q = b.input("q", {B, H, S, D});
  r.k = b.input("k", {B, H, S, D});
  r.v = b.input("v", {B, H, S, D});
  r.mask = b.input("mask", {B, 1, 1, S});
  ValueId kt = b.node("Transpose", "kT", {r.k}, attrs({{"perm", std::vector<int64_t>{0, 1, 3, 2}}}));
  ValueId qk = b.node("MatMul", "qk", {r.q, kt});
  ValueId sc = b.node("Div", "scale", {qk, b.scalar("sqrt_d", 2.f)});
  ValueId m = b.node("Add", "add_mask", {sc, r.mask});
  r.p = b.node("Softmax", "softmax", {m}, attrs({{"axis", int64_t(-1)}}));
  return r;
}

TEST(FuseAttention, BertStyleWithTransposeDivAndMaskInput) {
  GraphBuilder b;
  auto [q, k, v, mask, p] = bertScores(b);
  b.output(b.node("MatMul", "pv", {p, v}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseAttention(g, log).ok());
  ASSERT_THAT(opTypes(g), ElementsAre(kAttention));
  const Node& n = g.nodes[0];
  EXPECT_EQ(n.name, "kT + qk + scale + add_mask + softmax + pv");
  EXPECT_EQ(n.attrs.getInt("k_transposed", -1), 0);
  EXPECT_EQ(n.attrs.getInt("causal", -1), 0);
  EXPECT_FLOAT_EQ(n.attrs.getFloat("scale", 0), 0.5f);
  EXPECT_THAT(n.inputs, ElementsAre(q, k, v, mask));
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

// torch.onnx's SDPA with a mask (HF BERT, GPT-2) guards the probabilities:
// Where(IsNaN(p), 0, p). The guard is part of the fused layer; with a finite
// mask (HF's lowest-finite fill) the outputs are the same.
TEST(FuseAttention, SdpaNanGuardAfterSoftmaxIsFused) {
  GraphBuilder b;
  auto [q, k, v, mask, p] = bertScores(b);
  ValueId nan = b.node("IsNaN", "isnan", {p});
  ValueId guarded = b.node("Where", "nan_guard", {nan, b.scalar("zero", 0.f), p});
  b.output(b.node("MatMul", "pv", {guarded, v}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseAttention(g, log).ok());
  ASSERT_THAT(opTypes(g), ElementsAre(kAttention));
  const Node& n = g.nodes[0];
  EXPECT_EQ(n.name, "kT + qk + scale + add_mask + softmax + isnan + nan_guard + pv");
  EXPECT_THAT(n.inputs, ElementsAre(q, k, v, mask));
  EXPECT_EQ(n.attrs.getInt("nan_to_zero", 0), 1);
  expectSameOutputs(g, ref, 1e-5, 1e-5);
  {
    // Batch 0 masked everywhere with -inf: the softmax rows are NaN, the guard
    // makes them 0, and so must the fused layer (batch 1 stays finite).
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(-1, 1);
    auto random = [&](Shape shape) {
      HostTensor t(DType::kFloat32, shape);
      for (int64_t i = 0; i < t.elements(); ++i) t.setDouble(i, u(rng));
      return t;
    };
    std::map<std::string, HostTensor> in;
    for (const char* name : {"q", "k", "v"}) in[name] = random({B, H, S, D});
    HostTensor mk = random({B, 1, 1, S});
    for (int64_t j = 0; j < S; ++j) mk.setDouble(j, -INFINITY);
    in["mask"] = mk;
    auto want = runGraph(ref, in);
    auto got = runGraph(g, in);
    ASSERT_TRUE(want.ok() && got.ok());
    const HostTensor& w = (*want)[0];
    const HostTensor& y = (*got)[0];
    const int64_t per_batch = H * S * D;
    for (int64_t i = 0; i < w.elements(); ++i) {
      ASSERT_EQ(w.getDouble(i), i < per_batch ? 0.0 : w.getDouble(i));
      ASSERT_NEAR(y.getDouble(i), w.getDouble(i), 1e-5) << i;
    }
  }

  // A guard whose replacement is not 0, or probabilities read elsewhere too, stay unfused.
  GraphBuilder b2;
  ValueId q2 = b2.input("q", {B, H, S, D});
  ValueId kt2 = b2.input("kt", {B, H, D, S});
  ValueId v2 = b2.input("v", {B, H, S, D});
  ValueId p2 = b2.node("Softmax", "softmax", {b2.node("MatMul", "qk", {q2, kt2})}, attrs({{"axis", int64_t(-1)}}));
  ValueId nan2 = b2.node("IsNaN", "isnan", {p2});
  ValueId g2 = b2.node("Where", "nan_guard", {nan2, b2.scalar("one", 1.f), p2});
  b2.output(b2.node("MatMul", "pv", {g2, v2}));
  Graph other = b2.build();
  ASSERT_TRUE(fuseAttention(other, log).ok());
  EXPECT_THAT(opTypes(other), ElementsAre("MatMul", "Softmax", "IsNaN", "Where", "MatMul"));
}

TEST(FuseAttention, SdpaStyleScaledOperandsAndCausalConstantMask) {
  // onnxscript's SDPA: MatMul(Q * s, K^T * s) + causal mask (0 / -inf), K^T given directly.
  GraphBuilder b;
  ValueId q = b.input("q", {B, H, S, D});
  ValueId kt = b.input("kt", {B, H, D, S});
  ValueId v = b.input("v", {B, H, S, D});
  ValueId qs = b.node("Mul", "q_scale", {q, b.scalar("s1", 0.7071f)});
  ValueId ks = b.node("Mul", "k_scale", {b.scalar("s2", 0.7071f), kt});
  ValueId qk = b.node("MatMul", "qk", {qs, ks});
  ValueId m = b.node("Add", "causal", {qk, b.constant("cmask", {S, S}, causalAdditive(-std::numeric_limits<float>::infinity()))});
  ValueId p = b.node("Softmax", "softmax", {m});
  b.output(b.node("MatMul", "pv", {p, v}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseAttention(g, log).ok());
  ASSERT_THAT(opTypes(g), ElementsAre(kAttention));
  const Node& n = g.nodes[0];
  EXPECT_EQ(n.attrs.getInt("k_transposed", -1), 1);
  EXPECT_EQ(n.attrs.getInt("causal", -1), 1);
  EXPECT_NEAR(n.attrs.getFloat("scale", 0), 0.7071 * 0.7071, 1e-6);
  EXPECT_EQ(n.inputs.size(), 3u);  // the verified causal mask is not an input any more
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseAttention, WhereCausalMaskVerified) {
  GraphBuilder b;
  ValueId q = b.input("q", {B, H, S, D});
  ValueId k = b.input("k", {B, H, S, D});
  ValueId v = b.input("v", {B, H, S, D});
  std::vector<int64_t> tri(size_t(S * S));
  for (int64_t i = 0; i < S; ++i)
    for (int64_t j = 0; j < S; ++j) tri[size_t(i * S + j)] = j <= i;
  ValueId cond = b.g.addConstant("tri", HostTensor::fromInts(DType::kBool, {1, 1, S, S}, tri));
  ValueId kt = b.node("Transpose", "kT", {k}, attrs({{"perm", std::vector<int64_t>{0, 1, 3, 2}}}));
  ValueId qk = b.node("MatMul", "qk", {q, kt});
  ValueId sc = b.node("Mul", "scale", {qk, b.scalar("c", 0.5f)});
  ValueId w = b.node("Where", "where", {cond, sc, b.scalar("fill", -3.4028e38f)});
  ValueId p = b.node("Softmax", "softmax", {w});
  b.output(b.node("MatMul", "pv", {p, v}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseAttention(g, log).ok());
  ASSERT_THAT(opTypes(g), ElementsAre(kAttention));
  EXPECT_EQ(g.nodes[0].attrs.getInt("causal", -1), 1);
  EXPECT_EQ(g.nodes[0].inputs.size(), 3u);
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseAttention, NonCausalConstantMaskStaysAnInput) {
  GraphBuilder b;
  ValueId q = b.input("q", {B, H, S, D});
  ValueId kt = b.input("kt", {B, H, D, S});
  ValueId v = b.input("v", {B, H, S, D});
  std::vector<float> mask = causalAdditive(-1e9f);
  mask[1] = 0.f;  // query 0 sees key 1: not the lower triangle
  ValueId qk = b.node("MatMul", "qk", {q, kt});
  ValueId m = b.node("Add", "add_mask", {qk, b.constant("mask", {1, 1, S, S}, mask)});
  ValueId p = b.node("Softmax", "softmax", {m});
  b.output(b.node("MatMul", "pv", {p, v}));
  Graph ref = b.build();
  Graph g = ref;
  PassLog log;
  ASSERT_TRUE(fuseAttention(g, log).ok());
  ASSERT_THAT(opTypes(g), ElementsAre(kAttention));
  EXPECT_EQ(g.nodes[0].attrs.getInt("causal", -1), 0);
  EXPECT_EQ(g.nodes[0].inputs.size(), 4u);
  EXPECT_FLOAT_EQ(g.nodes[0].attrs.getFloat("scale", 0), 1.f);
  expectSameOutputs(g, ref, 1e-5, 1e-5);
}

TEST(FuseAttention, SharedProbabilitiesOrOtherSoftmaxAxisDoNotFuse) {
  {
    GraphBuilder b;
    ValueId q = b.input("q", {B, H, S, D});
    ValueId kt = b.input("kt", {B, H, D, S});
    ValueId v = b.input("v", {B, H, S, D});
    ValueId p = b.node("Softmax", "softmax", {b.node("MatMul", "qk", {q, kt})});
    b.output(b.node("MatMul", "pv", {p, v}));
    b.output(p);  // attention probabilities are an output too
    Graph g = b.build();
    PassLog log;
    ASSERT_TRUE(fuseAttention(g, log).ok());
    EXPECT_THAT(opTypes(g), ElementsAre("MatMul", "Softmax", "MatMul"));
  }
  {
    GraphBuilder b;
    ValueId q = b.input("q", {B, H, S, D});
    ValueId kt = b.input("kt", {B, H, D, S});
    ValueId v = b.input("v", {B, H, S, D});
    ValueId p = b.node("Softmax", "softmax", {b.node("MatMul", "qk", {q, kt})}, attrs({{"axis", int64_t(2)}}));
    b.output(b.node("MatMul", "pv", {p, v}));
    Graph g = b.build();
    PassLog log;
    ASSERT_TRUE(fuseAttention(g, log).ok());
    EXPECT_THAT(opTypes(g), ElementsAre("MatMul", "Softmax", "MatMul"));
  }
}

}  // namespace
}  // namespace gpuscope::engine::testing
