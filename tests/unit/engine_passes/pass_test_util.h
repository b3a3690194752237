// Helpers for the optimizer-pass tests: a small graph builder, a CPU
// executor that runs a Graph node by node on the reference ops, and checks
// that an optimized graph computes what the original did.
#pragma once

#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/ir/graph.h"
#include "engine/passes/pass_log.h"

namespace gpuscope::engine::testing {

// Builds graphs in code. Values made by node() get their descs from inferShapes.
class GraphBuilder {
 public:
  explicit GraphBuilder(int64_t opset = 18) { g.opset = opset; }
  ValueId input(const std::string& name, Shape shape, DType dtype = DType::kFloat32);
  // A constant with uniform random values in [lo, hi) (deterministic per name).
  ValueId weight(const std::string& name, Shape shape, float lo = -1.f, float hi = 1.f, DType dtype = DType::kFloat32);
  ValueId constant(const std::string& name, Shape shape, std::vector<float> values, DType dtype = DType::kFloat32);
  ValueId scalar(const std::string& name, float value) { return constant(name, {}, {value}); }
  ValueId ints(const std::string& name, std::vector<int64_t> values);
  // One node with one output named after the node.
  ValueId node(const std::string& op, const std::string& name, std::vector<ValueId> inputs, Attributes attrs = {});
  NodeId lastNode() const { return NodeId(g.nodes.size() - 1); }
  void output(ValueId v) { g.outputs.push_back(v); }
  // Runs inferShapes (folding constants) and returns the graph.
  Graph build();

  Graph g;
};

Attributes attrs(std::initializer_list<std::pair<const char*, AttrValue>> list);

// Random inputs for every graph input (uniform [-1, 1), deterministic).
std::map<std::string, HostTensor> randomInputs(const Graph& graph, uint32_t seed = 7);

// Executes the graph on the CPU reference ops; the graph outputs in order.
StatusOr<std::vector<HostTensor>> runGraph(const Graph& graph, const std::map<std::string, HostTensor>& inputs);

// Expects |a - b| <= abs_tol + rel_tol * |b| elementwise (b: the reference), same shape.
void expectClose(const HostTensor& a, const HostTensor& b, double abs_tol, double rel_tol, const std::string& what);

// Runs both graphs on the same random inputs and compares every output.
void expectSameOutputs(const Graph& optimized, const Graph& reference, double abs_tol, double rel_tol);

// Live nodes' op types and names, in graph order.
std::vector<std::string> opTypes(const Graph& graph);
std::vector<std::string> nodeNames(const Graph& graph);
// The live node with that name, or nullptr.
const Node* findNode(const Graph& graph, const std::string& name);
bool logHas(const PassLog& log, const std::string& line);

}  // namespace gpuscope::engine::testing
