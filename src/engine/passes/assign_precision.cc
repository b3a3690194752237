// Precision assignment for fp16/bf16 engines (TensorRT's --fp16/--bf16):
// weights and other float constants are converted once at build time, casts
// to float now cast to the compute type, activations follow by type inference,
// and fp32 graph inputs/outputs keep their type behind Reformat layers so the
// engine's I/O bindings stay what the ONNX model declares.
#include <cmath>

#include <fmt/format.h>

#include "engine/ops/fused_ops.h"
#include "engine/passes/infer_shapes.h"
#include "engine/passes/pass_util.h"
#include "engine/passes/passes.h"

namespace gpuscope::engine {
namespace {

using namespace pass_util;

constexpr float kHalfMax = 65504.f;

// Inputs ONNX requires to be fp32 whatever the data type (Resize's roi and
// scales, Upsample's scales): they keep fp32.
bool needsFp32(const Node& n, size_t input) {
  if (n.op == "Resize") return input == 1 || input == 2;
  if (n.op == "Upsample") return input == 1;
  return false;
}

// TensorRT's format names in its log lines.
const char* trtTypeName(DType t) {
  switch (t) {
    case DType::kFloat32: return "Float";
    case DType::kFloat16: return "Half";
    case DType::kBFloat16: return "BF16";
    default: return "Other";
  }
}

// `t` in the compute type; values beyond fp16's finite range are clamped
// (counted in `clamped`) rather than becoming infinities.
HostTensor convert(const HostTensor& t, DType compute, int64_t& clamped) {
  if (compute != DType::kFloat16) return t.castTo(compute);
  std::vector<float> f = t.toFloats();
  for (float& v : f) {
    if (std::isfinite(v) && std::fabs(v) > kHalfMax) {
      v = v > 0 ? kHalfMax : -kHalfMax;
      ++clamped;
    }
  }
  return HostTensor::fromFloats(compute, t.shape(), f);
}

Node reformatNode(std::string name, ValueId in, ValueId out, DType to) {
  Node n;
  n.op = std::string(fused::kReformat);
  n.name = std::move(name);
  n.inputs = {in};
  n.outputs = {out};
  n.attrs.set("to", int64_t(dtypeToOnnx(to)));
  return n;
}

}  // namespace

Status assignPrecision(Graph& graph, DType compute, PassLog& log) {
  if (compute == DType::kFloat32) return OkStatus();
  if (compute != DType::kFloat16 && compute != DType::kBFloat16)
    return InvalidInput(fmt::format("precision pass: compute type must be fp32, fp16 or bf16, got {}", dtypeName(compute)));
  std::vector<TensorDesc> output_descs;
  for (ValueId v : graph.outputs) output_descs.push_back(graph.values[size_t(v)].desc);
  Consumers consumers = graph.consumers();
  std::vector<char> keep_fp32(graph.values.size(), 0);
  for (const Node& n : graph.nodes)
    for (size_t i = 0; i < n.inputs.size(); ++i)
      if (!n.dead && n.inputs[i] != kNoValue && needsFp32(n, i)) keep_fp32[size_t(n.inputs[i])] = 1;

  // Constants.
  int converted = 0;
  for (size_t v = 0; v < graph.values.size(); ++v) {
    Value& val = graph.values[v];
    if (!val.constant || val.constant->dtype() != DType::kFloat32 || keep_fp32[v]) continue;
    int64_t clamped = 0;
    val.constant = std::make_shared<const HostTensor>(convert(*val.constant, compute, clamped));
    val.desc = val.constant->desc();
    ++converted;
    if (clamped)
      log.addf("Weights {} has {} values outside the FP16 range; clamped to +-65504", val.name, clamped);
  }
  log.addf("Converted {} constants from Float to {}", converted, trtTypeName(compute));

  // Ops whose attributes fix a float32 output type.
  for (Node& n : graph.nodes) {
    if (n.dead) continue;
    if (n.op == "Cast" && n.attrs.getInt("to", 0) == dtypeToOnnx(DType::kFloat32)) {
      n.attrs.set("to", int64_t(dtypeToOnnx(compute)));
    } else if (n.op == "ConstantOfShape") {
      auto value = n.attrs.getTensor("value");
      if (value && value->dtype() == DType::kFloat32) {
        int64_t clamped = 0;
        n.attrs.set("value", std::make_shared<const HostTensor>(convert(*value, compute, clamped)));
      }
    }
  }

  // fp32 graph inputs: one Reformat each, read by every consumer that
  // computes in the compute type.
  GS_ASSIGN_OR_RETURN(std::vector<NodeId> order, graph.topologicalOrder());
  std::vector<int> position(graph.nodes.size(), 0);
  for (size_t i = 0; i < order.size(); ++i) position[size_t(order[i])] = int(i);
  for (ValueId in : std::vector<ValueId>(graph.inputs)) {
    if (graph.values[size_t(in)].desc.dtype != DType::kFloat32) continue;
    NodeId first = -1;
    size_t slot = 0;
    for (NodeId c : consumers[size_t(in)]) {
      const Node& n = graph.nodes[size_t(c)];
      for (size_t i = 0; i < n.inputs.size(); ++i)
        if (n.inputs[i] == in && !needsFp32(n, i) && (first < 0 || position[size_t(c)] < position[size_t(first)])) {
          first = c;
          slot = i;
        }
    }
    if (first < 0) continue;
    std::string name = fmt::format("Reformatting CopyNode for Input Tensor {} to {}", slot, graph.nodes[size_t(first)].name);
    TensorDesc desc{compute, graph.values[size_t(in)].desc.shape};
    ValueId conv = graph.addValue(freshValueName(graph, graph.values[size_t(in)].name + "_" + std::string(dtypeName(compute))), desc);
    for (NodeId c : consumers[size_t(in)]) {
      Node& n = graph.nodes[size_t(c)];
      for (size_t i = 0; i < n.inputs.size(); ++i)
        if (n.inputs[i] == in && !needsFp32(n, i)) n.inputs[i] = conv;
    }
    log.addf("Adding reformat layer: {} ({}) from Float to {}", name, graph.values[size_t(in)].name, trtTypeName(compute));
    graph.addNode(reformatNode(name, in, conv, compute));
  }
  GS_RETURN_IF_ERROR(inferShapes(graph, InferOptions{.fold_constants = false}));

  // Graph outputs whose type changed: the producer writes a compute-type
  // value, a Reformat converts it back into the declared output.
  for (size_t o = 0; o < graph.outputs.size(); ++o) {
    ValueId out = graph.outputs[o];
    DType declared = output_descs[o].dtype;
    if (graph.values[size_t(out)].desc.dtype == declared) continue;
    NodeId p = producerOf(graph, out);
    if (p < 0) continue;
    size_t slot = 0;
    while (graph.nodes[size_t(p)].outputs[slot] != out) ++slot;
    std::string name = fmt::format("Reformatting CopyNode for Output Tensor {} to {}", slot, graph.nodes[size_t(p)].name);
    TensorDesc desc = graph.values[size_t(out)].desc;
    ValueId mid = graph.addValue(freshValueName(graph, graph.values[size_t(out)].name + "_" + std::string(dtypeName(desc.dtype))), desc);
    graph.nodes[size_t(p)].outputs[slot] = mid;
    graph.values[size_t(mid)].producer = p;
    for (Node& n : graph.nodes) {
      if (n.dead) continue;
      for (ValueId& i : n.inputs)
        if (i == out) i = mid;
    }
    graph.values[size_t(out)].desc.dtype = declared;
    log.addf("Adding reformat layer: {} ({}) from {} to {}", name, graph.values[size_t(out)].name,
             trtTypeName(desc.dtype), trtTypeName(declared));
    graph.addNode(reformatNode(name, mid, out, declared));
  }
  return inferShapes(graph, InferOptions{.fold_constants = false});
}

}  // namespace gpuscope::engine
