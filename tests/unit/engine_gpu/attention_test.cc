// gpuscope.Attention on the GPU against softmax(Q K^T * scale + mask) V
// computed here in double precision, for every tactic (CUDA-core and, for
// fp16/bf16 with head dim 64/128, tensor-core kernels: WMMA and mma.sync;
// query tile heights), with masks broadcast over heads/queries, causal
// masking, K transposed, head dims 64 / 128 / odd, fp32 at 1e-4 and fp16/bf16
// at 1e-2; strided Q/K/V/Y views (qkv buffers, K^T views, [B,S,H*D] output)
// vs the CPU op; rows whose every score is -inf (NaN, as the reference) or
// the dtype's lowest value; and the mma.sync vs WMMA kernel times at the
// ViT-B/16 b256 / BERT-base b64 / GPT-2 b1 shapes (printed, not asserted).
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>

#include "engine/gpu/nn/attention_kernel.h"

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

// Number of the layer's mma.sync tactics (0 when it does not offer them).
int mmaTactics(GpuEnv& env, OneNode& n) {
  auto factory = GpuLayerRegistry::instance().find("gpuscope.Attention");
  if (!factory) return -1;
  auto l = factory(GpuLayerArgs{n.graph, n.id, env.ctx});
  if (!l.ok()) return -1;
  int count = 0;
  for (const Tactic& t : (*l)->tactics()) count += t.name.find("_mma_") != std::string::npos;
  return count;
}

// `custom_mask` (shape c.mask) replaces the random one.
void runCase(GpuEnv& env, const AttnCase& c, std::mt19937& rng, const HostTensor* custom_mask = nullptr) {
  SCOPED_TRACE(::testing::Message() << "B" << c.b << " H" << c.h << " Sq" << c.sq << " Sk" << c.sk << " D" << c.d << " "
                                    << dtypeName(c.t) << (c.causal ? " causal" : "") << (c.k_transposed ? " k^T" : "")
                                    << (c.mask.empty() ? "" : " mask " + shapeText(c.mask)));
  OneNode n;
  HostTensor q = randomTensor(c.t, {c.b, c.h, c.sq, c.d}, rng, -2, 2);
  HostTensor k = randomTensor(c.t, c.k_transposed ? Shape{c.b, c.h, c.d, c.sk} : Shape{c.b, c.h, c.sk, c.d}, rng, -2, 2);
  HostTensor v = randomTensor(c.t, {c.b, c.h, c.sk, c.d}, rng);
  HostTensor mask;
  if (custom_mask) {
    mask = *custom_mask;
  } else if (!c.mask.empty()) {
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
  // mma.sync needs 16-byte rows: not a K stored transposed ([B,H,D,Sk], rows strided by Sk).
  const bool want_mma = gpu::attentionMmaSupported(c.t, c.d) && !c.k_transposed;
  EXPECT_EQ(mmaTactics(env, n), want_mma ? 4 : 0);
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
  bool y_dhead_last;  // write Y as [B,H,D,S] (no 16-byte rows: element stores)
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
  } else if (c.y_dhead_last) {
    a.set("y_strides", std::vector<int64_t>{hd * c.s, c.d * c.s, 1, c.s});
    a.set("out_shape", std::vector<int64_t>{c.b, c.h, c.d, c.s});
  }
  ASSERT_TRUE(n.node("gpuscope.Attention", in, a));
  RunOptions opts;
  opts.tol = tolFor(c.t);
  const bool want_mma = gpu::attentionMmaSupported(c.t, c.d) && c.pad % 8 == 0;
  EXPECT_EQ(mmaTactics(env, n), want_mma ? 4 : 0);
  EXPECT_GE(checkAgainstCpu(env, n, opts), 1);
}

TEST(GpuAttention, StridedViewsMatchCpuReference) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(43);
  std::vector<ViewCase> cases = {
      {"ViT qkv, fp16 tensor cores", 2, 12, 197, 64, DType::kFloat16, true, 0, false, true, false, false, false},
      {"ViT qkv, fp32 CUDA cores", 1, 3, 50, 64, DType::kFloat32, true, 0, false, true, false, false, false},
      {"BERT separate, K^T view, mask", 2, 4, 128, 64, DType::kFloat16, false, 0, true, true, false, true, false},
      {"GPT-2 packed, causal, bf16", 1, 4, 128, 64, DType::kBFloat16, true, 0, false, true, true, false, false},
      {"unaligned rows (scalar staging), D 128", 2, 2, 50, 128, DType::kBFloat16, true, 1, false, false, true, false,
       false},
      {"unaligned rows, K^T, odd head dim", 1, 2, 33, 40, DType::kFloat16, false, 3, true, true, false, true, false},
  };
  for (const ViewCase& c : cases) runViewCase(*env, c, rng);
}

// The mma.sync kernel (its tactics are offered and checked above whenever
// rows are 16-byte vectors) at the shapes of the models it was written for:
// ViT-B/16 (S 197: a 5-row query tail and a 5-key tail tile), BERT-base
// (K^T view, [B,1,1,S] mask), GPT-2 (causal), head dim 128, bf16, element
// offsets inside the buffer, and a Y without 16-byte rows.
TEST(GpuAttention, MmaKernelAtModelShapes) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(47);
  const DType f16 = DType::kFloat16, b16 = DType::kBFloat16;
  std::vector<ViewCase> cases = {
      {"ViT-B/16 qkv views, S 197", 2, 12, 197, 64, f16, true, 0, false, true, false, false, false},
      {"ViT-B/16 qkv views, bf16", 1, 12, 197, 64, b16, true, 0, false, true, false, false, false},
      {"BERT-base K^T view, [B,1,1,S] mask", 2, 12, 128, 64, f16, false, 0, true, true, false, true, false},
      {"BERT-style bf16 mask, S 197", 2, 4, 197, 64, b16, false, 0, true, true, false, true, false},
      {"GPT-2 packed, causal", 1, 12, 128, 64, f16, true, 0, false, true, true, false, false},
      {"causal, S 197, [B,H,S,D] output", 1, 4, 197, 64, f16, true, 0, false, false, true, false, false},
      {"head dim 128, causal, bf16", 1, 4, 197, 128, b16, true, 0, false, true, true, false, false},
      {"head dim 128, K^T view, mask", 2, 2, 150, 128, f16, false, 0, true, true, false, true, false},
      {"views 8 elements into the buffer", 1, 2, 70, 64, f16, true, 8, false, true, false, false, false},
      {"Y as [B,H,D,S] (element stores)", 1, 2, 100, 64, f16, true, 0, false, false, true, false, true},
  };
  for (const ViewCase& c : cases) runViewCase(*env, c, rng);
}

// A row whose every score is -inf is NaN in the CPU reference (exp(-inf - -inf));
// every kernel must agree. A row masked everywhere with the mask dtype's
// lowest finite value is an ordinary softmax (uniform for fp32/bf16, whose
// lowest * log2(e) would overflow); a row whose only unmasked key is the last
// one (in the tail tile) is that key's V row. Rows cycle through these every
// 8 (so every warp of every query tile has each kind).
TEST(GpuAttention, FullyMaskedRowsMatchReference) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(53);
  struct MaskCase {
    AttnCase c;
    DType mask_t;
  };
  const DType f16 = DType::kFloat16, b16 = DType::kBFloat16, f32 = DType::kFloat32;
  std::vector<MaskCase> cases = {
      {{2, 2, 197, 197, 64, f16, false, false, {2, 1, 197, 197}}, f32},
      {{1, 2, 197, 197, 128, b16, false, false, {1, 2, 197, 197}}, b16},
      {{2, 1, 100, 197, 64, b16, false, false, {2, 1, 100, 197}}, f16},
      {{1, 2, 197, 197, 64, f16, true, false, {1, 1, 197, 197}}, f16},  // causal on top
      {{1, 2, 90, 130, 64, f16, false, true, {1, 1, 90, 130}}, f32},    // K stored transposed: no mma.sync
      {{1, 2, 60, 60, 64, f32, false, false, {1, 1, 60, 60}}, f32},     // fp32: CUDA cores only
  };
  for (const MaskCase& mc : cases) {
    const AttnCase& c = mc.c;
    const double lowest = mc.mask_t == f32   ? -double(std::numeric_limits<float>::max())
                          : mc.mask_t == f16 ? -65504.0
                                             : -3.3895313892515355e38;  // bf16 0xFF7F
    HostTensor mask = randomTensor(mc.mask_t, c.mask, rng, -1, 1);
    const int64_t sq = c.mask[2], sk = c.mask[3], planes = c.mask[0] * c.mask[1];
    for (int64_t pl = 0; pl < planes; ++pl)
      for (int64_t i = 0; i < sq; ++i)
        for (int64_t j = 0; j < sk; ++j) {
          const int64_t kind = i % 8, at = (pl * sq + i) * sk + j;
          if (kind == 1) mask.setDouble(at, -INFINITY);
          else if (kind == 2) mask.setDouble(at, lowest);
          else if (kind == 3) mask.setDouble(at, j == sk - 1 ? 0.0 : -INFINITY);
        }
    runCase(*env, c, rng, &mask);
  }
}

// Device buffer of `elems` random values (a random block of up to 1 Mi
// elements repeated: enough to time kernels and to compare two of them).
DeviceBuffer randomDevice(DType t, int64_t elems, std::mt19937& rng) {
  const int64_t block = std::min<int64_t>(elems, int64_t(1) << 20);
  DeviceBuffer src = upload(randomTensor(t, {block}, rng, -2, 2));
  DeviceBuffer dst(size_t(elems) * dtypeSize(t));
  const size_t bb = src.bytes();
  for (size_t off = 0; off < dst.bytes(); off += bb)
    cudaMemcpy(static_cast<char*>(dst.get()) + off, src.get(), std::min(bb, dst.bytes() - off),
               cudaMemcpyDeviceToDevice);
  return dst;
}

// Median of 20 timed launches after 3 warm-ups (ms); -1 on a launch error.
double medianMs(const std::function<cudaError_t()>& launch, cudaStream_t stream) {
  for (int i = 0; i < 3; ++i)
    if (launch() != cudaSuccess) return -1;
  cudaEvent_t e0, e1;
  cudaEventCreate(&e0);
  cudaEventCreate(&e1);
  std::vector<float> ms;
  for (int i = 0; i < 20; ++i) {
    cudaEventRecord(e0, stream);
    const cudaError_t err = launch();
    cudaEventRecord(e1, stream);
    cudaEventSynchronize(e1);
    float t = 0;
    cudaEventElapsedTime(&t, e0, e1);
    if (err != cudaSuccess) break;
    ms.push_back(t);
  }
  cudaEventDestroy(e0);
  cudaEventDestroy(e1);
  if (ms.size() != 20) return -1;
  std::sort(ms.begin(), ms.end());
  return 0.5 * (ms[9] + ms[10]);
}

// Kernel times of mma.sync vs WMMA at the profiled model shapes, printed for
// the log (no timing assertion); the two kernels' outputs must agree.
TEST(GpuAttention, MmaVsWmmaKernelTimes) {
  GS_REQUIRE_GPU(env);
  ASSERT_EQ(gpu::prepareAttentionKernels(), cudaSuccess);
  std::mt19937 rng(59);
  struct Shape4 {
    const char* what;
    int64_t b, h, s, d;
    bool packed, mask, causal;  // packed: one [B,S,3*H*D] qkv buffer, else three [B,S,H*D]
  };
  const Shape4 shapes[] = {{"ViT-B/16 b256 fp16", 256, 12, 197, 64, true, false, false},
                           {"BERT-base b64 fp16 mask", 64, 12, 128, 64, false, true, false},
                           {"GPT-2 b1 fp16 causal", 1, 12, 128, 64, true, false, true}};
  auto stream = static_cast<cudaStream_t>(env->stream);
  for (const Shape4& sh : shapes) {
    SCOPED_TRACE(sh.what);
    const int64_t hd = sh.h * sh.d, row = sh.packed ? 3 * hd : hd, tok = sh.b * sh.s;
    DeviceBuffer qkv = randomDevice(DType::kFloat16, tok * row * (sh.packed ? 1 : 3), rng);
    DeviceBuffer mask = randomDevice(DType::kFloat16, sh.b * sh.s, rng);
    DeviceBuffer y_mma(size_t(tok * hd * 2)), y_wmma(size_t(tok * hd * 2));
    const auto* base = static_cast<const uint16_t*>(qkv.get());  // 2-byte elements
    const uint16_t* q = base;
    const uint16_t* k = sh.packed ? base + hd : base + tok * row;
    const uint16_t* v = sh.packed ? base + 2 * hd : base + 2 * tok * row;
    gpu::AttentionParams p;
    p.batch = sh.b;
    p.heads = sh.h;
    p.sq = p.sk = sh.s;
    p.d = sh.d;
    p.scale = 1.f / std::sqrt(float(sh.d));
    p.causal = sh.causal;
    for (int64_t* st : {p.q_stride, p.k_stride, p.v_stride}) {
      st[0] = sh.s * row;
      st[1] = sh.d;
      st[2] = row;
      st[3] = 1;
    }
    const int64_t ys[4] = {sh.s * hd, sh.d, hd, 1}, ms[4] = {sh.s, 0, 0, 1};
    std::copy(ys, ys + 4, p.y_stride);
    std::copy(ms, ms + 4, p.mask_stride);
    p.mask_t = DType::kFloat16;
    p.tensor_cores = true;
    const void* m = sh.mask ? mask.get() : nullptr;
    const double flops = 4.0 * double(sh.b * sh.h) * double(sh.s) * double(sh.s) * double(sh.d);
    double best[2] = {1e30, 1e30};
    for (bool use_mma : {false, true})
      for (int w : {1, 2, 4, 8}) {
        if (w == 8 && !use_mma) continue;
        gpu::AttentionParams kp = p;
        kp.mma = use_mma;
        kp.warps = w;
        void* y = use_mma ? y_mma.get() : y_wmma.get();
        const double t = medianMs([&] { return gpu::launchAttention(kp, DType::kFloat16, q, k, v, m, y, stream); },
                                  stream);
        ASSERT_GT(t, 0) << (use_mma ? "mma" : "wmma") << " warps " << w << ": launch failed";
        std::printf("[attention time] %-24s %-4s q%-3d %9.4f ms %7.1f TFLOPS\n", sh.what, use_mma ? "mma" : "wmma",
                    16 * w, t, flops / (t * 1e-3) / 1e12);
        best[use_mma] = std::min(best[use_mma], t);
      }
    std::printf("[attention time] %-24s best mma %.4f ms vs best wmma %.4f ms: %.2fx\n", sh.what, best[1], best[0],
                best[0] / best[1]);
    // Last runs: mma q128 and WMMA q64 on the same inputs.
    const TensorDesc desc{DType::kFloat16, {sh.b, sh.s, hd}};
    Diff d = compareTensors(download(y_mma, desc), download(y_wmma, desc));
    EXPECT_LE(d.rel, tolFor(DType::kFloat16)) << d.text();
  }
}

// With the mma.sync kernel asked for (and its 8-warp tile) on views whose
// rows are not 16-byte aligned, launchAttention runs the WMMA kernel (4
// warps) instead: the same bits as asking for WMMA directly.
TEST(GpuAttention, MmaRequestFallsBackOnUnalignedRows) {
  GS_REQUIRE_GPU(env);
  ASSERT_EQ(gpu::prepareAttentionKernels(), cudaSuccess);
  std::mt19937 rng(61);
  const int64_t b = 2, h = 2, s = 70, d = 64, row = h * d + 1;  // +1: rows 2 bytes off 16-byte alignment
  DeviceBuffer buf = randomDevice(DType::kBFloat16, 3 * b * s * row + 1, rng);
  const auto* base = static_cast<const uint16_t*>(buf.get()) + 1;  // 2-byte elements
  DeviceBuffer y1(size_t(b * h * s * d * 2)), y2(size_t(b * h * s * d * 2));
  gpu::AttentionParams p;
  p.batch = b;
  p.heads = h;
  p.sq = p.sk = s;
  p.d = d;
  p.scale = 0.125f;
  for (int64_t* st : {p.q_stride, p.k_stride, p.v_stride}) {
    st[0] = s * row;
    st[1] = d;
    st[2] = row;
    st[3] = 1;
  }
  const int64_t ys[4] = {h * s * d, s * d, d, 1};
  std::copy(ys, ys + 4, p.y_stride);
  p.tensor_cores = true;
  p.mma = true;
  p.warps = 8;
  auto stream = static_cast<cudaStream_t>(env->stream);
  const auto* k = base + b * s * row;
  const auto* v = base + 2 * b * s * row;
  ASSERT_EQ(gpu::launchAttention(p, DType::kBFloat16, base, k, v, nullptr, y1.get(), stream), cudaSuccess);
  p.mma = false;
  p.warps = 4;
  ASSERT_EQ(gpu::launchAttention(p, DType::kBFloat16, base, k, v, nullptr, y2.get(), stream), cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  const TensorDesc desc{DType::kBFloat16, {b, h, s, d}};
  HostTensor a = download(y1, desc), w = download(y2, desc);
  Diff diff = compareTensors(a, w);
  EXPECT_EQ(diff.max_abs_err, 0.0) << diff.text();
  EXPECT_GT(diff.max_abs_ref, 0.0);
}

}  // namespace
}  // namespace gpuscope::engine::gputest
