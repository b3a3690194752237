// Where(cond, X, Y): numpy broadcasting of all three; picks X where cond.
#include <cstring>

#include <fmt/format.h>

#include "engine/ops/shape/op_util.h"
#include "engine/ops/shape/shape_ops.h"

namespace gpuscope::engine::shape_ops {
namespace {

Status inferWhere(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 3, 3));
  if (ctx.inputs[0]->dtype != DType::kBool)
    return InvalidInput(fmt::format("{}: condition has type {}, expected bool", ctx.where(),
                                    dtypeName(ctx.inputs[0]->dtype)));
  if (ctx.inputs[1]->dtype != ctx.inputs[2]->dtype)
    return InvalidInput(fmt::format("{}: X has type {} but Y has {}", ctx.where(), dtypeName(ctx.inputs[1]->dtype),
                                    dtypeName(ctx.inputs[2]->dtype)));
  GS_ASSIGN_OR_RETURN(Shape s, opu::broadcastShapes(ctx.where(), ctx.inputs[0]->shape, ctx.inputs[1]->shape));
  GS_ASSIGN_OR_RETURN(s, opu::broadcastShapes(ctx.where(), s, ctx.inputs[2]->shape));
  outs = opu::one(ctx.inputs[1]->dtype, s);
  return OkStatus();
}

Status cpuWhere(const Node&, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const Shape& s = out[0].shape();
  HostTensor c = opu::broadcastTo(*in[0], s);
  HostTensor x = opu::broadcastTo(*in[1], s);
  HostTensor y = opu::broadcastTo(*in[2], s);
  size_t elem = dtypeSize(out[0].dtype());
  const uint8_t* cond = c.data<uint8_t>();
  for (int64_t i = 0; i < out[0].elements(); ++i)
    std::memcpy(out[0].raw() + size_t(i) * elem, (cond[i] ? x : y).raw() + size_t(i) * elem, elem);
  return OkStatus();
}

}  // namespace

void addWhere(OpRegistry& r) { r.add({"Where", inferWhere, cpuWhere}); }

}  // namespace gpuscope::engine::shape_ops
