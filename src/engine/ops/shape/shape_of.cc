// Shape and Size: read only the input's desc. Their CPU functions read the
// input's shape and element count, never its bytes, so a driver may fold them
// for a runtime input by passing a byte-less HostTensor(dtype, shape, {}).
#include <algorithm>

#include <fmt/format.h>

#include "engine/ops/shape/op_util.h"
#include "engine/ops/shape/shape_ops.h"

namespace gpuscope::engine::shape_ops {
namespace {

// Shape's start/end (opset 15): negative from the back, clamped to [0, rank].
std::pair<int64_t, int64_t> shapeRange(const Node& node, int64_t rank) {
  int64_t start = node.attrs.getInt("start", 0);
  int64_t end = node.attrs.getInt("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  return {start, std::max(start, end)};
}

Status inferShape(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 1));
  auto [start, end] = shapeRange(ctx.node, int64_t(ctx.inputs[0]->shape.size()));
  outs = opu::one(DType::kInt64, {end - start});
  return OkStatus();
}

Status cpuShape(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const Shape& s = in[0]->shape();
  auto [start, end] = shapeRange(node, int64_t(s.size()));
  for (int64_t i = start; i < end; ++i) out[0].data<int64_t>()[i - start] = s[size_t(i)];
  return OkStatus();
}

Status inferSize(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 1));
  outs = opu::one(DType::kInt64, {});
  return OkStatus();
}

Status cpuSize(const Node&, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  out[0].data<int64_t>()[0] = in[0]->elements();
  return OkStatus();
}

}  // namespace

void addShapeOf(OpRegistry& r) {
  r.add({"Shape", inferShape, cpuShape, true, true});
  r.add({"Size", inferSize, cpuSize, true, true});
}

}  // namespace gpuscope::engine::shape_ops
