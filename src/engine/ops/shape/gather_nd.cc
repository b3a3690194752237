// GatherND (opset 11..18; batch_dims from opset 12): each index tuple in the
// last dim of `indices` picks a slice of `data` below the leading batch_dims
// dims, which indices and data share. Negative indices count from the back.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "engine/ops/shape/op_util.h"
#include "engine/ops/shape/shape_ops.h"

namespace gpuscope::engine::shape_ops {
namespace {

// The shape rules shared by inference and the CPU op; `m` is the tuple length
// (last dim of indices), `b` the number of batch dims.
Status checkGeometry(const std::string& where, const Shape& data, const Shape& idx, int64_t b) {
  int64_t r = int64_t(data.size()), q = int64_t(idx.size());
  if (r < 1 || q < 1)
    return InvalidInput(fmt::format("{}: data rank {} and indices rank {} must both be >= 1", where, r, q));
  if (b < 0 || b >= std::min(r, q))
    return InvalidInput(fmt::format("{}: batch_dims {} must be in [0, min(data rank {}, indices rank {}))", where, b,
                                    r, q));
  int64_t m = idx.back();
  if (m < 0)
    return InvalidInput(fmt::format("{}: the last dim of indices {} must be known", where, shapeText(idx)));
  if (m < 1 || m > r - b)
    return InvalidInput(fmt::format("{}: index tuples of length {} (last dim of indices {}) must be in [1, {}] for "
                                    "data {} with batch_dims {}",
                                    where, m, shapeText(idx), r - b, shapeText(data), b));
  for (int64_t d = 0; d < b; ++d) {
    int64_t a = data[size_t(d)], c = idx[size_t(d)];
    if (a >= 0 && c >= 0 && a != c)
      return InvalidInput(fmt::format("{}: batch dim {} differs between data {} and indices {}", where, d,
                                      shapeText(data), shapeText(idx)));
  }
  return OkStatus();
}

Status inferGatherND(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 2, 2));
  DType it = ctx.inputs[1]->dtype;
  if (it != DType::kInt64 && it != DType::kInt32)
    return InvalidInput(fmt::format("{}: indices have type {}, expected int32 or int64", ctx.where(), dtypeName(it)));
  const Shape& data = ctx.inputs[0]->shape;
  const Shape& idx = ctx.inputs[1]->shape;
  int64_t b = ctx.node.attrs.getInt("batch_dims", 0);
  GS_RETURN_IF_ERROR(checkGeometry(ctx.where(), data, idx, b));
  int64_t m = idx.back();
  // indices.shape[:-1] (batch dims taken from data where indices leave them unknown) + data.shape[b+m:]
  Shape out(idx.begin(), idx.end() - 1);
  for (int64_t d = 0; d < b; ++d)
    if (out[size_t(d)] < 0) out[size_t(d)] = data[size_t(d)];
  out.insert(out.end(), data.begin() + b + m, data.end());
  outs = opu::one(ctx.inputs[0]->dtype, out);
  return OkStatus();
}

Status cpuGatherND(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const HostTensor& data = *in[0];
  const Shape& ds = data.shape();
  const Shape& is = in[1]->shape();
  int64_t b = node.attrs.getInt("batch_dims", 0);
  GS_RETURN_IF_ERROR(checkGeometry(opu::where(node), ds, is, b));
  int64_t m = is.back();
  std::vector<int64_t> idx = in[1]->toInts();
  std::vector<int64_t> strides = contiguousStrides(ds);
  int64_t batches = 1, tuples = 1, slice = 1;
  for (int64_t d = 0; d < b; ++d) batches *= ds[size_t(d)];
  for (size_t d = size_t(b); d + 1 < is.size(); ++d) tuples *= is[d];
  for (size_t d = size_t(b + m); d < ds.size(); ++d) slice *= ds[d];
  int64_t batch_stride = b == 0 ? 0 : strides[size_t(b - 1)];  // elements of data per batch
  size_t elem = dtypeSize(data.dtype());
  size_t slice_bytes = size_t(slice) * elem;
  uint8_t* dst = out[0].raw();
  for (int64_t bi = 0; bi < batches; ++bi)
    for (int64_t t = 0; t < tuples; ++t) {
      const int64_t* tuple = idx.data() + (bi * tuples + t) * m;
      int64_t off = bi * batch_stride;
      for (int64_t k = 0; k < m; ++k) {
        int64_t dim = ds[size_t(b + k)], v = tuple[k];
        if (v < -dim || v >= dim)
          return InvalidInput(fmt::format("{}: index {} (tuple {}, position {}) is out of range for data dim {} of "
                                          "size {}",
                                          opu::where(node), v, bi * tuples + t, k, b + k, dim));
        off += (v < 0 ? v + dim : v) * strides[size_t(b + k)];
      }
      std::memcpy(dst, data.raw() + size_t(off) * elem, slice_bytes);
      dst += slice_bytes;
    }
  return OkStatus();
}

}  // namespace

void addGatherND(OpRegistry& r) { r.add({"GatherND", inferGatherND, cpuGatherND}); }

}  // namespace gpuscope::engine::shape_ops
