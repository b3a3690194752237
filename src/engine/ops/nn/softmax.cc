// Softmax and LogSoftmax with opset-13 semantics: one axis (default -1).
// Before opset 13 the input was coerced to 2-D at `axis` (default 1); that
// equals the single-axis form only when axis is the last dim, so other axes
// at opset < 13 are rejected rather than computed differently.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/ops/nn/nn_ops.h"
#include "engine/ops/shape/op_util.h"

namespace gpuscope::engine::nn_ops {
namespace {

Status inferSoftmax(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 1));
  GS_RETURN_IF_ERROR(opu::checkFloat(ctx, 0));
  int64_t rank = int64_t(ctx.inputs[0]->shape.size());
  bool legacy = ctx.graph.opset > 0 && ctx.graph.opset < 13;
  GS_ASSIGN_OR_RETURN(int64_t axis, opu::normAxis(ctx.where(), ctx.node.attrs.getInt("axis", legacy ? 1 : -1), rank));
  if (legacy && axis != rank - 1)
    return InvalidInput(fmt::format("{}: opset {} flattens the input at axis {} (2-D semantics); only the last "
                                    "axis is supported before opset 13",
                                    ctx.where(), ctx.graph.opset, axis));
  outs = {*ctx.inputs[0]};
  return OkStatus();
}

template <bool kLog>
Status cpuSoftmax(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const Shape& s = in[0]->shape();
  // The axis was checked by inference; a legacy graph only gets here with the last axis.
  GS_ASSIGN_OR_RETURN(int64_t axis, opu::normAxis(opu::where(node), node.attrs.getInt("axis", -1), int64_t(s.size())));
  int64_t dim = s[size_t(axis)], outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= s[size_t(i)];
  for (size_t i = size_t(axis) + 1; i < s.size(); ++i) inner *= s[i];
  std::vector<float> x = opu::loadFloats(*in[0]);
  std::vector<float> y(x.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t base = o * dim * inner + i;
      float mx = -INFINITY;
      for (int64_t d = 0; d < dim; ++d) mx = std::max(mx, x[size_t(base + d * inner)]);
      double sum = 0;
      for (int64_t d = 0; d < dim; ++d) sum += std::exp(double(x[size_t(base + d * inner)]) - mx);
      for (int64_t d = 0; d < dim; ++d) {
        double e = double(x[size_t(base + d * inner)]) - mx;
        y[size_t(base + d * inner)] = kLog ? float(e - std::log(sum)) : float(std::exp(e) / sum);
      }
    }
  opu::storeFloats(out[0], y);
  return OkStatus();
}

}  // namespace

void addSoftmax(OpRegistry& r) {
  r.add({"Softmax", inferSoftmax, cpuSoftmax<false>});
  r.add({"LogSoftmax", inferSoftmax, cpuSoftmax<true>});
}

}  // namespace gpuscope::engine::nn_ops
