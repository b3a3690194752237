// Slice (opset 10+: starts/ends/axes/steps as inputs). Negative starts/ends
// count from the back and are clamped (to [0, dim] for positive steps, to
// [-1, dim-1] for negative ones); the copy is a strided view of the input.
#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "engine/ops/shape/op_util.h"
#include "engine/ops/shape/shape_ops.h"

namespace gpuscope::engine::shape_ops {
namespace {

struct SliceParams {
  Shape out;
  std::vector<int64_t> start;  // per dim
  std::vector<int64_t> step;   // per dim
};

StatusOr<SliceParams> sliceParams(const std::string& where, const Shape& in, const std::vector<int64_t>& starts,
                                  const std::vector<int64_t>& ends, std::optional<std::vector<int64_t>> axes_arg,
                                  std::optional<std::vector<int64_t>> steps_arg) {
  size_t n = starts.size();
  if (ends.size() != n)
    return InvalidInput(fmt::format("{}: starts has {} entries, ends {}", where, n, ends.size()));
  std::vector<int64_t> axes;
  if (axes_arg && !axes_arg->empty()) {
    axes = *axes_arg;
  } else {
    for (size_t i = 0; i < n; ++i) axes.push_back(int64_t(i));
  }
  std::vector<int64_t> steps = steps_arg && !steps_arg->empty() ? *steps_arg : std::vector<int64_t>(n, 1);
  if (axes.size() != n || steps.size() != n)
    return InvalidInput(fmt::format("{}: starts/ends have {} entries but axes {} and steps {}", where, n,
                                    axes.size(), steps.size()));
  GS_ASSIGN_OR_RETURN(axes, opu::normAxes(where, axes, int64_t(in.size())));
  SliceParams p{in, std::vector<int64_t>(in.size(), 0), std::vector<int64_t>(in.size(), 1)};
  for (size_t i = 0; i < n; ++i) {
    size_t a = size_t(axes[i]);
    int64_t dim = in[a];
    int64_t step = steps[i];
    if (step == 0) return InvalidInput(fmt::format("{}: step for axis {} is 0", where, a));
    p.step[a] = step;
    if (dim == 0) {
      p.out[a] = 0;
      continue;
    }
    int64_t s = starts[i], e = ends[i];
    if (s < 0) s = s < -dim ? -1 - dim : s;  // avoid overflow near INT64_MIN
    if (e < 0) e = e < -dim ? -1 - dim : e;
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
    }
    int64_t len = step > 0 ? (e - s + step - 1) / step : (s - e + (-step) - 1) / (-step);
    p.out[a] = std::max<int64_t>(0, len);
    p.start[a] = s;
    p.step[a] = step;
  }
  return p;
}

Status inferSlice(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 3, 5));
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> starts, opu::constInts(ctx, 1, "starts"));
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> ends, opu::constInts(ctx, 2, "ends"));
  std::optional<std::vector<int64_t>> axes, steps;
  if (ctx.hasInput(3)) {
    GS_ASSIGN_OR_RETURN(axes, opu::constInts(ctx, 3, "axes"));
  }
  if (ctx.hasInput(4)) {
    GS_ASSIGN_OR_RETURN(steps, opu::constInts(ctx, 4, "steps"));
  }
  GS_ASSIGN_OR_RETURN(SliceParams p, sliceParams(ctx.where(), ctx.inputs[0]->shape, starts, ends, axes, steps));
  outs = opu::one(ctx.inputs[0]->dtype, p.out);
  return OkStatus();
}

Status cpuSlice(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const HostTensor& x = *in[0];
  std::optional<std::vector<int64_t>> axes, steps;
  if (opu::hasIn(in, 3)) axes = in[3]->toInts();
  if (opu::hasIn(in, 4)) steps = in[4]->toInts();
  GS_ASSIGN_OR_RETURN(SliceParams p,
                      sliceParams(opu::where(node), x.shape(), in[1]->toInts(), in[2]->toInts(), axes, steps));
  std::vector<int64_t> strides = contiguousStrides(x.shape());
  int64_t offset = 0;
  for (size_t d = 0; d < strides.size(); ++d) {
    offset += p.start[d] * strides[d];
    strides[d] *= p.step[d];
  }
  opu::stridedCopy(x.raw(), offset, strides, out[0].shape(), dtypeSize(x.dtype()), out[0].raw());
  return OkStatus();
}

}  // namespace

void addSlice(OpRegistry& r) { r.add({"Slice", inferSlice, cpuSlice}); }

}  // namespace gpuscope::engine::shape_ops
