// gpuscope.Attention: Y = softmax(Q K^T * scale + mask [, causal]) V, all in
// fp32 (the fused kernel keeps scores on chip in fp32 too), rounded once.
#include <algorithm>
#include <cmath>
#include <array>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "engine/ops/fused/attention_layout.h"
#include "engine/ops/fused/fused_defs.h"
#include "engine/ops/fused_ops.h"

namespace gpuscope::engine::fused {
namespace {

// Strides (in elements) that read `shape` broadcast to the 4-D `target`
// (numpy rules, right-aligned); nullopt when it does not broadcast.
std::optional<std::array<int64_t, 4>> broadcastStrides(const Shape& shape, const Shape& target) {
  if (shape.size() > 4) return std::nullopt;
  std::array<int64_t, 4> strides{0, 0, 0, 0};
  int64_t stride = 1;
  for (int i = int(shape.size()) - 1, t = 3; i >= 0; --i, --t) {
    if (shape[size_t(i)] != 1 && shape[size_t(i)] != target[size_t(t)]) return std::nullopt;
    strides[size_t(t)] = shape[size_t(i)] == 1 ? 0 : stride;
    stride *= shape[size_t(i)];
  }
  return strides;
}

Status inferAttention(const InferContext& ctx, std::vector<TensorDesc>& outputs) {
  if (ctx.inputCount() < 3 || !ctx.hasInput(0) || !ctx.hasInput(1) || !ctx.hasInput(2))
    return InvalidInput(fmt::format("{}: needs inputs Q, K and V", ctx.where()));
  for (size_t i = 0; i < 3; ++i)
    if (!isFloat(ctx.inputs[i]->dtype))
      return InvalidInput(fmt::format("{}: input {} must be float, got {}", ctx.where(), i,
                                      dtypeName(ctx.inputs[i]->dtype)));
  GS_ASSIGN_OR_RETURN(AttentionLayout d, attentionLayout(ctx.node.attrs, ctx.inputs[0]->shape, ctx.inputs[1]->shape,
                                                          ctx.inputs[2]->shape, ctx.where()));
  if (ctx.hasInput(3)) {
    if (!isFloat(ctx.inputs[3]->dtype))
      return InvalidInput(fmt::format("{}: mask must be float (additive), got {}", ctx.where(),
                                      dtypeName(ctx.inputs[3]->dtype)));
    if (!broadcastStrides(ctx.inputs[3]->shape, {d.b, d.h, d.sq, d.sk}))
      return InvalidInput(fmt::format("{}: mask {} does not broadcast to {}x{}x{}x{}", ctx.where(),
                                      shapeText(ctx.inputs[3]->shape), d.b, d.h, d.sq, d.sk));
  }
  outputs = {TensorDesc{ctx.inputs[0]->dtype, d.out_shape}};
  return OkStatus();
}

Status cpuAttention(const Node& node, std::span<const HostTensor* const> inputs, std::span<HostTensor> outputs) {
  std::string where = fmt::format("node '{}' ({})", node.name, node.op);
  bool causal = node.attrs.getInt("causal", 0) != 0;
  const bool nan_to_zero = node.attrs.getInt("nan_to_zero", 0) != 0;
  float scale = node.attrs.getFloat("scale", 1.f);
  GS_ASSIGN_OR_RETURN(AttentionLayout d, attentionLayout(node.attrs, inputs[0]->shape(), inputs[1]->shape(),
                                                          inputs[2]->shape(), where));
  const bool kt = d.k_transposed;
  std::vector<float> q = inputs[0]->toFloats(), k = inputs[1]->toFloats(), v = inputs[2]->toFloats();
  const HostTensor* mask_t = inputs.size() > 3 ? inputs[3] : nullptr;
  std::vector<float> mask;
  std::array<int64_t, 4> ms{0, 0, 0, 0};
  if (mask_t) {
    auto strides = broadcastStrides(mask_t->shape(), {d.b, d.h, d.sq, d.sk});
    if (!strides) return InvalidInput(fmt::format("{}: mask {} does not broadcast", where, shapeText(mask_t->shape())));
    ms = *strides;
    mask = mask_t->toFloats();
  }
  HostTensor& y = outputs[0];
  std::vector<float> scores(size_t(d.sk));
  std::vector<float> acc(size_t(d.dv));
  const float neg_inf = -std::numeric_limits<float>::infinity();
  for (int64_t b = 0; b < d.b; ++b) {
    for (int64_t h = 0; h < d.h; ++h) {
      // Element offsets of this (b, h) in each buffer and the per-index strides.
      const auto& qs = d.q.strides;
      const auto& ks = d.k.strides;
      const auto& vs = d.v.strides;
      const float* qb = q.data() + d.q.offset + b * qs[0] + h * qs[1];
      const float* kb = k.data() + d.k.offset + b * ks[0] + h * ks[1];
      const float* vb = v.data() + d.v.offset + b * vs[0] + h * vs[1];
      // K element (key j, dim c): [.., j, c] or, transposed, [.., c, j].
      const int64_t kj = kt ? ks[3] : ks[2], kc = kt ? ks[2] : ks[3];
      const int64_t ybase = b * d.y_strides[0] + h * d.y_strides[1];
      for (int64_t i = 0; i < d.sq; ++i) {
        float mx = neg_inf;
        for (int64_t j = 0; j < d.sk; ++j) {
          float dot = 0.f;
          for (int64_t c = 0; c < d.d; ++c)
            dot += qb[i * qs[2] + c * qs[3]] * kb[j * kj + c * kc];
          float s = dot * scale;
          if (mask_t) s += mask[size_t(b * ms[0] + h * ms[1] + i * ms[2] + j * ms[3])];
          if (causal && j > i) s = neg_inf;
          scores[size_t(j)] = s;
          mx = std::max(mx, s);
        }
        if (nan_to_zero && mx == neg_inf) {  // every score -inf: torch's guard turns the NaN row into 0
          for (int64_t c = 0; c < d.dv; ++c) y.setDouble(ybase + i * d.y_strides[2] + c * d.y_strides[3], 0.0);
          continue;
        }
        float sum = 0.f;
        for (int64_t j = 0; j < d.sk; ++j) {
          scores[size_t(j)] = std::exp(scores[size_t(j)] - mx);
          sum += scores[size_t(j)];
        }
        std::fill(acc.begin(), acc.end(), 0.f);
        for (int64_t j = 0; j < d.sk; ++j) {
          float p = scores[size_t(j)] / sum;
          for (int64_t c = 0; c < d.dv; ++c) acc[size_t(c)] += p * vb[j * vs[2] + c * vs[3]];
        }
        for (int64_t c = 0; c < d.dv; ++c) y.setDouble(ybase + i * d.y_strides[2] + c * d.y_strides[3], acc[size_t(c)]);
      }
    }
  }
  return OkStatus();
}

}  // namespace

OpDef attentionOpDef() { return OpDef{kAttention, inferAttention, cpuAttention, true}; }

}  // namespace gpuscope::engine::fused
