// gpuscope.Attention (fused_ops.h) on the flash-attention kernels of
// attention_kernel.cu. Tactics: CUDA-core (FMA) or, for fp16/bf16 with head
// dim 64/128, tensor-core (WMMA) kernels, each with query tiles of 16, 32 or
// 64 rows per block (small batches need the smaller tiles to fill the GPU).
// Tactic id = warps per block, | 0x100 for the tensor-core kernel.
#include <fmt/format.h>

#include <cmath>

#include "engine/gpu/cuda_check.h"
#include "engine/gpu/nn/attention_kernel.h"
#include "engine/gpu/nn/layer_base.h"
#include "engine/gpu/nn/nn_layers.h"

namespace gpuscope::engine::gpu {
namespace {

constexpr int kWarpChoices[] = {1, 2, 4};
constexpr uint64_t kWmmaBit = 0x100;

class AttentionLayer : public GpuLayer {
 public:
  AttentionLayer(std::string where, AttentionParams p, DType t, bool has_mask)
      : where_(std::move(where)), p_(p), t_(t), has_mask_(has_mask) {}

  std::vector<Tactic> tactics() const override {
    std::vector<Tactic> t;
    if (attentionWmmaSupported(t_, p_.d))
      for (int w : kWarpChoices)
        t.push_back({kWmmaBit | uint64_t(w), fmt::format("gpuscope_fmha_wmma_q{}_d{}_{}", w * kAttnRowsPerWarp, p_.d, dtypeName(t_))});
    for (int w : kWarpChoices)
      t.push_back({uint64_t(w), fmt::format("gpuscope_fmha_fma_q{}_d{}_{}", w * kAttnRowsPerWarp, p_.d, dtypeName(t_))});
    return t;
  }
  Status select(uint64_t id) override {
    const bool wmma = (id & kWmmaBit) != 0;
    if (wmma && !attentionWmmaSupported(t_, p_.d))
      return InvalidInput(fmt::format("{}: tensor-core tactic 0x{:016x} needs fp16/bf16 and head dim 64 or 128", where_, id));
    for (int w : kWarpChoices)
      if (uint64_t(w) == (id & ~kWmmaBit)) {
        p_.warps = w;
        p_.tensor_cores = wmma;
        return OkStatus();
      }
    return InvalidInput(fmt::format("{}: unknown tactic 0x{:016x}", where_, id));
  }
  Status enqueue(const LayerBindings& b, void* stream) override {
    if (b.inputs.size() < 3 || b.outputs.empty()) return InternalError(where_ + ": bindings lack inputs/outputs");
    const void* mask = has_mask_ ? b.inputs.at(3) : nullptr;
    GS_CUDA_CHECK(launchAttention(p_, t_, b.inputs[0], b.inputs[1], b.inputs[2], mask, b.outputs[0],
                                  static_cast<cudaStream_t>(stream)),
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
};

}  // namespace

LayerOr makeAttentionLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  for (size_t i = 0; i < 3; ++i) {
    GS_RETURN_IF_ERROR(v.requireInput(i, "Q/K/V"));
    GS_RETURN_IF_ERROR(v.requireFloat(v.in(i), "Q/K/V"));
  }
  const TensorDesc& q = v.in(0);
  const TensorDesc& k = v.in(1);
  const TensorDesc& val = v.in(2);
  if (q.shape.size() != 4 || k.shape.size() != 4 || val.shape.size() != 4)
    return v.invalid("Q, K and V must be 4-D [B,H,S,D]");
  if (k.dtype != q.dtype || val.dtype != q.dtype || v.out(0).dtype != q.dtype) return v.invalid("Q, K, V and Y must share one dtype");
  AttentionParams p;
  p.batch = q.shape[0];
  p.heads = q.shape[1];
  p.sq = q.shape[2];
  p.d = q.shape[3];
  p.k_transposed = v.attrs().getInt("k_transposed", 0) != 0;
  p.causal = v.attrs().getInt("causal", 0) != 0;
  p.sk = p.k_transposed ? k.shape[3] : k.shape[2];
  const int64_t kd = p.k_transposed ? k.shape[2] : k.shape[3];
  if (k.shape[0] != p.batch || k.shape[1] != p.heads || kd != p.d)
    return v.invalid(fmt::format("K {} does not match Q {} (k_transposed={})", shapeText(k.shape), shapeText(q.shape), int(p.k_transposed)));
  if (val.shape != Shape{p.batch, p.heads, p.sk, p.d})
    return v.invalid(fmt::format("V {} must be [B,H,Sk,D] = [{},{},{},{}]", shapeText(val.shape), p.batch, p.heads, p.sk, p.d));
  if (v.out(0).shape != q.shape) return v.invalid("Y must have Q's shape");
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
  GS_CUDA_CHECK(prepareAttentionKernels(), v.where);
  return wrap(std::make_unique<AttentionLayer>(v.where, p, q.dtype, has_mask));
}

}  // namespace gpuscope::engine::gpu
