#include "engine/passes/pass_util.h"

#include <fmt/format.h>

#include <algorithm>

namespace gpuscope::engine::pass_util {

bool isGraphOutput(const Graph& graph, ValueId v) {
  return std::find(graph.outputs.begin(), graph.outputs.end(), v) != graph.outputs.end();
}

bool isGraphInput(const Graph& graph, ValueId v) {
  return std::find(graph.inputs.begin(), graph.inputs.end(), v) != graph.inputs.end();
}

NodeId soleConsumer(const Graph& graph, const Consumers& consumers, ValueId v) {
  if (v == kNoValue || isGraphOutput(graph, v)) return -1;
  const std::vector<NodeId>& users = consumers[size_t(v)];
  if (users.empty()) return -1;
  for (NodeId u : users)
    if (u != users.front()) return -1;
  return users.front();
}

NodeId producerOf(const Graph& graph, ValueId v) {
  if (v == kNoValue) return -1;
  NodeId p = graph.values[size_t(v)].producer;
  if (p < 0 || graph.nodes[size_t(p)].dead) return -1;
  return p;
}

std::optional<double> scalarConstant(const Graph& graph, ValueId v) {
  const HostTensor* t = graph.constantOf(v);
  if (!t || t->elements() != 1) return std::nullopt;
  return t->getDouble(0);
}

ValueId otherInput(const Node& node, ValueId v) {
  if (node.inputs.size() != 2) return kNoValue;
  if (node.inputs[0] == v && node.inputs[1] != v) return node.inputs[1];
  if (node.inputs[1] == v && node.inputs[0] != v) return node.inputs[0];
  return kNoValue;
}

std::string joinOrigins(const std::vector<std::string>& origin) {
  std::string out;
  for (const std::string& o : origin) {
    if (!out.empty()) out += " + ";
    out += o;
  }
  return out;
}

void absorb(Graph& graph, NodeId keep, NodeId absorbed, const std::string& pass, PassLog& log) {
  Node& k = graph.nodes[size_t(keep)];
  Node& a = graph.nodes[size_t(absorbed)];
  log.addf("{}: Fusing {} with {}", pass, k.name, a.name);
  log.addf("Removing {}", a.name);
  k.origin.insert(k.origin.end(), a.origin.begin(), a.origin.end());
  k.name = joinOrigins(k.origin);
  a.dead = true;
}

NodeNames::NodeNames(const Graph& graph) {
  for (const Node& n : graph.nodes)
    if (!n.dead) names_.insert(n.name);
}

std::string NodeNames::unique(const std::string& base) {
  std::string name = base;
  for (int i = 1; names_.count(name); ++i) name = fmt::format("{} [{}]", base, i);
  names_.insert(name);
  return name;
}

std::string freshValueName(const Graph& graph, const std::string& base) {
  if (graph.findValue(base) == kNoValue) return base;
  for (int i = 1;; ++i) {
    std::string name = base + "_" + std::to_string(i);
    if (graph.findValue(name) == kNoValue) return name;
  }
}

}  // namespace gpuscope::engine::pass_util
