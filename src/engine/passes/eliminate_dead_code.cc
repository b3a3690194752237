// Dead code removal: Identity, same-type Cast and inference-mode Dropout are
// bypassed, then a backward sweep from the graph outputs keeps only the nodes
// they need (TensorRT's "After dead-layer removal").
#include <fmt/format.h>

#include "engine/passes/pass_util.h"
#include "engine/passes/passes.h"

namespace gpuscope::engine {
namespace {

using namespace pass_util;

// Whether `node` forwards input 0 unchanged to output 0 at inference.
bool isPassThrough(const Graph& graph, const Node& node, const Consumers& consumers) {
  if (node.op == "Identity") return node.inputs.size() == 1 && node.outputs.size() == 1;
  if (node.op == "Cast") {  // a cast to the type the input already has (exporters emit .type(x.dtype))
    if (node.inputs.size() != 1 || node.outputs.size() != 1 || node.inputs[0] == kNoValue) return false;
    auto to = dtypeFromOnnx(int32_t(node.attrs.getInt("to", -1)));
    return to && *to == graph.values[size_t(node.inputs[0])].desc.dtype &&
           graph.values[size_t(node.outputs[0])].desc.dtype == *to;
  }
  if (node.op != "Dropout" || node.inputs.empty() || node.outputs.empty()) return false;
  // The mask output must be unused, and training_mode (input 2) absent or constant false.
  for (size_t i = 1; i < node.outputs.size(); ++i) {
    ValueId m = node.outputs[i];
    if (m != kNoValue && (!consumers[size_t(m)].empty() || isGraphOutput(graph, m))) return false;
  }
  if (node.inputs.size() > 2 && node.inputs[2] != kNoValue) {
    auto training = scalarConstant(graph, node.inputs[2]);
    if (!training || *training != 0) return false;
  }
  return true;
}

// Makes the consumers of `node`'s output read its input; true if removed.
bool bypass(Graph& graph, NodeId n) {
  Node& node = graph.nodes[size_t(n)];
  ValueId in = node.inputs[0], out = node.outputs[0];
  if (in == kNoValue) return false;
  if (!isGraphOutput(graph, out)) {
    node.dead = true;
    graph.replaceUses(out, in);
    return true;
  }
  // The output is a graph output: its name must survive, so the producer of
  // the input writes it directly instead.
  NodeId p = producerOf(graph, in);
  if (p < 0 || isGraphOutput(graph, in) || graph.values[size_t(in)].desc != graph.values[size_t(out)].desc)
    return false;
  node.dead = true;
  for (ValueId& o : graph.nodes[size_t(p)].outputs)
    if (o == in) o = out;
  graph.values[size_t(out)].producer = p;
  graph.replaceUses(in, out);
  return true;
}

}  // namespace

Status eliminateDeadCode(Graph& graph, PassLog& log) {
  Consumers consumers = graph.consumers();
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    Node& node = graph.nodes[i];
    if (node.dead || !isPassThrough(graph, node, consumers)) continue;
    std::string name = node.name;
    if (bypass(graph, NodeId(i))) {
      log.addf("Removing {}", name);
      consumers = graph.consumers();
    }
  }
  // Backward sweep in reverse topological order.
  GS_ASSIGN_OR_RETURN(std::vector<NodeId> order, graph.topologicalOrder());
  std::vector<char> needed(graph.values.size(), 0);
  for (ValueId v : graph.outputs) needed[size_t(v)] = 1;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node& node = graph.nodes[size_t(*it)];
    bool live = false;
    for (ValueId o : node.outputs) live |= o != kNoValue && needed[size_t(o)];
    if (!live) {
      node.dead = true;
      log.addf("Removing {}", node.name);
      continue;
    }
    for (ValueId in : node.inputs)
      if (in != kNoValue) needed[size_t(in)] = 1;
  }
  graph.compact();
  return OkStatus();
}

}  // namespace gpuscope::engine
