// Pooling: MaxPool (optional Indices output, row-major flat index),
// AveragePool (count_include_pad, ceil_mode, dilations), GlobalAveragePool
// and GlobalMaxPool. Inputs are N x C x spatial (1 to 3 spatial dims).
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "engine/ops/nn/nn_ops.h"
#include "engine/ops/nn/window.h"
#include "engine/ops/shape/op_util.h"

namespace gpuscope::engine::nn_ops {
namespace {

StatusOr<Window> poolWindow(const std::string& where, const Node& node, const Shape& x) {
  if (x.size() < 3 || x.size() > 5)
    return InvalidInput(fmt::format("{}: input {} must be 3-D to 5-D (N, C, 1 to 3 spatial dims)", where,
                                    shapeText(x)));
  std::vector<int64_t> kernel = node.attrs.getInts("kernel_shape");
  if (kernel.empty()) return InvalidInput(where + ": attribute 'kernel_shape' is required");
  return resolveWindow(where, node, std::vector<int64_t>(x.begin() + 2, x.end()), kernel, true);
}

Status inferPool(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 1));
  GS_RETURN_IF_ERROR(opu::checkFloat(ctx, 0));
  const Shape& x = ctx.inputs[0]->shape;
  GS_ASSIGN_OR_RETURN(Window win, poolWindow(ctx.where(), ctx.node, x));
  Shape out{x[0], x[1]};
  out.insert(out.end(), win.out.begin(), win.out.end());
  outs = opu::one(ctx.inputs[0]->dtype, out);
  if (ctx.node.outputs.size() > 1) {
    if (ctx.node.op != "MaxPool") return InvalidInput(ctx.where() + ": has more than one output");
    if (ctx.node.attrs.getInt("storage_order", 0) != 0)
      return InvalidInput(ctx.where() + ": Indices with storage_order = 1 are not supported");
    outs.push_back({DType::kInt64, out});
  }
  return OkStatus();
}

template <bool kMax>
Status cpuPool(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const Shape& xs = in[0]->shape();
  GS_ASSIGN_OR_RETURN(Window win, poolWindow(opu::where(node), node, xs));
  Window3 g = toWindow3(win, std::vector<int64_t>(xs.begin() + 2, xs.end()));
  bool include_pad = node.attrs.getInt("count_include_pad", 0) != 0;
  std::vector<float> x = opu::loadFloats(*in[0]);
  int64_t planes = xs[0] * xs[1];
  int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
  int64_t out_plane = g.out[0] * g.out[1] * g.out[2];
  std::vector<float> y(size_t(planes * out_plane));
  // An omitted Indices output arrives empty.
  int64_t* indices = out.size() > 1 && out[1].elements() > 0 ? out[1].data<int64_t>() : nullptr;
  for (int64_t p = 0; p < planes; ++p) {
    const float* xp = x.data() + p * in_plane;
    int64_t oi = p * out_plane;
    for (int64_t oz = 0; oz < g.out[0]; ++oz)
      for (int64_t oy = 0; oy < g.out[1]; ++oy)
        for (int64_t ox = 0; ox < g.out[2]; ++ox, ++oi) {
          int64_t o[3] = {oz, oy, ox};
          // Per dim: window taps, those inside the input, those inside input + pads.
          double acc = kMax ? -std::numeric_limits<double>::infinity() : 0.0;
          int64_t best = -1, valid = 0, padded = 1;
          for (int dim = 0; dim < 3; ++dim) {
            int64_t n = 0;
            for (int64_t k = 0; k < g.k[dim]; ++k) {
              int64_t c = o[dim] * g.s[dim] - g.pb[dim] + k * g.d[dim];
              n += c >= -g.pb[dim] && c < g.in[dim] + g.pe[dim];
            }
            padded *= n;
          }
          for (int64_t kz = 0; kz < g.k[0]; ++kz) {
            int64_t iz = oz * g.s[0] - g.pb[0] + kz * g.d[0];
            if (iz < 0 || iz >= g.in[0]) continue;
            for (int64_t ky = 0; ky < g.k[1]; ++ky) {
              int64_t iy = oy * g.s[1] - g.pb[1] + ky * g.d[1];
              if (iy < 0 || iy >= g.in[1]) continue;
              for (int64_t kx = 0; kx < g.k[2]; ++kx) {
                int64_t ix = ox * g.s[2] - g.pb[2] + kx * g.d[2];
                if (ix < 0 || ix >= g.in[2]) continue;
                int64_t at = (iz * g.in[1] + iy) * g.in[2] + ix;
                double v = xp[at];
                ++valid;
                if (kMax) {
                  if (v > acc || best < 0) {
                    acc = v;
                    best = at;
                  }
                } else {
                  acc += v;
                }
              }
            }
          }
          if (kMax) {
            y[size_t(oi)] = float(acc);
            if (indices) indices[oi] = p * in_plane + best;
          } else {
            int64_t div = include_pad ? padded : valid;
            y[size_t(oi)] = div ? float(acc / double(div)) : std::nanf("");
          }
        }
  }
  opu::storeFloats(out[0], y);
  return OkStatus();
}

Status inferGlobalPool(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 1));
  GS_RETURN_IF_ERROR(opu::checkFloat(ctx, 0));
  Shape s = ctx.inputs[0]->shape;
  if (s.size() < 3) return InvalidInput(fmt::format("{}: input {} has rank < 3", ctx.where(), shapeText(s)));
  std::fill(s.begin() + 2, s.end(), 1);
  outs = opu::one(ctx.inputs[0]->dtype, s);
  return OkStatus();
}

template <bool kMax>
Status cpuGlobalPool(const Node&, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const Shape& s = in[0]->shape();
  int64_t planes = s[0] * s[1];
  int64_t len = planes ? in[0]->elements() / planes : 0;
  std::vector<float> x = opu::loadFloats(*in[0]);
  std::vector<float> y(static_cast<size_t>(planes));
  for (int64_t p = 0; p < planes; ++p) {
    const float* xp = x.data() + p * len;
    double acc = kMax ? -std::numeric_limits<double>::infinity() : 0.0;
    for (int64_t i = 0; i < len; ++i) acc = kMax ? std::max(acc, double(xp[i])) : acc + xp[i];
    y[size_t(p)] = float(kMax ? acc : acc / double(len));
  }
  opu::storeFloats(out[0], y);
  return OkStatus();
}

}  // namespace

void addPool(OpRegistry& r) {
  r.add({"MaxPool", inferPool, cpuPool<true>});
  r.add({"AveragePool", inferPool, cpuPool<false>});
  r.add({"GlobalAveragePool", inferGlobalPool, cpuGlobalPool<false>});
  r.add({"GlobalMaxPool", inferGlobalPool, cpuGlobalPool<true>});
}

}  // namespace gpuscope::engine::nn_ops
