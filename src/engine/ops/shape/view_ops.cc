// Ops that only relabel the shape of their input: Reshape, Flatten, Squeeze,
// Unsqueeze, Identity. The runtime aliases them; the CPU function copies the
// bytes (outputs arrive allocated at the inferred shape).
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/ops/shape/op_util.h"
#include "engine/ops/shape/shape_ops.h"

namespace gpuscope::engine::shape_ops {
namespace {

Status copyInput(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  if (in.empty() || !in[0] || out.empty()) return InvalidInput(opu::where(node) + ": missing data input");
  if (in[0]->byteSize() != out[0].byteSize())
    return InternalError(fmt::format("{}: input has {} bytes, output {}", opu::where(node), in[0]->byteSize(),
                                     out[0].byteSize()));
  std::memcpy(out[0].raw(), in[0]->raw(), in[0]->byteSize());
  return OkStatus();
}

Status inferReshape(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 2, 2));
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> spec, opu::constInts(ctx, 1, "shape"));
  const Shape& in = ctx.inputs[0]->shape;
  bool allowzero = ctx.node.attrs.getInt("allowzero", 0) != 0;
  Shape out(spec.size());
  int infer_at = -1;
  int64_t known = 1;
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t d = spec[i];
    if (d == -1) {
      if (infer_at >= 0) return InvalidInput(ctx.where() + ": shape has more than one -1");
      infer_at = int(i);
      continue;
    }
    if (d == 0 && !allowzero) {
      if (i >= in.size())
        return InvalidInput(fmt::format("{}: shape[{}] = 0 copies input dim {}, but the input {} has rank {}",
                                        ctx.where(), i, i, shapeText(in), in.size()));
      d = in[i];
    }
    if (d < 0) return InvalidInput(fmt::format("{}: shape[{}] = {} is invalid", ctx.where(), i, d));
    out[i] = d;
    known *= d;
  }
  int64_t total = shapeElements(in);
  if (infer_at >= 0) {
    if (known == 0 || total % known != 0)
      return InvalidInput(fmt::format("{}: cannot reshape {} ({} elements) to [{}]", ctx.where(), shapeText(in),
                                      total, fmt::join(spec, ",")));
    out[size_t(infer_at)] = total / known;
  } else if (known != total) {
    return InvalidInput(fmt::format("{}: cannot reshape {} ({} elements) to {} ({} elements)", ctx.where(),
                                    shapeText(in), total, shapeText(out), known));
  }
  outs = opu::one(ctx.inputs[0]->dtype, out);
  return OkStatus();
}

Status inferFlatten(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 1));
  const Shape& in = ctx.inputs[0]->shape;
  int64_t rank = int64_t(in.size());
  int64_t axis = ctx.node.attrs.getInt("axis", 1);
  if (axis < -rank || axis > rank)
    return InvalidInput(fmt::format("{}: axis {} is out of range for rank {}", ctx.where(), axis, rank));
  if (axis < 0) axis += rank;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i) (i < axis ? outer : inner) *= in[size_t(i)];
  outs = opu::one(ctx.inputs[0]->dtype, {outer, inner});
  return OkStatus();
}

Status inferSqueeze(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 2));
  const Shape& in = ctx.inputs[0]->shape;
  GS_ASSIGN_OR_RETURN(auto axes_arg, opu::axesArg(ctx, 1));
  std::vector<bool> drop(in.size(), false);
  if (axes_arg && !axes_arg->empty()) {
    GS_ASSIGN_OR_RETURN(std::vector<int64_t> axes, opu::normAxes(ctx.where(), *axes_arg, int64_t(in.size())));
    for (int64_t a : axes) {
      if (in[size_t(a)] != 1)
        return InvalidInput(fmt::format("{}: cannot squeeze axis {} of {}: its size is {}, not 1", ctx.where(), a,
                                        shapeText(in), in[size_t(a)]));
      drop[size_t(a)] = true;
    }
  } else {
    for (size_t i = 0; i < in.size(); ++i) drop[i] = in[i] == 1;
  }
  Shape out;
  for (size_t i = 0; i < in.size(); ++i)
    if (!drop[i]) out.push_back(in[i]);
  outs = opu::one(ctx.inputs[0]->dtype, out);
  return OkStatus();
}

Status inferUnsqueeze(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 2));
  const Shape& in = ctx.inputs[0]->shape;
  GS_ASSIGN_OR_RETURN(auto axes_arg, opu::axesArg(ctx, 1));
  if (!axes_arg || axes_arg->empty())
    return InvalidInput(ctx.where() + ": axes are required (attribute before opset 13, input from 13)");
  int64_t out_rank = int64_t(in.size() + axes_arg->size());
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> axes, opu::normAxes(ctx.where(), *axes_arg, out_rank));
  std::vector<bool> is_new(size_t(out_rank), false);
  for (int64_t a : axes) is_new[size_t(a)] = true;
  Shape out;
  size_t next = 0;
  for (int64_t i = 0; i < out_rank; ++i) out.push_back(is_new[size_t(i)] ? 1 : in[next++]);
  outs = opu::one(ctx.inputs[0]->dtype, out);
  return OkStatus();
}

Status inferIdentity(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 1));
  outs = {*ctx.inputs[0]};
  return OkStatus();
}

}  // namespace

void addViewOps(OpRegistry& r) {
  r.add({"Reshape", inferReshape, copyInput});
  r.add({"Flatten", inferFlatten, copyInput});
  r.add({"Squeeze", inferSqueeze, copyInput});
  r.add({"Unsqueeze", inferUnsqueeze, copyInput});
  r.add({"Identity", inferIdentity, copyInput});
}

}  // namespace gpuscope::engine::shape_ops
