// Transpose: a strided copy (weights are transposed at build time by the
// constant folder, e.g. 768x3072 matrices, so the inner loop copies runs).
#include <fmt/format.h>

#include "engine/ops/shape/op_util.h"
#include "engine/ops/shape/shape_ops.h"

namespace gpuscope::engine::shape_ops {
namespace {

// perm attribute, default reversed dims; must be a permutation of [0, rank).
StatusOr<std::vector<int64_t>> permOf(const std::string& where, const Node& node, size_t rank) {
  std::vector<int64_t> perm = node.attrs.getInts("perm");
  if (perm.empty()) {
    for (size_t i = 0; i < rank; ++i) perm.push_back(int64_t(rank - 1 - i));
    return perm;
  }
  if (perm.size() != rank)
    return InvalidInput(fmt::format("{}: perm has {} entries, input rank is {}", where, perm.size(), rank));
  std::vector<bool> seen(rank, false);
  for (int64_t p : perm) {
    if (p < 0 || p >= int64_t(rank) || seen[size_t(p)])
      return InvalidInput(fmt::format("{}: perm is not a permutation of 0..{}", where, rank - 1));
    seen[size_t(p)] = true;
  }
  return perm;
}

Status inferTranspose(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 1));
  const Shape& in = ctx.inputs[0]->shape;
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> perm, permOf(ctx.where(), ctx.node, in.size()));
  Shape out;
  for (int64_t p : perm) out.push_back(in[size_t(p)]);
  outs = opu::one(ctx.inputs[0]->dtype, out);
  return OkStatus();
}

Status cpuTranspose(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const HostTensor& x = *in[0];
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> perm, permOf(opu::where(node), node, x.shape().size()));
  std::vector<int64_t> in_strides = contiguousStrides(x.shape());
  std::vector<int64_t> strides;
  for (int64_t p : perm) strides.push_back(in_strides[size_t(p)]);
  opu::stridedCopy(x.raw(), 0, strides, out[0].shape(), dtypeSize(x.dtype()), out[0].raw());
  return OkStatus();
}

}  // namespace

void addTranspose(OpRegistry& r) { r.add({"Transpose", inferTranspose, cpuTranspose}); }

}  // namespace gpuscope::engine::shape_ops
