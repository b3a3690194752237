// Helpers shared by the hand-written GPU layers of gpu/nn/ and gpu/shape/:
// reading a node's tensor descriptions and constant inputs at construction,
// a base class for layers with a single implementation, and the device-side
// dtype codes the kernels switch on. Plain C++ (no nvcc needed).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/gpu/gpu_layer.h"
#include "engine/ir/graph.h"

namespace gpuscope::engine::gpu {

// What a layer factory needs to know about its node, gathered once.
struct NodeView {
  const Graph& graph;
  NodeId id;
  const Node& node;
  std::string where;  // "node 'name' (Op)"

  NodeView(const Graph& g, NodeId n) : graph(g), id(n), node(g.nodes[size_t(n)]), where(g.describe(n)) {}

  size_t inputCount() const { return node.inputs.size(); }
  bool hasInput(size_t i) const { return i < node.inputs.size() && node.inputs[i] != kNoValue; }
  bool hasOutput(size_t i) const { return i < node.outputs.size() && node.outputs[i] != kNoValue; }
  const TensorDesc& in(size_t i) const { return graph.values[size_t(node.inputs[i])].desc; }
  const TensorDesc& out(size_t i) const { return graph.values[size_t(node.outputs[i])].desc; }
  const HostTensor* constant(size_t i) const { return hasInput(i) ? graph.constantOf(node.inputs[i]) : nullptr; }
  const Attributes& attrs() const { return node.attrs; }

  Status invalid(std::string_view what) const { return InvalidInput(where + ": " + std::string(what)); }
  // InvalidInput unless input i exists.
  Status requireInput(size_t i, std::string_view role) const;
  // InvalidInput unless input/output i is fp32/fp16/bf16 (shapes must be known).
  Status requireFloat(const TensorDesc& d, std::string_view role) const;
  Status requireKnown(const TensorDesc& d, std::string_view role) const;
  // Integer contents of a constant input (axes, starts, pads...); InvalidInput
  // when the input is present but not a constant.
  StatusOr<std::vector<int64_t>> constInts(size_t i, std::string_view role) const;
};

// ONNX negative axis -> [0, rank); InvalidInput when out of range.
StatusOr<int64_t> normalizeAxis(const NodeView& v, int64_t axis, int64_t rank);

// Element strides of `in` broadcast numpy-style (right-aligned) to `out`,
// 0 along broadcast dims; InvalidInput when not broadcastable.
StatusOr<std::vector<int64_t>> broadcastStrides(const NodeView& v, const Shape& in, const Shape& out);

// Layer with exactly one implementation (the hand-written kernels).
class SingleTacticLayer : public GpuLayer {
 public:
  SingleTacticLayer(std::string where, std::string tactic_name, std::string_view layer_type,
                    std::string_view parameter_type);
  std::vector<Tactic> tactics() const override { return {Tactic{tactic_id_, tactic_name_}}; }
  Status select(uint64_t tactic_id) override;
  std::string_view layerType() const override { return layer_type_; }
  std::string_view parameterType() const override { return parameter_type_; }

 protected:
  std::string where_;

 private:
  std::string tactic_name_;
  uint64_t tactic_id_;
  std::string_view layer_type_, parameter_type_;
};

// Stable tactic id for a kernel name (FNV-1a), so timing caches keyed by id
// survive rebuilds.
uint64_t tacticIdOf(std::string_view name);

// Returns `layer` as the factory result type.
template <typename L>
StatusOr<std::unique_ptr<GpuLayer>> wrap(std::unique_ptr<L> layer) {
  return StatusOr<std::unique_ptr<GpuLayer>>(std::unique_ptr<GpuLayer>(std::move(layer)));
}

}  // namespace gpuscope::engine::gpu
