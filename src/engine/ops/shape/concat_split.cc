// Concat and Split along one axis: both copy contiguous chunks of
// prod(dims[axis:]) elements per outer index.
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/ops/shape/op_util.h"
#include "engine/ops/shape/shape_ops.h"

namespace gpuscope::engine::shape_ops {
namespace {

int64_t prod(const Shape& s, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i) p *= s[i];
  return p;
}

Status inferConcat(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  if (ctx.inputCount() == 0) return InvalidInput(ctx.where() + ": has no inputs");
  for (size_t i = 0; i < ctx.inputCount(); ++i)
    if (!ctx.hasInput(i)) return InvalidInput(fmt::format("{}: input {} is missing", ctx.where(), i));
  if (!ctx.node.attrs.has("axis")) return InvalidInput(ctx.where() + ": attribute 'axis' is required");
  const TensorDesc& first = *ctx.inputs[0];
  int64_t rank = int64_t(first.shape.size());
  GS_ASSIGN_OR_RETURN(int64_t axis, opu::normAxis(ctx.where(), ctx.node.attrs.getInt("axis", 0), rank));
  Shape out = first.shape;
  out[size_t(axis)] = 0;
  for (size_t i = 0; i < ctx.inputCount(); ++i) {
    const TensorDesc& d = *ctx.inputs[i];
    if (d.dtype != first.dtype)
      return InvalidInput(fmt::format("{}: input {} has type {}, input 0 has {}", ctx.where(), i,
                                      dtypeName(d.dtype), dtypeName(first.dtype)));
    if (int64_t(d.shape.size()) != rank)
      return InvalidInput(fmt::format("{}: input {} has shape {}, rank differs from input 0's {}", ctx.where(), i,
                                      shapeText(d.shape), shapeText(first.shape)));
    for (int64_t k = 0; k < rank; ++k)
      if (k != axis && d.shape[size_t(k)] != first.shape[size_t(k)])
        return InvalidInput(fmt::format("{}: input {} has shape {}, input 0 has {} (only axis {} may differ)",
                                        ctx.where(), i, shapeText(d.shape), shapeText(first.shape), axis));
    out[size_t(axis)] += d.shape[size_t(axis)];
  }
  outs = opu::one(first.dtype, out);
  return OkStatus();
}

Status cpuConcat(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const Shape& os = out[0].shape();
  GS_ASSIGN_OR_RETURN(int64_t axis, opu::normAxis(opu::where(node), node.attrs.getInt("axis", 0), int64_t(os.size())));
  size_t elem = dtypeSize(out[0].dtype());
  int64_t outer = prod(os, 0, size_t(axis));
  int64_t out_chunk = prod(os, size_t(axis), os.size());
  int64_t offset = 0;  // elements into each output row
  for (const HostTensor* t : in) {
    int64_t chunk = prod(t->shape(), size_t(axis), t->shape().size());
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(out[0].raw() + size_t(o * out_chunk + offset) * elem, t->raw() + size_t(o * chunk) * elem,
                  size_t(chunk) * elem);
    offset += chunk;
  }
  return OkStatus();
}

Status inferSplit(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 2));
  const TensorDesc& x = *ctx.inputs[0];
  GS_ASSIGN_OR_RETURN(int64_t axis, opu::normAxis(ctx.where(), ctx.node.attrs.getInt("axis", 0),
                                                  int64_t(x.shape.size())));
  int64_t dim = x.shape[size_t(axis)];
  size_t n = ctx.node.outputs.size();
  std::vector<int64_t> sizes;
  GS_ASSIGN_OR_RETURN(auto split, opu::axesArg(ctx, 1, "split"));
  if (split && !split->empty()) {
    sizes = *split;
    if (sizes.size() != n)
      return InvalidInput(fmt::format("{}: split has {} entries but the node has {} outputs", ctx.where(),
                                      sizes.size(), n));
    int64_t sum = 0;
    for (int64_t s : sizes) {
      if (s < 0) return InvalidInput(fmt::format("{}: split [{}] has a negative size", ctx.where(), fmt::join(sizes, ",")));
      sum += s;
    }
    if (sum != dim)
      return InvalidInput(fmt::format("{}: split [{}] sums to {}, axis {} has size {}", ctx.where(),
                                      fmt::join(sizes, ","), sum, axis, dim));
  } else {
    // num_outputs (opset 18): chunks of ceil(dim / n), the last one smaller.
    // Without it the outputs split the axis evenly.
    int64_t parts = ctx.node.attrs.getInt("num_outputs", int64_t(n));
    if (parts != int64_t(n) || n == 0)
      return InvalidInput(fmt::format("{}: num_outputs = {} but the node has {} outputs", ctx.where(), parts, n));
    bool has_num = ctx.node.attrs.has("num_outputs");
    if (!has_num && dim % parts != 0)
      return InvalidInput(fmt::format("{}: axis {} of size {} does not split evenly into {} outputs", ctx.where(),
                                      axis, dim, parts));
    int64_t chunk = (dim + parts - 1) / parts;
    for (int64_t i = 0, left = dim; i < parts; ++i) {
      sizes.push_back(std::min(chunk, left));
      left -= sizes.back();
    }
    if (sizes.back() <= 0 && dim > 0)
      return InvalidInput(fmt::format("{}: axis {} of size {} is too small for {} outputs", ctx.where(), axis, dim,
                                      parts));
  }
  outs.clear();
  for (int64_t s : sizes) {
    TensorDesc d = x;
    d.shape[size_t(axis)] = s;
    outs.push_back(d);
  }
  return OkStatus();
}

Status cpuSplit(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const HostTensor& x = *in[0];
  const Shape& xs = x.shape();
  GS_ASSIGN_OR_RETURN(int64_t axis, opu::normAxis(opu::where(node), node.attrs.getInt("axis", 0), int64_t(xs.size())));
  size_t elem = dtypeSize(x.dtype());
  int64_t outer = prod(xs, 0, size_t(axis));
  int64_t in_chunk = prod(xs, size_t(axis), xs.size());
  int64_t offset = 0;
  // Output sizes along the axis come from the inferred output shapes.
  for (HostTensor& o : out) {
    if (o.shape().size() != xs.size()) continue;  // an omitted output
    int64_t chunk = prod(o.shape(), size_t(axis), xs.size());
    for (int64_t r = 0; r < outer; ++r)
      std::memcpy(o.raw() + size_t(r * chunk) * elem, x.raw() + size_t(r * in_chunk + offset) * elem,
                  size_t(chunk) * elem);
    offset += chunk;
  }
  return OkStatus();
}

}  // namespace

void addConcatSplit(OpRegistry& r) {
  r.add({"Concat", inferConcat, cpuConcat});
  r.add({"Split", inferSplit, cpuSplit});
}

}  // namespace gpuscope::engine::shape_ops
