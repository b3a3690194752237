// One op = one OpDef: its shape/type inference and its CPU reference
// implementation (ggml's habit: every backend is tested against the CPU
// reference). ONNX ops use their ONNX type name; the engine's fused ops are
// named "gpuscope.<Name>" (see ops/fused_ops.h). CUDA implementations are
// separate (gpu/), keyed by the same name.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/ir/graph.h"

namespace gpuscope::engine {

struct InferContext {
  const Graph& graph;
  NodeId node_id;
  const Node& node;
  // Descriptions of the node's inputs (nullptr for an omitted optional input).
  std::vector<const TensorDesc*> inputs;
  // Constant contents of inputs where known (initializers, folded values),
  // else nullptr: Reshape's shape, Slice's starts, ...
  std::vector<const HostTensor*> constants;

  // "node 'name' (Op)": start of every error message.
  std::string where() const { return graph.describe(node_id); }
  size_t inputCount() const { return inputs.size(); }
  bool hasInput(size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
};

// Fills `outputs` (one per node output). InvalidInput names the node and what
// is wrong (rank, dtype, missing constant) on failure.
using InferFn = Status (*)(const InferContext& ctx, std::vector<TensorDesc>& outputs);
// Computes outputs from inputs on the host. `outputs` arrive allocated with
// the inferred descs. Inputs that are omitted are nullptr.
using CpuFn = Status (*)(const Node& node, std::span<const HostTensor* const> inputs,
                         std::span<HostTensor> outputs);

struct OpDef {
  std::string_view type;
  InferFn infer = nullptr;
  CpuFn cpu = nullptr;
  // Pure functions of their inputs are folded when every input is constant.
  bool foldable = true;
  // The op reads only its inputs' shapes and types, never their bytes
  // (Shape, Size): with static shapes it folds even on activations, which is
  // what turns torch's Shape -> Gather -> Concat -> Reshape chains into constants.
  bool reads_shapes_only = false;
};

class OpRegistry {
 public:
  static const OpRegistry& instance();
  const OpDef* find(std::string_view type) const;
  std::vector<std::string_view> types() const;
  void add(OpDef def);

 private:
  std::vector<OpDef> defs_;
};

// Op groups, each defined in its own folder of ops/ and called once by the
// registry. A new op goes into one of these.
void registerShapeOps(OpRegistry& r);      // ops/shape/: Reshape, Transpose, Concat, Slice, Gather, ...
void registerNnOps(OpRegistry& r);         // ops/nn/: Conv, MatMul, Gemm, pooling, Softmax, LayerNorm, reductions, ...
void registerPointwiseOps(OpRegistry& r);  // ops/pointwise/: unary/binary/ternary elementwise ops
void registerFusedOps(OpRegistry& r);      // ops/fused/: gpuscope.* ops made by the optimizer

}  // namespace gpuscope::engine
