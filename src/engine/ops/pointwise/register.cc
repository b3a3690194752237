// OpDefs of the elementwise ONNX ops and of gpuscope.Pointwise. Every one of
// them infers and runs through a pointwise program: a single ONNX op is a
// one-statement program, so the fused and unfused paths share one semantics.
#include <optional>

#include <fmt/format.h>

#include "engine/ops/fused_ops.h"
#include "engine/ops/op_def.h"
#include "engine/ops/pointwise/interpreter.h"
#include "engine/ops/pointwise/program.h"

namespace gpuscope::engine {

namespace {

using pointwise::Program;
using pointwise::Ref;
using pointwise::RefKind;

Status withWhere(const Status& s, const std::string& where) {
  if (s.ok()) return s;
  return Status(s.code(), where + ": " + s.message());
}

// The one-statement program of an ONNX elementwise node; present inputs
// become in0.. in order (omitted optional ones are skipped).
StatusOr<Program> nodeProgram(const Node& node, std::span<const std::optional<DType>> types,
                              const std::string& where) {
  if (node.outputs.size() != 1)
    return InvalidInput(fmt::format("{}: expected 1 output, got {}", where, node.outputs.size()));
  std::vector<Ref> args;
  int k = 0;
  for (const auto& t : types) args.push_back(Ref{RefKind::kInput, t ? k++ : 0});
  Program p;
  GS_ASSIGN_OR_RETURN(Ref r, pointwise::appendNodeStatement(node, types, args, p, where));
  p.outputs.push_back(r);
  return p;
}

Status inferCommon(const Program& p, std::span<const TensorDesc* const> present, const std::string& where,
                   std::vector<TensorDesc>& outputs) {
  std::vector<DType> dtypes;
  std::vector<const Shape*> shapes;
  for (const TensorDesc* d : present) {
    dtypes.push_back(d->dtype);
    shapes.push_back(&d->shape);
  }
  auto types = pointwise::inferProgramTypes(p, dtypes);
  if (!types.ok()) return withWhere(types.status(), where);
  GS_ASSIGN_OR_RETURN(Shape shape, pointwise::broadcastShapes(shapes, where));
  outputs.clear();
  for (DType t : types->outputs) outputs.push_back(TensorDesc{t, shape});
  return OkStatus();
}

Status inferElementwise(const InferContext& ctx, std::vector<TensorDesc>& outputs) {
  std::vector<std::optional<DType>> types;
  std::vector<const TensorDesc*> present;
  for (const TensorDesc* d : ctx.inputs) {
    types.push_back(d ? std::optional<DType>(d->dtype) : std::nullopt);
    if (d) present.push_back(d);
  }
  GS_ASSIGN_OR_RETURN(Program p, nodeProgram(ctx.node, types, ctx.where()));
  return inferCommon(p, present, ctx.where(), outputs);
}

Status cpuElementwise(const Node& node, std::span<const HostTensor* const> inputs, std::span<HostTensor> outputs) {
  std::string where = fmt::format("node '{}' ({})", node.name, node.op);
  std::vector<std::optional<DType>> types;
  std::vector<const HostTensor*> present;
  for (const HostTensor* t : inputs) {
    types.push_back(t ? std::optional<DType>(t->dtype()) : std::nullopt);
    if (t) present.push_back(t);
  }
  GS_ASSIGN_OR_RETURN(Program p, nodeProgram(node, types, where));
  return withWhere(pointwise::runProgram(p, present, outputs), where);
}

StatusOr<Program> pointwiseProgram(const Node& node, const std::string& where) {
  if (!node.attrs.has("program")) return InvalidInput(where + ": no 'program' attribute");
  auto p = pointwise::parseProgram(node.attrs.getString("program"));
  if (!p.ok()) return withWhere(p.status(), where);
  if (p->outputs.size() != node.outputs.size())
    return InvalidInput(fmt::format("{}: program has {} outputs, node has {}", where, p->outputs.size(),
                                    node.outputs.size()));
  return p;
}

Status inferPointwise(const InferContext& ctx, std::vector<TensorDesc>& outputs) {
  GS_ASSIGN_OR_RETURN(Program p, pointwiseProgram(ctx.node, ctx.where()));
  for (size_t i = 0; i < ctx.inputs.size(); ++i)
    if (!ctx.inputs[i]) return InvalidInput(fmt::format("{}: input {} is omitted", ctx.where(), i));
  return inferCommon(p, ctx.inputs, ctx.where(), outputs);
}

Status cpuPointwise(const Node& node, std::span<const HostTensor* const> inputs, std::span<HostTensor> outputs) {
  std::string where = fmt::format("node '{}' ({})", node.name, node.op);
  GS_ASSIGN_OR_RETURN(Program p, pointwiseProgram(node, where));
  return withWhere(pointwise::runProgram(p, inputs, outputs), where);
}

}  // namespace

void registerPointwiseOps(OpRegistry& r) {
  for (const pointwise::OpInfo& op : pointwise::allOps())
    if (op.onnx_op) r.add(OpDef{op.name, inferElementwise, cpuElementwise, true});
  r.add(OpDef{fused::kPointwise, inferPointwise, cpuPointwise, true});
}

}  // namespace gpuscope::engine
