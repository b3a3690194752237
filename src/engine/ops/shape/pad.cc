// Pad (opset 11+: pads / constant_value / axes as inputs), modes constant,
// reflect, edge and wrap. Negative pads crop. Each output element maps to one
// source coordinate per dim (or to the constant).
#include <cstring>

#include <fmt/format.h>

#include "engine/ops/shape/op_util.h"
#include "engine/ops/shape/shape_ops.h"

namespace gpuscope::engine::shape_ops {
namespace {

// Per-dim begin/end pads from the pads input and optional axes input.
StatusOr<std::vector<int64_t>> fullPads(const std::string& where, const Shape& in, const std::vector<int64_t>& pads,
                                        std::optional<std::vector<int64_t>> axes_arg) {
  size_t rank = in.size();
  std::vector<int64_t> axes;
  if (axes_arg) {
    GS_ASSIGN_OR_RETURN(axes, opu::normAxes(where, *axes_arg, int64_t(rank)));
  } else {
    for (size_t i = 0; i < rank; ++i) axes.push_back(int64_t(i));
  }
  if (pads.size() != 2 * axes.size())
    return InvalidInput(fmt::format("{}: pads has {} entries, expected {} (2 per padded axis)", where, pads.size(),
                                    2 * axes.size()));
  std::vector<int64_t> full(2 * rank, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    full[size_t(axes[i])] = pads[i];
    full[rank + size_t(axes[i])] = pads[axes.size() + i];
  }
  for (size_t d = 0; d < rank; ++d)
    if (in[d] + full[d] + full[rank + d] < 0)
      return InvalidInput(fmt::format("{}: pads crop axis {} of size {} below zero", where, d, in[d]));
  return full;
}

Status inferPad(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 2, 4));
  std::string mode = ctx.node.attrs.getString("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    return InvalidInput(fmt::format("{}: unknown mode '{}'", ctx.where(), mode));
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> pads, opu::constInts(ctx, 1, "pads"));
  std::optional<std::vector<int64_t>> axes;
  if (ctx.hasInput(3)) {
    GS_ASSIGN_OR_RETURN(axes, opu::constInts(ctx, 3, "axes"));
  }
  const Shape& in = ctx.inputs[0]->shape;
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> full, fullPads(ctx.where(), in, pads, axes));
  Shape out = in;
  for (size_t d = 0; d < in.size(); ++d) {
    out[d] += full[d] + full[in.size() + d];
    bool padded = full[d] > 0 || full[in.size() + d] > 0;
    if (padded && mode != "constant" && in[d] == 0)
      return InvalidInput(fmt::format("{}: mode '{}' cannot pad the empty axis {}", ctx.where(), mode, d));
    if (mode == "reflect" && (full[d] >= in[d] || full[in.size() + d] >= in[d]) && padded)
      return InvalidInput(fmt::format("{}: reflect pads of axis {} must be smaller than its size {}", ctx.where(),
                                      d, in[d]));
  }
  if (ctx.hasInput(2) && ctx.inputs[2]->dtype != ctx.inputs[0]->dtype)
    return InvalidInput(ctx.where() + ": constant_value's type differs from the data's");
  outs = opu::one(ctx.inputs[0]->dtype, out);
  return OkStatus();
}

// Source coordinate of output coordinate o along a dim of size n, -1 for
// the constant.
int64_t sourceCoord(int64_t o, int64_t begin, int64_t n, int mode) {
  int64_t c = o - begin;
  if (c >= 0 && c < n) return c;
  switch (mode) {
    case 0: return -1;                                   // constant
    case 1: {                                            // reflect (no edge repeat)
      int64_t period = 2 * (n - 1);
      if (period == 0) return 0;
      c = ((c % period) + period) % period;
      return c < n ? c : period - c;
    }
    case 2: return c < 0 ? 0 : n - 1;                    // edge
    default: return ((c % n) + n) % n;                   // wrap
  }
}

Status cpuPad(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const HostTensor& x = *in[0];
  std::optional<std::vector<int64_t>> axes;
  if (opu::hasIn(in, 3)) axes = in[3]->toInts();
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> full, fullPads(opu::where(node), x.shape(), in[1]->toInts(), axes));
  std::string m = node.attrs.getString("mode", "constant");
  int mode = m == "constant" ? 0 : m == "reflect" ? 1 : m == "edge" ? 2 : 3;
  size_t elem = dtypeSize(x.dtype());
  std::vector<uint8_t> fill(elem, 0);
  if (opu::hasIn(in, 2) && in[2]->elements() > 0) std::memcpy(fill.data(), in[2]->raw(), elem);
  const Shape& os = out[0].shape();
  const Shape& xs = x.shape();
  size_t rank = os.size();
  std::vector<int64_t> strides = contiguousStrides(xs);
  std::vector<int64_t> pos(rank, 0);
  for (int64_t i = 0; i < out[0].elements(); ++i) {
    int64_t off = 0;
    bool constant = false;
    for (size_t d = 0; d < rank && !constant; ++d) {
      int64_t c = sourceCoord(pos[d], full[d], xs[d], mode);
      if (c < 0) constant = true;
      off += c * strides[d];
    }
    std::memcpy(out[0].raw() + size_t(i) * elem, constant ? fill.data() : x.raw() + size_t(off) * elem, elem);
    for (int64_t d = int64_t(rank) - 1; d >= 0; --d) {
      if (++pos[size_t(d)] < os[size_t(d)]) break;
      pos[size_t(d)] = 0;
    }
  }
  return OkStatus();
}

}  // namespace

void addPad(OpRegistry& r) { r.add({"Pad", inferPad, cpuPad}); }

}  // namespace gpuscope::engine::shape_ops
