// gpuscope.Reformat: a precision conversion between float types inserted by
// the precision pass (TensorRT's "Reformatting CopyNode" layers); ONNX Cast
// semantics (round to nearest even).
#include <fmt/format.h>

#include "engine/ops/fused/fused_defs.h"
#include "engine/ops/fused_ops.h"

namespace gpuscope::engine::fused {
namespace {

StatusOr<DType> targetType(const Attributes& attrs, const std::string& where) {
  int64_t to = attrs.getInt("to", -1);
  std::optional<DType> t = dtypeFromOnnx(int32_t(to));
  if (!t || !isFloat(*t))
    return InvalidInput(fmt::format("{}: attribute 'to' = {} is not a float ONNX type", where, to));
  return *t;
}

Status inferReformat(const InferContext& ctx, std::vector<TensorDesc>& outputs) {
  if (ctx.inputCount() != 1 || !ctx.hasInput(0))
    return InvalidInput(fmt::format("{}: needs exactly one input", ctx.where()));
  if (!isFloat(ctx.inputs[0]->dtype))
    return InvalidInput(fmt::format("{}: input must be float, got {}", ctx.where(), dtypeName(ctx.inputs[0]->dtype)));
  GS_ASSIGN_OR_RETURN(DType to, targetType(ctx.node.attrs, ctx.where()));
  outputs = {TensorDesc{to, ctx.inputs[0]->shape}};
  return OkStatus();
}

Status cpuReformat(const Node& node, std::span<const HostTensor* const> inputs, std::span<HostTensor> outputs) {
  GS_ASSIGN_OR_RETURN(DType to, targetType(node.attrs, fmt::format("node '{}' ({})", node.name, node.op)));
  outputs[0] = inputs[0]->castTo(to);
  return OkStatus();
}

}  // namespace

OpDef reformatOpDef() { return OpDef{kReformat, inferReformat, cpuReformat, true}; }

}  // namespace gpuscope::engine::fused
