// gpuscope.Attention on the GPU against softmax(Q K^T * scale + mask) V
// computed here in double precision, for every tactic (CUDA-core and, for
// fp16/bf16 with head dim 64/128, tensor-core kernels; query tile heights),
// with masks broadcast over heads/queries, causal masking, K transposed,
// head dims 64 / 128 / odd, fp32 at 1e-4 and fp16/bf16 at 1e-2; and strided
// Q/K/V/Y views (qkv buffers, K^T views, [B,S,H*D] output) vs the CPU op.
#include <gtest/gtest.h>

#include <cmath>

#include "unit/engine_gpu/gpu_test_util.h"

namespace gpuscope::engine::gputest {
namespace {

struct AttnCase {
  int64_t b, h, sq, sk, d;
  DType t;
  bool causal = false, k_transposed = false;
  Shape mask;  // empty: none
};

// Reference in double; inputs read from the (possibly fp16) host tensors.
HostTensor reference(const AttnCase& c, const HostTensor& q, const HostTensor& k, const HostTensor& v,
                     const HostTensor* mask, float scale) {
  HostTensor y(DType::kFloat32, {c.b, c.h, c.sq, c.d});
  std::vector<int64_t> ms(4, 0);
  if (mask) {  // broadcast strides of the mask over [B,H,Sq,Sk]
    const Shape& s = mask->shape();
    std::vector<int64_t> st = contiguousStrides(s);
    size_t off = 4 - s.size();
    for (size_t i = 0; i < s.size(); ++i) ms[i + off] = s[i] == 1 ? 0 : st[i];
  }
  std::vector<double> sc(size_t(c.sk));
  for (int64_t b = 0; b < c.b; ++b)
    for (int64_t h = 0; h < c.h; ++h)
      for (int64_t i = 0; i < c.sq; ++i) {
        double mx = -INFINITY;
        for (int64_t j = 0; j < c.sk; ++j) {
          double s = 0;
          for (int64_t d = 0; d < c.d; ++d) {
            int64_t ki = c.k_transposed ? (((b * c.h + h) * c.d + d) * c.sk + j) : (((b * c.h + h) * c.sk + j) * c.d + d);
            s += q.getDouble(((b * c.h + h) * c.sq + i) * c.d + d) * k.getDouble(ki);
          }
          s *= scale;
          if (mask) s += mask->getDouble(b * ms[0] + h * ms[1] + i * ms[2] + j * ms[3]);
          if (c.causal && j > i) s = -INFINITY;
          sc[size_t(j)] = s;
          mx = std::max(mx, s);
        }
        double sum = 0;
        for (double& s : sc) sum += (s = std::exp(s - mx));
        for (int64_t d = 0; d < c.d; ++d) {
          double acc = 0;
          for (int64_t j = 0; j < c.sk; ++j) acc += sc[size_t(j)] * v.getDouble(((b * c.h + h) * c.sk + j) * c.d + d);
          y.setDouble(((b * c.h + h) * c.sq + i) * c.d + d, acc / sum);
        }
      }
  return y;
}

void runCase(GpuEnv& env, const AttnCase& c, std::mt19937& rng) {
  SCOPED_TRACE(::testing::Message() << "B" << c.b << " H" << c.h << " Sq" << c.sq << " Sk" << c.sk << " D" << c.d << " "
                                    << dtypeName(c.t) << (c.causal ? " causal" : "") << (c.k_transposed ? " k^T" : "")
                                    << (c.mask.empty() ? "" : " mask " + shapeText(c.mask)));
  OneNode n;
  HostTensor q = randomTensor(c.t, {c.b, c.h, c.sq, c.d}, rng, -2, 2);
  HostTensor k = randomTensor(c.t, c.k_transposed ? Shape{c.b, c.h, c.d, c.sk} : Shape{c.b, c.h, c.sk, c.d}, rng, -2, 2);
  HostTensor v = randomTensor(c.t, {c.b, c.h, c.sk, c.d}, rng);
  HostTensor mask;
  if (!c.mask.empty()) {
    mask = randomTensor(c.t, c.mask, rng, -1, 1);
    for (int64_t i = 0; i < mask.elements(); i += 3) mask.setDouble(i, -10000.0);  // padding-style entries
  }
  const float scale = 1.f / std::sqrt(float(c.d));
  std::vector<ValueId> in = {n.input("q", q), n.input("k", k), n.input("v", v)};
  if (!c.mask.empty()) in.push_back(n.input("mask", mask));
  Attributes a;
  a.set("scale", scale);
  a.set("causal", int64_t(c.causal));
  a.set("k_transposed", int64_t(c.k_transposed));
  ASSERT_TRUE(n.node("gpuscope.Attention", in, a));
  HostTensor want = reference(c, q, k, v, c.mask.empty() ? nullptr : &mask, scale);
  auto factory = GpuLayerRegistry::instance().find("gpuscope.Attention");
  ASSERT_NE(factory, nullptr);
  auto l = factory(GpuLayerArgs{n.graph, n.id, env.ctx});
  ASSERT_TRUE(l.ok()) << l.status().message();
  size_t tactics = (*l)->tactics().size();
  ASSERT_GE(tactics, 1u);
  for (size_t ti = 0; ti < tactics; ++ti) {
    for (bool capture : {false, true}) {
      std::string name;
      std::vector<HostTensor> got = runOnGpu(env, n, ti, &name, capture);
      ASSERT_EQ(got.size(), 1u) << name;
      Diff d = compareTensors(got[0], want);
      EXPECT_LE(d.rel, tolFor(c.t)) << "tactic " << name << (capture ? " (CUDA graph replay)" : "") << ": " << d.text();
    }
  }
}

TEST(GpuAttention, MatchesSoftmaxReference) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(41);
  std::vector<AttnCase> cases = {
      {2, 3, 40, 40, 64, DType::kFloat32, false, false, {}},
      {2, 3, 40, 40, 64, DType::kFloat16, false, false, {2, 1, 1, 40}},  // BERT padding mask
      {1, 2, 77, 77, 64, DType::kBFloat16, true, false, {}},                         // GPT-2 causal
      {1, 2, 70, 50, 128, DType::kFloat32, false, true, {70, 50}},        // K transposed, 2-D mask
      {2, 1, 33, 65, 40, DType::kFloat16, false, false, {2, 1, 33, 65}},  // odd head dim, full mask
      {1, 12, 197, 197, 64, DType::kFloat16, false, false, {}},                             // ViT-B/16
      {1, 1, 5, 3, 8, DType::kFloat32, true, false, {}},                 // tiny, causal with Sk < Sq
      {2, 2, 90, 130, 128, DType::kFloat16, false, true, {2, 1, 90, 130}},  // tensor cores, D 128, K^T
      {1, 3, 150, 150, 128, DType::kBFloat16, true, false, {1, 150}},       // tensor cores, D 128, causal
  };
  for (const AttnCase& c : cases) runCase(*env, c, rng);
}

// Strided views (attention_views pass): Q/K/V read from projection buffers
// through (offset, strides) attributes and Y written as [B,S,H*D], checked
// against the CPU reference op (itself checked against the unfused graph in
// tests/unit/engine_passes/attention_views_test.cc) for every tactic.
struct ViewCase {
  const char* what;
  int64_t b, h, s, d;
  DType t;
  bool packed_qkv;    // one [B,S,3*H*D (+pad)] buffer (ViT/GPT-2) or three [B,S,H*D (+pad)] (BERT)
  int64_t pad;        // extra elements per token row: != 0 breaks 16-byte alignment (scalar staging path)
  bool k_transposed;  // K given as [B,H,D,S] (BERT's Transpose(0,2,3,1))
  bool y_bshd;        // write [B,S,H*D]
  bool causal;
  bool mask;          // [B,1,1,S] padding mask
};

void runViewCase(GpuEnv& env, const ViewCase& c, std::mt19937& rng) {
  SCOPED_TRACE(::testing::Message() << c.what << ": B" << c.b << " H" << c.h << " S" << c.s << " D" << c.d << " "
                                    << dtypeName(c.t) << " pad " << c.pad);
  const int64_t hd = c.h * c.d;
  const int64_t row = (c.packed_qkv ? 3 * hd : hd) + c.pad;  // elements per token in a buffer
  OneNode n;
  Attributes a;
  a.set("scale", 1.f / std::sqrt(float(c.d)));
  a.set("causal", int64_t(c.causal));
  a.set("k_transposed", int64_t(c.k_transposed));
  std::vector<ValueId> in;
  const char* names[3] = {"q", "k", "v"};
  ValueId packed = kNoValue;
  if (c.packed_qkv) packed = n.input("qkv", randomTensor(c.t, {c.b, c.s, row}, rng, -2, 2));
  for (int i = 0; i < 3; ++i) {
    const std::string x = names[i];
    ValueId buf = c.packed_qkv ? packed : n.input(x + "_proj", randomTensor(c.t, {c.b, c.s, row}, rng, -2, 2));
    in.push_back(buf);
    // token s, head h, dim d at b*S*row + s*row + offset + h*D + d
    const int64_t offset = c.pad + (c.packed_qkv ? i * hd : 0);
    if (i == 1 && c.k_transposed) {
      a.set("k_shape", std::vector<int64_t>{c.b, c.h, c.d, c.s});
      a.set("k_strides", std::vector<int64_t>{c.s * row, c.d, 1, row});
    } else {
      a.set(x + "_shape", std::vector<int64_t>{c.b, c.h, c.s, c.d});
      a.set(x + "_strides", std::vector<int64_t>{c.s * row, c.d, row, 1});
    }
    a.set(x + "_offset", offset);
  }
  if (c.mask) {
    HostTensor m = randomTensor(c.t, {c.b, 1, 1, c.s}, rng, -1, 1);
    for (int64_t i = 0; i < m.elements(); i += 4) m.setDouble(i, -10000.0);
    in.push_back(n.input("mask", m));
  }
  if (c.y_bshd) {
    a.set("y_strides", std::vector<int64_t>{c.s * hd, c.d, hd, 1});
    a.set("out_shape", std::vector<int64_t>{c.b, c.s, hd});
  }
  ASSERT_TRUE(n.node("gpuscope.Attention", in, a));
  RunOptions opts;
  opts.tol = tolFor(c.t);
  EXPECT_GE(checkAgainstCpu(env, n, opts), 1);
}

TEST(GpuAttention, StridedViewsMatchCpuReference) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(43);
  std::vector<ViewCase> cases = {
      {"ViT qkv, fp16 tensor cores", 2, 12, 197, 64, DType::kFloat16, true, 0, false, true, false, false},
      {"ViT qkv, fp32 CUDA cores", 1, 3, 50, 64, DType::kFloat32, true, 0, false, true, false, false},
      {"BERT separate, K^T view, mask", 2, 4, 128, 64, DType::kFloat16, false, 0, true, true, false, true},
      {"GPT-2 packed, causal, bf16", 1, 4, 128, 64, DType::kBFloat16, true, 0, false, true, true, false},
      {"unaligned rows (scalar staging), D 128", 2, 2, 50, 128, DType::kBFloat16, true, 1, false, false, true, false},
      {"unaligned rows, K^T, odd head dim", 1, 2, 33, 40, DType::kFloat16, false, 3, true, true, false, true},
  };
  for (const ViewCase& c : cases) runViewCase(*env, c, rng);
}

}  // namespace
}  // namespace gpuscope::engine::gputest
