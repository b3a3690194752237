// Cast (attribute `to`, an ONNX type number) and CastLike (type of input 1),
// between every DType pair. Float -> int truncates toward zero (C semantics,
// as onnxruntime); anything -> bool is "!= 0"; bool -> number is 0/1.
#include <cstring>

#include <fmt/format.h>

#include "engine/ops/shape/op_util.h"
#include "engine/ops/shape/shape_ops.h"

namespace gpuscope::engine::shape_ops {
namespace {

void writeInt(HostTensor& o, int64_t i, int64_t v) {
  switch (o.dtype()) {
    case DType::kInt64: o.data<int64_t>()[i] = v; break;
    case DType::kInt32: o.data<int32_t>()[i] = int32_t(v); break;
    case DType::kInt8: o.data<int8_t>()[i] = int8_t(v); break;
    case DType::kUInt8: o.data<uint8_t>()[i] = uint8_t(v); break;
    case DType::kBool: o.data<uint8_t>()[i] = v != 0 ? 1 : 0; break;
    default: o.setDouble(i, double(v)); break;
  }
}

void castInto(const HostTensor& x, HostTensor& o) {
  DType from = x.dtype(), to = o.dtype();
  int64_t n = x.elements();
  if (from == to) {
    std::memcpy(o.raw(), x.raw(), x.byteSize());
  } else if (!isFloat(from)) {
    for (int64_t i = 0; i < n; ++i) writeInt(o, i, x.getInt(i));
  } else if (to == DType::kFloat32) {
    std::vector<float> v = x.toFloats();
    std::memcpy(o.raw(), v.data(), v.size() * 4);
  } else if (isFloat(to)) {
    if (from == DType::kFloat64) {
      // fp64 -> fp16/bf16 through float rounds twice; acceptable for a reference
      // (weights are never stored as fp64 by torch.onnx).
      for (int64_t i = 0; i < n; ++i) o.setDouble(i, x.getDouble(i));
    } else {
      std::vector<float> v = x.toFloats();
      opu::storeFloats(o, v);
    }
  } else if (to == DType::kBool) {
    for (int64_t i = 0; i < n; ++i) o.data<uint8_t>()[i] = x.getDouble(i) != 0 ? 1 : 0;
  } else {
    for (int64_t i = 0; i < n; ++i) writeInt(o, i, int64_t(x.getDouble(i)));
  }
}

Status inferCast(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 1));
  if (!ctx.node.attrs.has("to")) return InvalidInput(ctx.where() + ": attribute 'to' is required");
  int64_t to = ctx.node.attrs.getInt("to", 0);
  std::optional<DType> t = dtypeFromOnnx(int32_t(to));
  if (!t) return InvalidInput(fmt::format("{}: cast to ONNX type {} is not supported", ctx.where(), to));
  outs = opu::one(*t, ctx.inputs[0]->shape);
  return OkStatus();
}

Status inferCastLike(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 2, 2));
  outs = opu::one(ctx.inputs[1]->dtype, ctx.inputs[0]->shape);
  return OkStatus();
}

Status cpuCast(const Node&, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  castInto(*in[0], out[0]);
  return OkStatus();
}

}  // namespace

void addCast(OpRegistry& r) {
  r.add({"Cast", inferCast, cpuCast});
  r.add({"CastLike", inferCastLike, cpuCast});
}

}  // namespace gpuscope::engine::shape_ops
