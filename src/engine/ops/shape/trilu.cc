// Trilu: keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the
// last two dims, zeroing the rest; k is an optional scalar input.
#include <cstring>

#include <fmt/format.h>

#include "engine/ops/shape/op_util.h"
#include "engine/ops/shape/shape_ops.h"

namespace gpuscope::engine::shape_ops {
namespace {

Status inferTrilu(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 2));
  if (ctx.inputs[0]->shape.size() < 2)
    return InvalidInput(fmt::format("{}: input {} has rank < 2", ctx.where(), shapeText(ctx.inputs[0]->shape)));
  if (ctx.hasInput(1) && ctx.inputs[1]->elements() != 1)
    return InvalidInput(ctx.where() + ": k must be a scalar");
  outs = {*ctx.inputs[0]};
  return OkStatus();
}

Status cpuTrilu(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const HostTensor& x = *in[0];
  int64_t k = opu::hasIn(in, 1) ? in[1]->getInt(0) : 0;
  bool upper = node.attrs.getInt("upper", 1) != 0;
  const Shape& s = x.shape();
  int64_t rows = s[s.size() - 2], cols = s[s.size() - 1];
  int64_t mats = rows * cols == 0 ? 0 : x.elements() / (rows * cols);
  size_t elem = dtypeSize(x.dtype());
  std::memcpy(out[0].raw(), x.raw(), x.byteSize());
  for (int64_t m = 0; m < mats; ++m)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        bool keep = upper ? j - i >= k : j - i <= k;
        if (!keep) std::memset(out[0].raw() + size_t((m * rows + i) * cols + j) * elem, 0, elem);
      }
  return OkStatus();
}

}  // namespace

void addTrilu(OpRegistry& r) { r.add({"Trilu", inferTrilu, cpuTrilu}); }

}  // namespace gpuscope::engine::shape_ops
