// Gather (rows of any axis, negative indices count from the back) and
// GatherElements (per-element indices along one axis).
#include <cstring>

#include <fmt/format.h>

#include "engine/ops/shape/op_util.h"
#include "engine/ops/shape/shape_ops.h"

namespace gpuscope::engine::shape_ops {
namespace {

Status checkIndexType(const InferContext& ctx, size_t i) {
  DType t = ctx.inputs[i]->dtype;
  if (t != DType::kInt64 && t != DType::kInt32)
    return InvalidInput(fmt::format("{}: indices have type {}, expected int32 or int64", ctx.where(), dtypeName(t)));
  return OkStatus();
}

Status inferGather(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 2, 2));
  GS_RETURN_IF_ERROR(checkIndexType(ctx, 1));
  const Shape& data = ctx.inputs[0]->shape;
  const Shape& idx = ctx.inputs[1]->shape;
  GS_ASSIGN_OR_RETURN(int64_t axis, opu::normAxis(ctx.where(), ctx.node.attrs.getInt("axis", 0), int64_t(data.size())));
  Shape out(data.begin(), data.begin() + axis);
  out.insert(out.end(), idx.begin(), idx.end());
  out.insert(out.end(), data.begin() + axis + 1, data.end());
  outs = opu::one(ctx.inputs[0]->dtype, out);
  return OkStatus();
}

Status cpuGather(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const HostTensor& data = *in[0];
  const Shape& ds = data.shape();
  GS_ASSIGN_OR_RETURN(int64_t axis, opu::normAxis(opu::where(node), node.attrs.getInt("axis", 0), int64_t(ds.size())));
  std::vector<int64_t> idx = in[1]->toInts();
  int64_t dim = ds[size_t(axis)];
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= ds[size_t(i)];
  for (size_t i = size_t(axis) + 1; i < ds.size(); ++i) inner *= ds[i];
  for (int64_t& k : idx) {
    if (k < -dim || k >= dim)
      return InvalidInput(fmt::format("{}: index {} is out of range for axis {} of size {}", opu::where(node), k,
                                      axis, dim));
    if (k < 0) k += dim;
  }
  size_t row = size_t(inner) * dtypeSize(data.dtype());
  uint8_t* dst = out[0].raw();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k : idx) {
      std::memcpy(dst, data.raw() + size_t(o * dim + k) * row, row);
      dst += row;
    }
  return OkStatus();
}

Status inferGatherElements(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 2, 2));
  GS_RETURN_IF_ERROR(checkIndexType(ctx, 1));
  const Shape& data = ctx.inputs[0]->shape;
  const Shape& idx = ctx.inputs[1]->shape;
  if (data.size() != idx.size())
    return InvalidInput(fmt::format("{}: indices {} and data {} differ in rank", ctx.where(), shapeText(idx),
                                    shapeText(data)));
  GS_RETURN_IF_ERROR(opu::normAxis(ctx.where(), ctx.node.attrs.getInt("axis", 0), int64_t(data.size())).status());
  outs = opu::one(ctx.inputs[0]->dtype, idx);
  return OkStatus();
}

Status cpuGatherElements(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const HostTensor& data = *in[0];
  const Shape& is = in[1]->shape();
  int64_t rank = int64_t(is.size());
  GS_ASSIGN_OR_RETURN(int64_t axis, opu::normAxis(opu::where(node), node.attrs.getInt("axis", 0), rank));
  std::vector<int64_t> idx = in[1]->toInts();
  std::vector<int64_t> dstrides = contiguousStrides(data.shape());
  int64_t dim = data.shape()[size_t(axis)];
  size_t elem = dtypeSize(data.dtype());
  std::vector<int64_t> pos(size_t(rank), 0);
  for (size_t i = 0; i < idx.size(); ++i) {
    int64_t k = idx[i];
    if (k < -dim || k >= dim)
      return InvalidInput(fmt::format("{}: index {} is out of range for axis {} of size {}", opu::where(node), k,
                                      axis, dim));
    if (k < 0) k += dim;
    int64_t off = 0;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t c = d == axis ? k : pos[size_t(d)];
      if (c >= data.shape()[size_t(d)])
        return InvalidInput(fmt::format("{}: indices {} exceed data {} off the axis", opu::where(node),
                                        shapeText(is), shapeText(data.shape())));
      off += c * dstrides[size_t(d)];
    }
    std::memcpy(out[0].raw() + i * elem, data.raw() + size_t(off) * elem, elem);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++pos[size_t(d)] < is[size_t(d)]) break;
      pos[size_t(d)] = 0;
    }
  }
  return OkStatus();
}

}  // namespace

void addGather(OpRegistry& r) {
  r.add({"Gather", inferGather, cpuGather});
  r.add({"GatherElements", inferGatherElements, cpuGatherElements});
}

}  // namespace gpuscope::engine::shape_ops
