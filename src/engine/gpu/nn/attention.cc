// gpuscope.Attention (fused_ops.h) on the flash-attention kernels of
// attention_mma.cu / attention_wmma.cu / attention_kernel.cu. Tactics: CUDA-core (FMA) or, for
// fp16/bf16 with head dim 64/128, tensor-core kernels (WMMA; and mma.sync when
// Q/K/V rows are 16-byte vectors), with query tiles of 16, 32 or 64 rows per
// block (128 for mma.sync; small batches need the smaller tiles to fill the
// GPU). Tactic id = warps per block, | 0x100 WMMA, | 0x200 mma.sync.
// Q/K/V/Y may be strided views (the node's view attributes, see
// ops/fused_ops.h): the kernels take element strides, and the layer moves the
// buffer pointers to the views' first elements at enqueue.
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <utility>

#include "engine/gpu/cuda_check.h"
#include "engine/gpu/nn/attention_kernel.h"
#include "engine/gpu/nn/layer_base.h"
#include "engine/gpu/nn/nn_layers.h"
#include "engine/ops/fused/attention_layout.h"

namespace gpuscope::engine::gpu {
namespace {

constexpr int kWarpChoices[] = {1, 2, 4};
constexpr int kMmaWarpChoices[] = {1, 2, 4, 8};
constexpr uint64_t kWmmaBit = 0x100, kMmaBit = 0x200;

// Whether a view's rows are 16-byte vectors in any buffer the engine
// allocates (256-byte aligned): the mma.sync kernel's cp.async condition.
bool rowsVectorizable(const int64_t (&stride)[4], int64_t offset) {
  return stride[3] == 1 && stride[0] % 8 == 0 && stride[1] % 8 == 0 && stride[2] % 8 == 0 && offset % 8 == 0;
}

class AttentionLayer : public GpuLayer {
 public:
  AttentionLayer(std::string where, AttentionParams p, DType t, bool has_mask, std::array<int64_t, 3> offsets,
                 bool mma_ok)
      : where_(std::move(where)), p_(p), t_(t), has_mask_(has_mask), offsets_(offsets), mma_ok_(mma_ok) {}

  std::vector<Tactic> tactics() const override {
    std::vector<Tactic> t;
    if (mma_ok_)
      for (int w : kMmaWarpChoices)
        t.push_back({kMmaBit | uint64_t(w), fmt::format("gpuscope_fmha_mma_q{}_d{}_{}", w * kAttnRowsPerWarp, p_.d, dtypeName(t_))});
    if (attentionWmmaSupported(t_, p_.d))
      for (int w : kWarpChoices)
        t.push_back({kWmmaBit | uint64_t(w), fmt::format("gpuscope_fmha_wmma_q{}_d{}_{}", w * kAttnRowsPerWarp, p_.d, dtypeName(t_))});
    for (int w : kWarpChoices)
      t.push_back({uint64_t(w), fmt::format("gpuscope_fmha_fma_q{}_d{}_{}", w * kAttnRowsPerWarp, p_.d, dtypeName(t_))});
    return t;
  }
  Status select(uint64_t id) override {
    if (id & kMmaBit) {
      if (!mma_ok_)
        return InvalidInput(fmt::format("{}: mma.sync tactic 0x{:016x} needs fp16/bf16, head dim 64 or 128 and "
                                        "16-byte Q/K/V rows", where_, id));
      for (int w : kMmaWarpChoices)
        if (uint64_t(w) == (id & ~kMmaBit)) {
          p_.warps = w;
          p_.tensor_cores = true;
          p_.mma = true;
          return OkStatus();
        }
      return InvalidInput(fmt::format("{}: unknown tactic 0x{:016x}", where_, id));
    }
    const bool wmma = (id & kWmmaBit) != 0;
    if (wmma && !attentionWmmaSupported(t_, p_.d))
      return InvalidInput(fmt::format("{}: tensor-core tactic 0x{:016x} needs fp16/bf16 and head dim 64 or 128", where_, id));
    for (int w : kWarpChoices)
      if (uint64_t(w) == (id & ~kWmmaBit)) {
        p_.warps = w;
        p_.tensor_cores = wmma;
        p_.mma = false;
        return OkStatus();
      }
    return InvalidInput(fmt::format("{}: unknown tactic 0x{:016x}", where_, id));
  }
  Status enqueue(const LayerBindings& b, void* stream) override {
    if (b.inputs.size() < 3 || b.outputs.empty()) return InternalError(where_ + ": bindings lack inputs/outputs");
    const void* mask = has_mask_ ? b.inputs.at(3) : nullptr;
    const size_t es = dtypeSize(t_);
    auto at = [&](size_t i) { return static_cast<const char*>(b.inputs[i]) + offsets_[i] * int64_t(es); };
    GS_CUDA_CHECK(launchAttention(p_, t_, at(0), at(1), at(2), mask, b.outputs[0], static_cast<cudaStream_t>(stream)),
                  where_);
    return OkStatus();
  }
  std::string_view layerType() const override { return "MHA"; }
  std::string_view parameterType() const override { return "Attention"; }

 private:
  std::string where_;
  AttentionParams p_;
  DType t_;
  bool has_mask_;
  std::array<int64_t, 3> offsets_;  // elements from each Q/K/V buffer's start to its view
  bool mma_ok_;
};

}  // namespace

LayerOr makeAttentionLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  for (size_t i = 0; i < 3; ++i) {
    GS_RETURN_IF_ERROR(v.requireInput(i, "Q/K/V"));
    GS_RETURN_IF_ERROR(v.requireFloat(v.in(i), "Q/K/V"));
  }
  const TensorDesc& q = v.in(0);
  if (v.in(1).dtype != q.dtype || v.in(2).dtype != q.dtype || v.out(0).dtype != q.dtype)
    return v.invalid("Q, K, V and Y must share one dtype");
  GS_ASSIGN_OR_RETURN(fused::AttentionLayout l,
                      fused::attentionLayout(v.attrs(), q.shape, v.in(1).shape, v.in(2).shape, v.where));
  if (l.dv != l.d) return v.invalid(fmt::format("V head dim {} must equal Q's {}", l.dv, l.d));
  if (v.out(0).shape != l.out_shape)
    return v.invalid(fmt::format("Y {} must be {}", shapeText(v.out(0).shape), shapeText(l.out_shape)));
  AttentionParams p;
  p.batch = l.b;
  p.heads = l.h;
  p.sq = l.sq;
  p.sk = l.sk;
  p.d = l.d;
  p.causal = v.attrs().getInt("causal", 0) != 0;
  p.nan_to_zero = v.attrs().getInt("nan_to_zero", 0) != 0;
  for (size_t i = 0; i < 4; ++i) {
    p.q_stride[i] = l.q.strides[i];
    p.k_stride[i] = l.k.strides[i];
    p.v_stride[i] = l.v.strides[i];
    p.y_stride[i] = l.y_strides[i];
  }
  if (l.k_transposed) std::swap(p.k_stride[2], p.k_stride[3]);  // the kernels index K as [B,H,Sk,D]
  if (p.d > kAttnMaxHeadDim) return v.invalid(fmt::format("head dim {} > {} is not supported", p.d, kAttnMaxHeadDim));
  if (p.heads > 65535 || p.batch > 65535) return v.invalid("batch or heads > 65535");
  p.scale = v.attrs().getFloat("scale", 1.f / std::sqrt(float(p.d)));
  const bool has_mask = v.hasInput(3);
  if (has_mask) {
    const TensorDesc& m = v.in(3);
    GS_RETURN_IF_ERROR(v.requireFloat(m, "mask"));
    if (m.shape.size() > 4) return v.invalid("mask rank > 4");
    GS_ASSIGN_OR_RETURN(std::vector<int64_t> s, broadcastStrides(v, m.shape, Shape{p.batch, p.heads, p.sq, p.sk}));
    for (size_t i = 0; i < 4; ++i) p.mask_stride[i] = s[i];
    p.mask_t = m.dtype;
  }
  // Default tile: the largest that still gives every SM two blocks.
  const int sms = args.ctx.sm_count > 0 ? args.ctx.sm_count : 132;
  p.warps = 1;
  for (int w : kWarpChoices) {
    int64_t blocks = p.batch * p.heads * ((p.sq + w * kAttnRowsPerWarp - 1) / (w * kAttnRowsPerWarp));
    if (blocks >= 2 * sms) p.warps = w;
  }
  p.tensor_cores = attentionWmmaSupported(q.dtype, p.d);
  const bool mma_ok = attentionMmaSupported(q.dtype, p.d) && rowsVectorizable(p.q_stride, l.q.offset) &&
                      rowsVectorizable(p.k_stride, l.k.offset) && rowsVectorizable(p.v_stride, l.v.offset);
  p.mma = mma_ok;
  GS_CUDA_CHECK(prepareAttentionKernels(), v.where);
  return wrap(std::make_unique<AttentionLayer>(v.where, p, q.dtype, has_mask,
                                               std::array<int64_t, 3>{l.q.offset, l.k.offset, l.v.offset}, mma_ok));
}

}  // namespace gpuscope::engine::gpu
