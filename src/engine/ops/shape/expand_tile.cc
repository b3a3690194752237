// Expand (bidirectional broadcast to a shape) and Tile (repeats per dim).
// Tile is a broadcast too: input dims d_i viewed as [1, d_0, 1, d_1, ...]
// broadcast to [r_0, d_0, r_1, d_1, ...] is the tiled output in row-major order.
#include <fmt/format.h>

#include "engine/ops/shape/op_util.h"
#include "engine/ops/shape/shape_ops.h"

namespace gpuscope::engine::shape_ops {
namespace {

Status inferExpand(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 2, 2));
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> shape, opu::constInts(ctx, 1, "shape"));
  for (int64_t d : shape)
    if (d < 0) return InvalidInput(fmt::format("{}: shape has a negative dim {}", ctx.where(), d));
  GS_ASSIGN_OR_RETURN(Shape out, opu::broadcastShapes(ctx.where(), ctx.inputs[0]->shape, shape));
  outs = opu::one(ctx.inputs[0]->dtype, out);
  return OkStatus();
}

Status cpuExpand(const Node&, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  out[0] = opu::broadcastTo(*in[0], out[0].shape());
  return OkStatus();
}

Status inferTile(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 2, 2));
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> reps, opu::constInts(ctx, 1, "repeats"));
  Shape out = ctx.inputs[0]->shape;
  if (reps.size() != out.size())
    return InvalidInput(fmt::format("{}: repeats has {} entries, input rank is {}", ctx.where(), reps.size(),
                                    out.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    if (reps[i] < 0) return InvalidInput(fmt::format("{}: repeats[{}] = {} is negative", ctx.where(), i, reps[i]));
    out[i] *= reps[i];
  }
  outs = opu::one(ctx.inputs[0]->dtype, out);
  return OkStatus();
}

Status cpuTile(const Node&, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const HostTensor& x = *in[0];
  const Shape& xs = x.shape();
  const Shape& os = out[0].shape();
  Shape view, big;
  for (size_t i = 0; i < xs.size(); ++i) {
    view.push_back(1);
    view.push_back(xs[i]);
    big.push_back(xs[i] == 0 ? 0 : os[i] / xs[i]);
    big.push_back(xs[i]);
  }
  std::vector<int64_t> strides = opu::broadcastStrides(view, big);
  opu::stridedCopy(x.raw(), 0, strides, big, dtypeSize(x.dtype()), out[0].raw());
  return OkStatus();
}

}  // namespace

void addExpandTile(OpRegistry& r) {
  r.add({"Expand", inferExpand, cpuExpand});
  r.add({"Tile", inferTile, cpuTile});
}

}  // namespace gpuscope::engine::shape_ops
