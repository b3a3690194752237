// Helpers shared by the pointwise tests: one-node graphs, running a node's
// CPU OpDef, and running a whole graph on the CPU reference ops.
#pragma once

#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/ir/graph.h"
#include "engine/ops/op_def.h"
#include "engine/passes/infer_shapes.h"

namespace gpuscope::engine::pwtest {

inline HostTensor floats(Shape shape, std::vector<float> v, DType t = DType::kFloat32) {
  return HostTensor::fromFloats(t, std::move(shape), v);
}
inline HostTensor ints(Shape shape, std::vector<int64_t> v, DType t = DType::kInt64) {
  return HostTensor::fromInts(t, std::move(shape), v);
}
inline HostTensor randomTensor(DType t, Shape shape, uint32_t seed, float lo = -3, float hi = 3) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  HostTensor out(t, shape);
  for (int64_t i = 0; i < out.elements(); ++i) out.setDouble(i, dist(rng));
  return out;
}

// Infers and runs one node of type `op` on `inputs` (nullptr = omitted).
struct OpRun {
  Status status;
  std::vector<TensorDesc> descs;
  std::vector<HostTensor> outputs;
};
inline OpRun runOp(const std::string& op, std::vector<const HostTensor*> inputs, Attributes attrs = {},
                   size_t n_outputs = 1) {
  OpRun r;
  Graph g;
  Node node;
  node.op = op;
  node.name = op + "_0";
  node.attrs = std::move(attrs);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i]) {
      node.inputs.push_back(kNoValue);
      continue;
    }
    node.inputs.push_back(g.addValue("in" + std::to_string(i), inputs[i]->desc()));
  }
  for (size_t i = 0; i < n_outputs; ++i) node.outputs.push_back(g.addValue("out" + std::to_string(i)));
  NodeId id = g.addNode(node);
  const OpDef* def = OpRegistry::instance().find(op);
  if (!def) {
    r.status = InvalidInput("no OpDef for " + op);
    return r;
  }
  InferContext ctx{g, id, g.nodes[0], {}, {}};
  for (const HostTensor* t : inputs) {
    ctx.inputs.push_back(t ? &t->desc() : nullptr);
    ctx.constants.push_back(t);
  }
  r.status = def->infer(ctx, r.descs);
  if (!r.status.ok()) return r;
  for (const TensorDesc& d : r.descs) r.outputs.emplace_back(d.dtype, d.shape);
  r.status = def->cpu(g.nodes[0], inputs, r.outputs);
  return r;
}

// Runs every live node of `g` on the CPU; returns the graph outputs.
inline StatusOr<std::vector<HostTensor>> runGraph(const Graph& g, const std::map<std::string, HostTensor>& feeds) {
  std::map<ValueId, HostTensor> vals;
  for (ValueId v : g.inputs) vals[v] = feeds.at(g.values[size_t(v)].name);
  GS_ASSIGN_OR_RETURN(std::vector<NodeId> order, g.topologicalOrder());
  for (NodeId n : order) {
    const Node& node = g.nodes[size_t(n)];
    std::vector<const HostTensor*> in;
    for (ValueId v : node.inputs) {
      if (v == kNoValue) in.push_back(nullptr);
      else if (g.isConstant(v)) in.push_back(g.constantOf(v));
      else in.push_back(&vals.at(v));
    }
    GS_ASSIGN_OR_RETURN(std::vector<HostTensor> outs, runNodeOnCpu(g, n, in));
    for (size_t k = 0; k < outs.size(); ++k) vals[node.outputs[k]] = std::move(outs[k]);
  }
  std::vector<HostTensor> out;
  for (ValueId v : g.outputs) out.push_back(g.isConstant(v) ? *g.constantOf(v) : vals.at(v));
  return out;
}

// Adds node `op` reading `inputs` and producing one new value named `out`.
inline ValueId addOp(Graph& g, const std::string& op, const std::string& name, std::vector<ValueId> inputs,
                     Attributes attrs = {}) {
  Node n;
  n.op = op;
  n.name = name;
  n.inputs = std::move(inputs);
  n.attrs = std::move(attrs);
  ValueId out = g.addValue(name + "_out");
  n.outputs = {out};
  g.addNode(std::move(n));
  return out;
}

inline ValueId addScalar(Graph& g, const std::string& name, float v, DType t = DType::kFloat32, Shape shape = {}) {
  HostTensor h(t, shape);
  h.setDouble(0, v);
  return g.addConstant(name, std::move(h));
}

}  // namespace gpuscope::engine::pwtest
