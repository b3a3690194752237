// Constant (value / value_float(s) / value_int(s) attributes), ConstantOfShape
// and Range. The importer usually turns Constant nodes into constants; these
// cover the ones it leaves and the ones passes create.
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "engine/ops/shape/op_util.h"
#include "engine/ops/shape/shape_ops.h"

namespace gpuscope::engine::shape_ops {
namespace {

StatusOr<HostTensor> constantValue(const std::string& where, const Node& node) {
  const Attributes& a = node.attrs;
  if (auto t = a.getTensor("value")) return *t;
  if (a.has("value_float")) {
    float v = a.getFloat("value_float", 0);
    return HostTensor::fromFloats(DType::kFloat32, {}, std::span<const float>(&v, 1));
  }
  if (a.has("value_floats")) {
    std::vector<float> v = a.getFloats("value_floats");
    return HostTensor::fromFloats(DType::kFloat32, {int64_t(v.size())}, v);
  }
  if (a.has("value_int")) {
    int64_t v = a.getInt("value_int", 0);
    return HostTensor::fromInts(DType::kInt64, {}, std::span<const int64_t>(&v, 1));
  }
  if (a.has("value_ints")) {
    std::vector<int64_t> v = a.getInts("value_ints");
    return HostTensor::fromInts(DType::kInt64, {int64_t(v.size())}, v);
  }
  return InvalidInput(where + ": no supported value attribute (value, value_float(s), value_int(s))");
}

Status inferConstant(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  if (ctx.inputCount() != 0) return InvalidInput(ctx.where() + ": takes no inputs");
  GS_ASSIGN_OR_RETURN(HostTensor t, constantValue(ctx.where(), ctx.node));
  outs = {t.desc()};
  return OkStatus();
}

Status cpuConstant(const Node& node, std::span<const HostTensor* const>, std::span<HostTensor> out) {
  GS_ASSIGN_OR_RETURN(out[0], constantValue(opu::where(node), node));
  return OkStatus();
}

// ConstantOfShape's fill value: a one-element tensor, default float 0.
StatusOr<HostTensor> fillValue(const std::string& where, const Node& node) {
  auto t = node.attrs.getTensor("value");
  if (!t) return HostTensor(DType::kFloat32, {1});
  if (t->elements() != 1)
    return InvalidInput(fmt::format("{}: value has {} elements, expected 1", where, t->elements()));
  return *t;
}

Status inferConstantOfShape(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 1));
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> shape, opu::constInts(ctx, 0, "shape"));
  for (int64_t d : shape)
    if (d < 0) return InvalidInput(fmt::format("{}: shape has a negative dim {}", ctx.where(), d));
  GS_ASSIGN_OR_RETURN(HostTensor v, fillValue(ctx.where(), ctx.node));
  outs = opu::one(v.dtype(), shape);
  return OkStatus();
}

Status cpuConstantOfShape(const Node& node, std::span<const HostTensor* const>, std::span<HostTensor> out) {
  GS_ASSIGN_OR_RETURN(HostTensor v, fillValue(opu::where(node), node));
  size_t elem = dtypeSize(v.dtype());
  for (int64_t i = 0; i < out[0].elements(); ++i) std::memcpy(out[0].raw() + size_t(i) * elem, v.raw(), elem);
  return OkStatus();
}

Status inferRange(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 3, 3));
  DType t = ctx.inputs[0]->dtype;
  for (size_t i = 0; i < 3; ++i) {
    if (ctx.inputs[i]->dtype != t || ctx.inputs[i]->elements() != 1)
      return InvalidInput(fmt::format("{}: start, limit and delta must be scalars of one type", ctx.where()));
    if (!ctx.constants[i])
      return InvalidInput(fmt::format("{}: input {} must be a constant after shape binding", ctx.where(), i));
  }
  int64_t n;
  if (isFloat(t)) {
    double start = ctx.constants[0]->getDouble(0), limit = ctx.constants[1]->getDouble(0),
           delta = ctx.constants[2]->getDouble(0);
    if (delta == 0) return InvalidInput(ctx.where() + ": delta is 0");
    n = int64_t(std::max(0.0, std::ceil((limit - start) / delta)));
  } else {
    int64_t start = ctx.constants[0]->getInt(0), limit = ctx.constants[1]->getInt(0),
            delta = ctx.constants[2]->getInt(0);
    if (delta == 0) return InvalidInput(ctx.where() + ": delta is 0");
    int64_t span = limit - start;
    // ceil(span / delta) with integer division rounding toward zero.
    n = span / delta + ((span % delta != 0) && ((span > 0) == (delta > 0)) ? 1 : 0);
    n = std::max<int64_t>(0, n);
  }
  outs = opu::one(t, {n});
  return OkStatus();
}

Status cpuRange(const Node&, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  HostTensor& o = out[0];
  if (o.dtype() == DType::kInt64) {
    int64_t start = in[0]->getInt(0), delta = in[2]->getInt(0);
    for (int64_t i = 0; i < o.elements(); ++i) o.data<int64_t>()[i] = start + i * delta;
  } else {
    double start = in[0]->getDouble(0), delta = in[2]->getDouble(0);
    for (int64_t i = 0; i < o.elements(); ++i) o.setDouble(i, start + double(i) * delta);
  }
  return OkStatus();
}

}  // namespace

void addConstants(OpRegistry& r) {
  r.add({"Constant", inferConstant, cpuConstant});
  r.add({"ConstantOfShape", inferConstantOfShape, cpuConstantOfShape});
  r.add({"Range", inferRange, cpuRange});
}

}  // namespace gpuscope::engine::shape_ops
