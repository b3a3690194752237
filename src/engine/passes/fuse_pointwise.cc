#include "engine/passes/fuse_pointwise.h"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "engine/ops/fused_ops.h"
#include "engine/ops/pointwise/program.h"

namespace gpuscope::engine {

namespace {

using pointwise::Program;
using pointwise::Ref;
using pointwise::RefKind;

bool kernelType(DType t) { return t != DType::kFloat64; }
bool floatType(DType t) { return t == DType::kFloat32 || t == DType::kFloat16 || t == DType::kBFloat16; }

bool fusable(const Graph& g, const Node& node) {
  if (node.dead || node.outputs.size() != 1 || node.outputs[0] == kNoValue) return false;
  if (!pointwise::isElementwiseOp(node.op)) return false;
  const TensorDesc& out = g.values[size_t(node.outputs[0])].desc;
  if (!shapeKnown(out.shape) || !kernelType(out.dtype)) return false;
  for (ValueId in : node.inputs) {
    if (in == kNoValue) continue;
    const TensorDesc& d = g.values[size_t(in)].desc;
    if (!shapeKnown(d.shape) || !kernelType(d.dtype)) return false;
  }
  if (node.op == "Cast") {
    if (node.inputs.empty() || node.inputs[0] == kNoValue) return false;
    return floatType(g.values[size_t(node.inputs[0])].desc.dtype) && floatType(out.dtype);
  }
  return true;
}

std::string memberName(const Node& n, NodeId id) { return n.name.empty() ? fmt::format("{}_{}", n.op, id) : n.name; }

// Builds and inserts the Pointwise node of one group (members in topological
// order, the last one the root). Returns false when the group cannot be
// expressed (its inputs do not broadcast to the root's shape).
StatusOr<bool> replaceGroup(Graph& g, const std::vector<NodeId>& members, PassLog* log) {
  NodeId root = members.back();
  ValueId root_out = g.nodes[size_t(root)].outputs[0];
  const Shape shape = g.values[size_t(root_out)].desc.shape;
  std::map<ValueId, NodeId> produced;
  for (NodeId m : members) produced[g.nodes[size_t(m)].outputs[0]] = m;

  // External values in order of first use; one-element constants are
  // literals unless the remaining inputs would then not span the shape.
  std::vector<ValueId> externals;
  for (NodeId m : members)
    for (ValueId in : g.nodes[size_t(m)].inputs)
      if (in != kNoValue && !produced.count(in) && std::find(externals.begin(), externals.end(), in) == externals.end())
        externals.push_back(in);
  std::map<ValueId, bool> literal;
  for (ValueId v : externals) {
    const HostTensor* c = g.constantOf(v);
    literal[v] = c != nullptr && c->elements() == 1;
  }
  auto spans = [&]() -> bool {
    std::vector<const Shape*> shapes;
    for (ValueId v : externals)
      if (!literal[v]) shapes.push_back(&g.values[size_t(v)].desc.shape);
    auto b = pointwise::broadcastShapes(shapes, "");
    return b.ok() && *b == shape;
  };
  while (!spans()) {  // give back the highest-rank literal as an input
    ValueId best = kNoValue;
    for (ValueId v : externals)
      if (literal[v] && (best == kNoValue || g.values[size_t(v)].desc.shape.size() > g.values[size_t(best)].desc.shape.size()))
        best = v;
    if (best == kNoValue) return false;
    literal[best] = false;
  }

  int n_inputs = 0;
  for (ValueId v : externals) n_inputs += literal[v] ? 0 : 1;
  if (n_inputs > pointwise::kMaxProgramInputs) return false;

  Program program;
  std::map<ValueId, Ref> refs;
  std::vector<ValueId> inputs;
  for (ValueId v : externals) {
    if (literal[v]) {
      refs[v] = pointwise::addLiteral(program, pointwise::literalFromTensor(*g.constantOf(v)));
    } else {
      refs[v] = Ref{RefKind::kInput, int(inputs.size())};
      inputs.push_back(v);
    }
  }
  std::vector<std::string> names, origin;
  for (NodeId m : members) {
    const Node& node = g.nodes[size_t(m)];
    std::vector<std::optional<DType>> types;
    std::vector<Ref> args;
    for (ValueId in : node.inputs) {
      types.push_back(in == kNoValue ? std::nullopt : std::optional<DType>(g.values[size_t(in)].desc.dtype));
      args.push_back(in == kNoValue ? Ref{} : refs.at(in));
    }
    GS_ASSIGN_OR_RETURN(Ref r, pointwise::appendNodeStatement(node, types, args, program, g.describe(m)));
    refs[node.outputs[0]] = r;
    names.push_back(memberName(node, m));
    for (const std::string& o : node.origin) origin.push_back(o);
    if (node.origin.empty()) origin.push_back(node.name);
  }
  program.outputs.push_back(refs.at(root_out));
  std::vector<DType> in_types;
  for (ValueId v : inputs) in_types.push_back(g.values[size_t(v)].desc.dtype);
  auto types = pointwise::inferProgramTypes(program, in_types);
  if (!types.ok() || types->outputs[0] != g.values[size_t(root_out)].desc.dtype) return false;

  Node fused;
  fused.op = std::string(fused::kPointwise);
  std::string joined;
  for (const std::string& n : names) joined += (joined.empty() ? "" : ", ") + n;
  fused.name = "PWN(" + joined + ")";
  fused.inputs = inputs;
  fused.outputs = {root_out};
  fused.attrs.set("program", pointwise::printProgram(program));
  fused.origin = origin;
  if (log) {
    for (size_t i = 1; i < names.size(); ++i) log->addf("PointWiseFusion: Fusing {} with {}", names[0], names[i]);
    log->addf("Swap the layer type of {} from ELEMENTWISE to POINTWISE", fused.name);
  }
  for (NodeId m : members) g.nodes[size_t(m)].dead = true;
  g.addNode(std::move(fused));
  return true;
}

}  // namespace

Status fusePointwise(Graph& graph, PassLog* log) {
  GS_ASSIGN_OR_RETURN(std::vector<NodeId> order, graph.topologicalOrder());
  std::vector<std::vector<NodeId>> consumers = graph.consumers();
  std::vector<char> is_output(graph.values.size(), 0);
  for (ValueId v : graph.outputs) is_output[size_t(v)] = 1;
  std::vector<int> group(graph.nodes.size(), -1);
  std::vector<Shape> group_shape;
  // Walk consumers before producers: a node joins its consumers' group when
  // every reader of its output is in that one group (so the value becomes
  // internal) and the shapes agree; otherwise it roots a new group. A member
  // other than the root has no reader outside, so no path can leave the
  // group and come back: the fused graph stays acyclic.
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    NodeId n = *it;
    const Node& node = graph.nodes[size_t(n)];
    if (!fusable(graph, node)) continue;
    ValueId out = node.outputs[0];
    const Shape& shape = graph.values[size_t(out)].desc.shape;
    int join = -1;
    const auto& readers = consumers[size_t(out)];
    if (!is_output[size_t(out)] && !readers.empty()) {
      join = group[size_t(readers[0])];
      for (NodeId r : readers)
        if (group[size_t(r)] != join) join = -1;
      if (join >= 0 && group_shape[size_t(join)] != shape) join = -1;
    }
    if (join < 0) {
      join = int(group_shape.size());
      group_shape.push_back(shape);
    }
    group[size_t(n)] = join;
  }
  std::vector<std::vector<NodeId>> members(group_shape.size());
  for (NodeId n : order)
    if (group[size_t(n)] >= 0) members[size_t(group[size_t(n)])].push_back(n);
  bool changed = false;
  for (const auto& m : members) {
    GS_ASSIGN_OR_RETURN(bool done, replaceGroup(graph, m, log));
    changed |= done;
  }
  if (changed) graph.compact();
  return OkStatus();
}

}  // namespace gpuscope::engine
