// Normalisations: BatchNormalization (inference form), InstanceNormalization
// and LayerNormalization (opset 17; optional Mean / InvStdDev outputs).
// Statistics are accumulated in double.
#include <cmath>

#include <fmt/format.h>

#include "engine/ops/nn/nn_ops.h"
#include "engine/ops/shape/op_util.h"

namespace gpuscope::engine::nn_ops {
namespace {

Status checkChannelParam(const InferContext& ctx, size_t i, int64_t c) {
  const Shape& s = ctx.inputs[i]->shape;
  if (s.size() != 1 || s[0] != c)
    return InvalidInput(fmt::format("{}: input {} has shape {}, expected [{}] (one per channel)", ctx.where(), i,
                                    shapeText(s), c));
  return OkStatus();
}

Status inferBatchNorm(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 5, 5));
  GS_RETURN_IF_ERROR(opu::checkFloat(ctx, 0));
  if (ctx.node.attrs.getInt("training_mode", 0) != 0)
    return InvalidInput(ctx.where() + ": training_mode = 1 is not supported (inference engine)");
  if (ctx.node.outputs.size() != 1)
    return InvalidInput(fmt::format("{}: has {} outputs; in inference mode only Y exists", ctx.where(),
                                    ctx.node.outputs.size()));
  const Shape& x = ctx.inputs[0]->shape;
  if (x.size() < 2) return InvalidInput(fmt::format("{}: input {} has rank < 2", ctx.where(), shapeText(x)));
  for (size_t i = 1; i < 5; ++i) GS_RETURN_IF_ERROR(checkChannelParam(ctx, i, x[1]));
  outs = {*ctx.inputs[0]};
  return OkStatus();
}

Status cpuBatchNorm(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const Shape& s = in[0]->shape();
  double eps = node.attrs.getFloat("epsilon", 1e-5f);
  int64_t n = s[0], c = s[1], inner = shapeElements(s) / std::max<int64_t>(1, n * c);
  std::vector<float> x = opu::loadFloats(*in[0]);
  std::vector<float> scale = opu::loadFloats(*in[1]), bias = opu::loadFloats(*in[2]);
  std::vector<float> mean = opu::loadFloats(*in[3]), var = opu::loadFloats(*in[4]);
  for (int64_t ch = 0; ch < c; ++ch) {
    double mul = scale[size_t(ch)] / std::sqrt(double(var[size_t(ch)]) + eps);
    double add = bias[size_t(ch)] - mean[size_t(ch)] * mul;
    for (int64_t b = 0; b < n; ++b) {
      float* p = x.data() + (b * c + ch) * inner;
      for (int64_t i = 0; i < inner; ++i) p[i] = float(p[i] * mul + add);
    }
  }
  opu::storeFloats(out[0], x);
  return OkStatus();
}

Status inferInstanceNorm(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 3, 3));
  GS_RETURN_IF_ERROR(opu::checkFloat(ctx, 0));
  const Shape& x = ctx.inputs[0]->shape;
  if (x.size() < 3) return InvalidInput(fmt::format("{}: input {} has rank < 3", ctx.where(), shapeText(x)));
  for (size_t i = 1; i < 3; ++i) GS_RETURN_IF_ERROR(checkChannelParam(ctx, i, x[1]));
  outs = {*ctx.inputs[0]};
  return OkStatus();
}

// Normalises `rows` consecutive groups of `len` values in place; returns
// per-row mean and 1/sqrt(var + eps).
void normalizeRows(float* x, int64_t rows, int64_t len, double eps, std::vector<float>* mean_out,
                   std::vector<float>* inv_out) {
  for (int64_t r = 0; r < rows; ++r) {
    float* p = x + r * len;
    double sum = 0;
    for (int64_t i = 0; i < len; ++i) sum += p[i];
    double mean = len ? sum / double(len) : 0;
    double sq = 0;
    for (int64_t i = 0; i < len; ++i) sq += (p[i] - mean) * (p[i] - mean);
    double inv = 1.0 / std::sqrt((len ? sq / double(len) : 0) + eps);
    for (int64_t i = 0; i < len; ++i) p[i] = float((p[i] - mean) * inv);
    if (mean_out) (*mean_out)[size_t(r)] = float(mean);
    if (inv_out) (*inv_out)[size_t(r)] = float(inv);
  }
}

Status cpuInstanceNorm(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const Shape& s = in[0]->shape();
  double eps = node.attrs.getFloat("epsilon", 1e-5f);
  int64_t n = s[0], c = s[1], inner = shapeElements(s) / std::max<int64_t>(1, n * c);
  std::vector<float> x = opu::loadFloats(*in[0]);
  std::vector<float> scale = opu::loadFloats(*in[1]), bias = opu::loadFloats(*in[2]);
  normalizeRows(x.data(), n * c, inner, eps, nullptr, nullptr);
  for (int64_t r = 0; r < n * c; ++r)
    for (int64_t i = 0; i < inner; ++i) {
      float& v = x[size_t(r * inner + i)];
      v = v * scale[size_t(r % c)] + bias[size_t(r % c)];
    }
  opu::storeFloats(out[0], x);
  return OkStatus();
}

Status inferLayerNorm(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 2, 3));
  GS_RETURN_IF_ERROR(opu::checkFloat(ctx, 0));
  const Shape& x = ctx.inputs[0]->shape;
  GS_ASSIGN_OR_RETURN(int64_t axis, opu::normAxis(ctx.where(), ctx.node.attrs.getInt("axis", -1), int64_t(x.size())));
  Shape norm(x.begin() + axis, x.end());
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.hasInput(i)) continue;
    GS_ASSIGN_OR_RETURN(Shape b, opu::broadcastShapes(ctx.where(), ctx.inputs[i]->shape, norm));
    if (b != norm)
      return InvalidInput(fmt::format("{}: {} {} does not broadcast to the normalised shape {}", ctx.where(),
                                      i == 1 ? "Scale" : "B", shapeText(ctx.inputs[i]->shape), shapeText(norm)));
  }
  if (ctx.node.outputs.size() > 3) return InvalidInput(ctx.where() + ": has more than 3 outputs");
  int64_t stash = ctx.node.attrs.getInt("stash_type", 1);
  std::optional<DType> stash_type = dtypeFromOnnx(int32_t(stash));
  if (!stash_type || !isFloat(*stash_type))
    return InvalidInput(fmt::format("{}: stash_type {} is not a float type", ctx.where(), stash));
  Shape stat(x.begin(), x.begin() + axis);
  stat.resize(x.size(), 1);
  outs = {*ctx.inputs[0]};
  for (size_t i = 1; i < ctx.node.outputs.size(); ++i) outs.push_back({*stash_type, stat});
  return OkStatus();
}

Status cpuLayerNorm(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const Shape& s = in[0]->shape();
  GS_ASSIGN_OR_RETURN(int64_t axis, opu::normAxis(opu::where(node), node.attrs.getInt("axis", -1), int64_t(s.size())));
  double eps = node.attrs.getFloat("epsilon", 1e-5f);
  Shape norm(s.begin() + axis, s.end());
  int64_t len = shapeElements(norm), rows = len ? shapeElements(s) / len : 0;
  std::vector<float> x = opu::loadFloats(*in[0]);
  std::vector<float> mean(static_cast<size_t>(rows)), inv(static_cast<size_t>(rows));
  normalizeRows(x.data(), rows, len, eps, &mean, &inv);
  std::vector<float> scale = opu::loadFloats(opu::broadcastTo(*in[1], norm));
  std::vector<float> bias;
  if (opu::hasIn(in, 2)) bias = opu::loadFloats(opu::broadcastTo(*in[2], norm));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < len; ++i) {
      float& v = x[size_t(r * len + i)];
      v = v * scale[size_t(i)] + (bias.empty() ? 0.0f : bias[size_t(i)]);
    }
  opu::storeFloats(out[0], x);
  if (out.size() > 1) opu::storeFloats(out[1], mean);
  if (out.size() > 2) opu::storeFloats(out[2], inv);
  return OkStatus();
}

}  // namespace

void addNorm(OpRegistry& r) {
  r.add({"BatchNormalization", inferBatchNorm, cpuBatchNorm});
  r.add({"InstanceNormalization", inferInstanceNorm, cpuInstanceNorm});
  r.add({"LayerNormalization", inferLayerNorm, cpuLayerNorm});
}

}  // namespace gpuscope::engine::nn_ops
