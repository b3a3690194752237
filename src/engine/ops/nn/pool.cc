// Pooling: MaxPool (optional Indices output, row-major flat index),
// AveragePool (count_include_pad, ceil_mode, dilations), GlobalAveragePool
// and GlobalMaxPool. Inputs are N x C x spatial (1 to 3 spatial dims), or
// N x spatial x C with attribute layout = "NHWC" (set by the layout pass of
// fp16/bf16 engines; the windowed pools then permute into the NCHW code and
// back, which moves values without rounding).
#include <cmath>
#include <cstring>
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

// Whether the node is in the NHWC form; InvalidInput for another layout
// value, a rank outside 3..5, or NHWC with MaxPool's Indices output.
StatusOr<bool> channelsLast(const std::string& where, const Node& node, size_t rank) {
  std::string layout = node.attrs.getString("layout", "NCHW");
  if (layout == "NCHW") return false;
  if (layout != "NHWC") return InvalidInput(fmt::format("{}: layout must be NCHW or NHWC, got '{}'", where, layout));
  if (rank < 3 || rank > 5) return InvalidInput(fmt::format("{}: layout NHWC needs a 3-D to 5-D input", where));
  if (node.outputs.size() > 1) return InvalidInput(where + ": layout NHWC does not support the Indices output");
  return true;
}

Status inferPool(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 1));
  GS_RETURN_IF_ERROR(opu::checkFloat(ctx, 0));
  GS_ASSIGN_OR_RETURN(bool nhwc, channelsLast(ctx.where(), ctx.node, ctx.inputs[0]->shape.size()));
  Shape x = ctx.inputs[0]->shape;
  if (nhwc) x = opu::permuteShape(x, opu::toChannelsFirstPerm(x.size()));
  GS_ASSIGN_OR_RETURN(Window win, poolWindow(ctx.where(), ctx.node, x));
  Shape out{x[0], x[1]};
  out.insert(out.end(), win.out.begin(), win.out.end());
  if (nhwc) out = opu::permuteShape(out, opu::toChannelsLastPerm(out.size()));
  outs = opu::one(ctx.inputs[0]->dtype, out);
  if (ctx.node.outputs.size() > 1) {
    if (ctx.node.op != "MaxPool") return InvalidInput(ctx.where() + ": has more than one output");
    if (ctx.node.attrs.getInt("storage_order", 0) != 0)
      return InvalidInput(ctx.where() + ": Indices with storage_order = 1 are not supported");
    outs.push_back({DType::kInt64, out});
  }
  return OkStatus();
}

// The pool of an NCHW tensor `xt` into `yt` (+ Indices when not null).
template <bool kMax>
Status poolNchw(const Node& node, const HostTensor& xt, HostTensor& yt, int64_t* indices) {
  const Shape& xs = xt.shape();
  GS_ASSIGN_OR_RETURN(Window win, poolWindow(opu::where(node), node, xs));
  Window3 g = toWindow3(win, std::vector<int64_t>(xs.begin() + 2, xs.end()));
  bool include_pad = node.attrs.getInt("count_include_pad", 0) != 0;
  std::vector<float> x = opu::loadFloats(xt);
  int64_t planes = xs[0] * xs[1];
  int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
  int64_t out_plane = g.out[0] * g.out[1] * g.out[2];
  std::vector<float> y(size_t(planes * out_plane));
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
  opu::storeFloats(yt, y);
  return OkStatus();
}

template <bool kMax>
Status cpuPool(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  size_t rank = in[0]->shape().size();
  GS_ASSIGN_OR_RETURN(bool nhwc, channelsLast(opu::where(node), node, rank));
  if (!nhwc) {
    // An omitted Indices output arrives empty.
    int64_t* indices = out.size() > 1 && out[1].elements() > 0 ? out[1].data<int64_t>() : nullptr;
    return poolNchw<kMax>(node, *in[0], out[0], indices);
  }
  HostTensor x = opu::transposed(*in[0], opu::toChannelsFirstPerm(rank));
  HostTensor y(out[0].dtype(), opu::permuteShape(out[0].shape(), opu::toChannelsFirstPerm(rank)));
  GS_RETURN_IF_ERROR(poolNchw<kMax>(node, x, y, nullptr));
  HostTensor back = opu::transposed(y, opu::toChannelsLastPerm(rank));
  std::memcpy(out[0].raw(), back.raw(), back.byteSize());
  return OkStatus();
}

Status inferGlobalPool(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 1));
  GS_RETURN_IF_ERROR(opu::checkFloat(ctx, 0));
  Shape s = ctx.inputs[0]->shape;
  if (s.size() < 3) return InvalidInput(fmt::format("{}: input {} has rank < 3", ctx.where(), shapeText(s)));
  GS_ASSIGN_OR_RETURN(bool nhwc, channelsLast(ctx.where(), ctx.node, s.size()));
  if (nhwc) std::fill(s.begin() + 1, s.end() - 1, 1);
  else std::fill(s.begin() + 2, s.end(), 1);
  outs = opu::one(ctx.inputs[0]->dtype, s);
  return OkStatus();
}

template <bool kMax>
Status cpuGlobalPool(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const Shape& s = in[0]->shape();
  GS_ASSIGN_OR_RETURN(bool nhwc, channelsLast(opu::where(node), node, s.size()));
  if (nhwc) {
    // [N, spatial, C]: per image, C running sums over the spatial positions.
    int64_t n = s[0], c = s.back();
    int64_t len = n * c != 0 ? in[0]->elements() / (n * c) : 0;
    std::vector<float> x = opu::loadFloats(*in[0]);
    std::vector<float> y(static_cast<size_t>(n * c));
    std::vector<double> acc(static_cast<size_t>(c));
    for (int64_t b = 0; b < n; ++b) {
      std::fill(acc.begin(), acc.end(), kMax ? -std::numeric_limits<double>::infinity() : 0.0);
      const float* xb = x.data() + b * len * c;
      for (int64_t i = 0; i < len; ++i)
        for (int64_t k = 0; k < c; ++k) {
          double v = xb[i * c + k];
          acc[size_t(k)] = kMax ? std::max(acc[size_t(k)], v) : acc[size_t(k)] + v;
        }
      for (int64_t k = 0; k < c; ++k) y[size_t(b * c + k)] = float(kMax ? acc[size_t(k)] : acc[size_t(k)] / double(len));
    }
    opu::storeFloats(out[0], y);
    return OkStatus();
  }
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
