// Dropout at inference: Y = X; the optional mask output is all true. A
// training_mode input that is constant true is rejected (the engine only
// runs inference and a random mask would not be reproducible).
#include <cstring>

#include <fmt/format.h>

#include "engine/ops/nn/nn_ops.h"
#include "engine/ops/shape/op_util.h"

namespace gpuscope::engine::nn_ops {
namespace {

Status inferDropout(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 3));
  if (ctx.hasInput(2)) {
    if (!ctx.constants[2])
      return InvalidInput(ctx.where() + ": training_mode input must be a constant");
    if (ctx.constants[2]->elements() != 1 || ctx.constants[2]->getInt(0) != 0)
      return InvalidInput(ctx.where() + ": training_mode = true is not supported (inference engine)");
  }
  if (ctx.node.outputs.size() > 2) return InvalidInput(ctx.where() + ": has more than 2 outputs");
  outs = {*ctx.inputs[0]};
  if (ctx.node.outputs.size() == 2) outs.push_back({DType::kBool, ctx.inputs[0]->shape});
  return OkStatus();
}

Status cpuDropout(const Node&, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  std::memcpy(out[0].raw(), in[0]->raw(), in[0]->byteSize());
  if (out.size() > 1) std::memset(out[1].raw(), 1, out[1].byteSize());
  return OkStatus();
}

}  // namespace

void addDropout(OpRegistry& r) { r.add({"Dropout", inferDropout, cpuDropout}); }

}  // namespace gpuscope::engine::nn_ops
