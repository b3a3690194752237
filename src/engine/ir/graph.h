// The engine's IR: a dataflow graph of Values (tensors) and Nodes (ops).
// The ONNX importer fills it; shape inference, constant folding and the
// optimizer passes rewrite it; the builder turns the final graph into a plan
// whose layers are its nodes. Values and nodes live in vectors and refer to
// each other by index; passes mark nodes dead and `compact()` drops them, so
// indices stay valid during a pass.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/ir/attributes.h"
#include "engine/ir/tensor.h"

namespace gpuscope::engine {

using ValueId = int32_t;
using NodeId = int32_t;
inline constexpr ValueId kNoValue = -1;  // an omitted optional input ("" in ONNX)

struct Value {
  std::string name;
  TensorDesc desc;
  // Symbolic names of dims that are -1 (ONNX dim_param), same length as the
  // shape, "" where the dim is fixed. Only meaningful before shape binding.
  std::vector<std::string> dim_params;
  NodeId producer = -1;                      // -1: graph input, initializer or constant
  std::shared_ptr<const HostTensor> constant;  // set for initializers and folded values
};

struct Node {
  std::string op;      // ONNX op type ("Conv") or an engine op ("gpuscope.ConvAct", see ops/)
  std::string name;    // ONNX node name; after fusion the layer name ("a + b", "PWN(a, b)")
  std::vector<ValueId> inputs;   // kNoValue for an omitted optional input
  std::vector<ValueId> outputs;
  Attributes attrs;
  // ONNX node names this node stands for after fusion, in graph order
  // (one entry for an unfused node). Layer info and NVTX report them.
  std::vector<std::string> origin;
  bool dead = false;
};

class Graph {
 public:
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<ValueId> inputs;   // runtime inputs (initializers excluded)
  std::vector<ValueId> outputs;
  int64_t opset = 0;             // default-domain opset of the model
  std::string name;              // ONNX graph name
  std::string producer;          // "pytorch 2.11", ...

  ValueId addValue(std::string name, TensorDesc desc = {});
  ValueId addConstant(std::string name, HostTensor tensor);
  NodeId addNode(Node node);     // sets producer of its outputs
  ValueId findValue(const std::string& name) const;  // kNoValue if absent

  bool isConstant(ValueId v) const { return v != kNoValue && values[size_t(v)].constant != nullptr; }
  const HostTensor* constantOf(ValueId v) const { return isConstant(v) ? values[size_t(v)].constant.get() : nullptr; }

  // Live nodes in an order where every node follows the producers of its
  // inputs; InvalidInput naming a node on a cycle.
  StatusOr<std::vector<NodeId>> topologicalOrder() const;
  // For each value, the live nodes that read it (rebuilt on each call).
  std::vector<std::vector<NodeId>> consumers() const;
  // Replaces every use of `from` (node inputs and graph outputs) with `to`.
  void replaceUses(ValueId from, ValueId to);
  // Drops dead nodes and values nothing refers to; renumbers ids and keeps
  // node order topological.
  void compact();
  // "node 'name' (Op)" for error messages.
  std::string describe(NodeId n) const;
  int liveNodeCount() const;
};

}  // namespace gpuscope::engine
