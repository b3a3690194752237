// Conv (1-D/2-D/3-D, groups, dilations, strides, pads, auto_pad): direct
// loops with fp32 accumulation. Weight by weight, each kernel tap adds
// w * shifted input over the whole output plane, so the inner loop is
// contiguous in both buffers.
#include <algorithm>

#include <fmt/format.h>

#include "engine/ops/nn/nn_ops.h"
#include "engine/ops/nn/window.h"
#include "engine/ops/shape/op_util.h"

namespace gpuscope::engine::nn_ops {
namespace {

// Integer division rounding toward -inf / +inf (b > 0).
int64_t floorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

StatusOr<Window> convWindow(const std::string& where, const Node& node, const Shape& x, const Shape& w) {
  if (x.size() < 3 || x.size() > 5 || w.size() != x.size())
    return InvalidInput(fmt::format("{}: X {} and W {} must both be 3-D to 5-D (1 to 3 spatial dims)", where,
                                    shapeText(x), shapeText(w)));
  std::vector<int64_t> in(x.begin() + 2, x.end());
  std::vector<int64_t> kernel(w.begin() + 2, w.end());
  std::vector<int64_t> ks = node.attrs.getInts("kernel_shape");
  if (!ks.empty() && ks != kernel)
    return InvalidInput(fmt::format("{}: kernel_shape [{}] disagrees with W {}", where, shapeText(ks),
                                    shapeText(w)));
  return resolveWindow(where, node, in, kernel, false);
}

Status inferConv(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 2, 3));
  GS_RETURN_IF_ERROR(opu::checkFloat(ctx, 0));
  const Shape& x = ctx.inputs[0]->shape;
  const Shape& w = ctx.inputs[1]->shape;
  GS_ASSIGN_OR_RETURN(Window win, convWindow(ctx.where(), ctx.node, x, w));
  int64_t group = ctx.node.attrs.getInt("group", 1);
  if (group <= 0 || x[1] % group != 0 || w[0] % group != 0 || w[1] * group != x[1])
    return InvalidInput(fmt::format("{}: X {} with group {} does not match W {} (W[1] * group must equal "
                                    "channels, W[0] divisible by group)",
                                    ctx.where(), shapeText(x), group, shapeText(w)));
  if (ctx.hasInput(2) && ctx.inputs[2]->shape != Shape{w[0]})
    return InvalidInput(fmt::format("{}: B has shape {}, expected [{}]", ctx.where(),
                                    shapeText(ctx.inputs[2]->shape), w[0]));
  Shape out{x[0], w[0]};
  out.insert(out.end(), win.out.begin(), win.out.end());
  outs = opu::one(ctx.inputs[0]->dtype, out);
  return OkStatus();
}

Status cpuConv(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const Shape& xs = in[0]->shape();
  const Shape& ws = in[1]->shape();
  GS_ASSIGN_OR_RETURN(Window win, convWindow(opu::where(node), node, xs, ws));
  Window3 g3 = toWindow3(win, std::vector<int64_t>(xs.begin() + 2, xs.end()));
  int64_t group = node.attrs.getInt("group", 1);
  int64_t batch = xs[0], cin = xs[1], cout = ws[0], cg = ws[1], mg = cout / group;
  std::vector<float> x = opu::loadFloats(*in[0]);
  std::vector<float> w = opu::loadFloats(*in[1]);
  std::vector<float> b = opu::hasIn(in, 2) ? opu::loadFloats(*in[2]) : std::vector<float>(size_t(cout), 0.0f);
  int64_t in_plane = g3.in[0] * g3.in[1] * g3.in[2];
  int64_t out_plane = g3.out[0] * g3.out[1] * g3.out[2];
  int64_t ktaps = g3.k[0] * g3.k[1] * g3.k[2];
  std::vector<float> y(size_t(batch * cout * out_plane));
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t m = 0; m < cout; ++m) {
      float* acc = y.data() + (n * cout + m) * out_plane;
      std::fill(acc, acc + out_plane, b[size_t(m)]);
      int64_t gi = m / mg;
      for (int64_t c = 0; c < cg; ++c) {
        const float* xp = x.data() + (n * cin + gi * cg + c) * in_plane;
        const float* wp = w.data() + (m * cg + c) * ktaps;
        for (int64_t kz = 0; kz < g3.k[0]; ++kz)
          for (int64_t ky = 0; ky < g3.k[1]; ++ky)
            for (int64_t kx = 0; kx < g3.k[2]; ++kx) {
              float wv = wp[(kz * g3.k[1] + ky) * g3.k[2] + kx];
              // Output columns whose input column ox*s - pb + kx*d is inside
              // the row, so the inner loop has no bounds test.
              int64_t x_shift = kx * g3.d[2] - g3.pb[2];
              int64_t ox_lo = std::max<int64_t>(0, ceilDiv(-x_shift, g3.s[2]));
              int64_t ox_hi = std::min<int64_t>(g3.out[2], floorDiv(g3.in[2] - 1 - x_shift, g3.s[2]) + 1);
              for (int64_t oz = 0; oz < g3.out[0]; ++oz) {
                int64_t iz = oz * g3.s[0] - g3.pb[0] + kz * g3.d[0];
                if (iz < 0 || iz >= g3.in[0]) continue;
                for (int64_t oy = 0; oy < g3.out[1]; ++oy) {
                  int64_t iy = oy * g3.s[1] - g3.pb[1] + ky * g3.d[1];
                  if (iy < 0 || iy >= g3.in[1]) continue;
                  const float* xrow = xp + (iz * g3.in[1] + iy) * g3.in[2];
                  float* arow = acc + (oz * g3.out[1] + oy) * g3.out[2];
                  for (int64_t ox = ox_lo; ox < ox_hi; ++ox) arow[ox] += wv * xrow[ox * g3.s[2] + x_shift];
                }
              }
            }
      }
    }
  opu::storeFloats(out[0], y);
  return OkStatus();
}

}  // namespace

void addConv(OpRegistry& r) { r.add({"Conv", inferConv, cpuConv}); }

}  // namespace gpuscope::engine::nn_ops
