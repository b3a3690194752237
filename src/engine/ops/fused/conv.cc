// gpuscope.Conv: Y = act(conv(X, W) + B + Z). The convolution itself is the
// ONNX Conv reference op (ops/nn/), run in fp32; the epilogue (residual add,
// activation) is applied here before the single rounding to the output type,
// as the fused CUDA kernel does. The NHWC form (layout = "NHWC", made by the
// layout pass for fp16/bf16 engines) permutes into the NCHW reference and
// back: same sums in the same order, so both forms give identical results.
#include <fmt/format.h>

#include "engine/ops/fused/fused_defs.h"
#include "engine/ops/fused_ops.h"
#include "engine/ops/shape/op_util.h"

namespace gpuscope::engine::fused {
namespace {

// "layout": "NCHW" (default) or "NHWC" (2-D only); InvalidInput otherwise.
StatusOr<bool> channelsLast(const Node& node, size_t rank, const std::string& where) {
  std::string layout = node.attrs.getString("layout", "NCHW");
  if (layout == "NCHW") return false;
  if (layout != "NHWC") return InvalidInput(fmt::format("{}: layout must be NCHW or NHWC, got '{}'", where, layout));
  if (rank != 4) return InvalidInput(fmt::format("{}: layout NHWC needs rank-4 X and W, got rank {}", where, rank));
  return true;
}

Status inferConv(const InferContext& ctx, std::vector<TensorDesc>& outputs) {
  if (ctx.inputCount() < 2 || !ctx.hasInput(0) || !ctx.hasInput(1))
    return InvalidInput(fmt::format("{}: needs inputs X and W", ctx.where()));
  GS_ASSIGN_OR_RETURN(bool nhwc, channelsLast(ctx.node, ctx.inputs[0]->shape.size(), ctx.where()));
  // The checks below are written for NCHW: an NHWC node's X [N,H,W,C] and
  // W [M,kH,kW,C/g] are viewed in NCHW order, the output permuted back.
  TensorDesc x = *ctx.inputs[0];
  TensorDesc w = *ctx.inputs[1];
  if (nhwc) {
    if (w.shape.size() != 4)
      return InvalidInput(fmt::format("{}: layout NHWC needs a rank-4 W, got {}", ctx.where(), shapeText(w.shape)));
    x.shape = opu::permuteShape(x.shape, opu::toChannelsFirstPerm(4));
    w.shape = opu::permuteShape(w.shape, opu::toChannelsFirstPerm(4));
  }
  if (!isFloat(x.dtype) || !isFloat(w.dtype))
    return InvalidInput(fmt::format("{}: X and W must be float, got {} and {}", ctx.where(), dtypeName(x.dtype),
                                    dtypeName(w.dtype)));
  size_t rank = x.shape.size();
  if (rank < 3 || w.shape.size() != rank)
    return InvalidInput(fmt::format("{}: X {} and W {} must have the same rank >= 3", ctx.where(),
                                    shapeText(x.shape), shapeText(w.shape)));
  size_t spatial = rank - 2;
  int64_t group = ctx.node.attrs.getInt("group", 1);
  if (group < 1 || x.shape[1] != w.shape[1] * group || w.shape[0] % group != 0)
    return InvalidInput(fmt::format("{}: X {} channels do not match W {} with group {}", ctx.where(),
                                    shapeText(x.shape), shapeText(w.shape), group));
  auto strides = ctx.node.attrs.getInts("strides", std::vector<int64_t>(spatial, 1));
  auto dilations = ctx.node.attrs.getInts("dilations", std::vector<int64_t>(spatial, 1));
  auto pads = ctx.node.attrs.getInts("pads", std::vector<int64_t>(2 * spatial, 0));
  if (strides.size() != spatial || dilations.size() != spatial || pads.size() != 2 * spatial)
    return InvalidInput(fmt::format("{}: strides/dilations/pads do not match {} spatial dims", ctx.where(), spatial));
  Shape out{x.shape[0], w.shape[0]};
  for (size_t d = 0; d < spatial; ++d) {
    int64_t window = (w.shape[2 + d] - 1) * dilations[d] + 1;
    int64_t span = x.shape[2 + d] + pads[d] + pads[spatial + d] - window;
    if (strides[d] < 1 || span < 0)
      return InvalidInput(fmt::format("{}: window {} does not fit padded input dim {}", ctx.where(), window,
                                      x.shape[2 + d] + pads[d] + pads[spatial + d]));
    out.push_back(span / strides[d] + 1);
  }
  if (ctx.hasInput(2) && ctx.inputs[2]->shape != Shape{w.shape[0]})
    return InvalidInput(fmt::format("{}: bias must be [{}], got {}", ctx.where(), w.shape[0],
                                    shapeText(ctx.inputs[2]->shape)));
  if (nhwc) out = opu::permuteShape(out, opu::toChannelsLastPerm(4));
  if (ctx.hasInput(3) && ctx.inputs[3]->shape != out)
    return InvalidInput(fmt::format("{}: residual must be {}, got {}", ctx.where(), shapeText(out),
                                    shapeText(ctx.inputs[3]->shape)));
  GS_ASSIGN_OR_RETURN(Epilogue e, parseEpilogue(ctx.node.attrs, "Relu,Clip,Sigmoid,Tanh", ctx.where()));
  (void)e;
  outputs = {TensorDesc{x.dtype, out}};
  return OkStatus();
}

Status cpuConv(const Node& node, std::span<const HostTensor* const> inputs, std::span<HostTensor> outputs) {
  std::string where = fmt::format("node '{}' ({})", node.name, node.op);
  const OpDef* conv = OpRegistry::instance().find("Conv");
  if (!conv || !conv->cpu) return InternalError(fmt::format("{}: the ONNX Conv reference op is not registered", where));
  GS_ASSIGN_OR_RETURN(Epilogue e, parseEpilogue(node.attrs, "Relu,Clip,Sigmoid,Tanh", where));
  GS_ASSIGN_OR_RETURN(bool nhwc, channelsLast(node, inputs[0]->shape().size(), where));
  // The ONNX op sees only its own attributes and fp32 data.
  Node plain;
  plain.op = "Conv";
  plain.name = node.name;
  for (const char* a : {"strides", "pads", "dilations", "group"})
    if (node.attrs.has(a)) plain.attrs.set(a, node.attrs.all().at(a));
  std::vector<HostTensor> f32;
  std::vector<const HostTensor*> conv_in;
  f32.reserve(3);
  for (size_t i = 0; i < 3 && i < inputs.size(); ++i) {
    if (!inputs[i]) {
      conv_in.push_back(nullptr);
      continue;
    }
    HostTensor t = inputs[i]->castTo(DType::kFloat32);
    // X [N,H,W,C] -> [N,C,H,W]; W [M,kH,kW,C/g] -> [M,C/g,kH,kW].
    if (nhwc && i < 2) t = opu::transposed(t, opu::toChannelsFirstPerm(4));
    f32.push_back(std::move(t));
    conv_in.push_back(&f32.back());
  }
  HostTensor& y = outputs[0];
  Shape acc_shape = nhwc ? opu::permuteShape(y.shape(), opu::toChannelsFirstPerm(4)) : y.shape();
  HostTensor acc(DType::kFloat32, acc_shape);
  GS_RETURN_IF_ERROR(conv->cpu(plain, conv_in, std::span<HostTensor>(&acc, 1)));
  if (nhwc) acc = opu::transposed(acc, opu::toChannelsLastPerm(4));
  const HostTensor* z = inputs.size() > 3 ? inputs[3] : nullptr;
  float* a = acc.data<float>();
  int64_t n = acc.elements();
  for (int64_t i = 0; i < n; ++i) {
    float v = a[i];
    if (z) v += float(z->getDouble(i));
    y.setDouble(i, e.apply(v));
  }
  return OkStatus();
}

}  // namespace

OpDef convOpDef() { return OpDef{kConv, inferConv, cpuConv, true}; }

}  // namespace gpuscope::engine::fused
