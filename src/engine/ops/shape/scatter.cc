// ScatterND and ScatterElements: a copy of data with slices / elements
// replaced by updates (reduction none/add/mul/max/min, opset 16/18).
// torch.onnx emits ScatterND for in-place slice assignment (mask building).
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "engine/ops/shape/op_util.h"
#include "engine/ops/shape/shape_ops.h"

namespace gpuscope::engine::shape_ops {
namespace {

Status checkReduction(const std::string& where, const Node& node) {
  std::string r = node.attrs.getString("reduction", "none");
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min")
    return InvalidInput(fmt::format("{}: unknown reduction '{}'", where, r));
  return OkStatus();
}

// Writes updates element u into output element o under the reduction.
void combine(HostTensor& out, int64_t o, const HostTensor& upd, int64_t u, const std::string& red) {
  size_t elem = dtypeSize(out.dtype());
  if (red == "none") {
    std::memcpy(out.raw() + size_t(o) * elem, upd.raw() + size_t(u) * elem, elem);
    return;
  }
  double a = out.getDouble(o), b = upd.getDouble(u);
  double v = red == "add" ? a + b : red == "mul" ? a * b : red == "max" ? std::max(a, b) : std::min(a, b);
  if (out.dtype() == DType::kInt64 && (red == "add" || red == "mul")) {
    int64_t ia = out.getInt(o), ib = upd.getInt(u);
    out.data<int64_t>()[o] = red == "add" ? ia + ib : ia * ib;
  } else {
    out.setDouble(o, v);
  }
}

Status inferScatterND(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 3, 3));
  GS_RETURN_IF_ERROR(checkReduction(ctx.where(), ctx.node));
  const Shape& data = ctx.inputs[0]->shape;
  const Shape& idx = ctx.inputs[1]->shape;
  const Shape& upd = ctx.inputs[2]->shape;
  if (idx.empty() || idx.back() > int64_t(data.size()))
    return InvalidInput(fmt::format("{}: indices {} do not index data {}", ctx.where(), shapeText(idx),
                                    shapeText(data)));
  Shape want(idx.begin(), idx.end() - 1);
  want.insert(want.end(), data.begin() + idx.back(), data.end());
  if (upd != want)
    return InvalidInput(fmt::format("{}: updates have shape {}, expected {}", ctx.where(), shapeText(upd),
                                    shapeText(want)));
  if (ctx.inputs[2]->dtype != ctx.inputs[0]->dtype)
    return InvalidInput(ctx.where() + ": updates' type differs from data's");
  outs = {*ctx.inputs[0]};
  return OkStatus();
}

Status cpuScatterND(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const HostTensor& data = *in[0];
  const HostTensor& upd = *in[2];
  std::string red = node.attrs.getString("reduction", "none");
  std::memcpy(out[0].raw(), data.raw(), data.byteSize());
  const Shape& ds = data.shape();
  int64_t k = in[1]->shape().back();
  std::vector<int64_t> idx = in[1]->toInts();
  std::vector<int64_t> strides = contiguousStrides(ds);
  int64_t slice = 1;
  for (size_t d = size_t(k); d < ds.size(); ++d) slice *= ds[d];
  int64_t tuples = k ? int64_t(idx.size()) / k : upd.elements() / std::max<int64_t>(1, slice);
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t off = 0;
    for (int64_t j = 0; j < k; ++j) {
      int64_t c = idx[size_t(t * k + j)], dim = ds[size_t(j)];
      if (c < -dim || c >= dim)
        return InvalidInput(fmt::format("{}: index {} is out of range for dim {} of size {}", opu::where(node), c,
                                        j, dim));
      off += (c < 0 ? c + dim : c) * strides[size_t(j)];
    }
    for (int64_t i = 0; i < slice; ++i) combine(out[0], off + i, upd, t * slice + i, red);
  }
  return OkStatus();
}

Status inferScatterElements(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 3, 3));
  GS_RETURN_IF_ERROR(checkReduction(ctx.where(), ctx.node));
  const Shape& data = ctx.inputs[0]->shape;
  if (ctx.inputs[1]->shape != ctx.inputs[2]->shape || ctx.inputs[1]->shape.size() != data.size())
    return InvalidInput(fmt::format("{}: indices {} and updates {} must have one shape of data's rank {}",
                                    ctx.where(), shapeText(ctx.inputs[1]->shape), shapeText(ctx.inputs[2]->shape),
                                    data.size()));
  GS_RETURN_IF_ERROR(opu::normAxis(ctx.where(), ctx.node.attrs.getInt("axis", 0), int64_t(data.size())).status());
  outs = {*ctx.inputs[0]};
  return OkStatus();
}

Status cpuScatterElements(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const HostTensor& data = *in[0];
  const Shape& ds = data.shape();
  const Shape& is = in[1]->shape();
  int64_t rank = int64_t(ds.size());
  GS_ASSIGN_OR_RETURN(int64_t axis, opu::normAxis(opu::where(node), node.attrs.getInt("axis", 0), rank));
  std::string red = node.attrs.getString("reduction", "none");
  std::memcpy(out[0].raw(), data.raw(), data.byteSize());
  std::vector<int64_t> idx = in[1]->toInts();
  std::vector<int64_t> strides = contiguousStrides(ds);
  std::vector<int64_t> pos(size_t(rank), 0);
  for (size_t i = 0; i < idx.size(); ++i) {
    int64_t off = 0;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t c = d == axis ? idx[i] : pos[size_t(d)], dim = ds[size_t(d)];
      if (c < -dim || c >= dim)
        return InvalidInput(fmt::format("{}: index {} is out of range for axis {} of size {}", opu::where(node), c,
                                        d, dim));
      off += (c < 0 ? c + dim : c) * strides[size_t(d)];
    }
    combine(out[0], off, *in[2], int64_t(i), red);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++pos[size_t(d)] < is[size_t(d)]) break;
      pos[size_t(d)] = 0;
    }
  }
  return OkStatus();
}

}  // namespace

void addScatter(OpRegistry& r) {
  r.add({"ScatterND", inferScatterND, cpuScatterND});
  r.add({"ScatterElements", inferScatterElements, cpuScatterElements});
}

}  // namespace gpuscope::engine::shape_ops
