#include "engine/ir/graph.h"

#include <algorithm>

#include <fmt/format.h>

namespace gpuscope::engine {

ValueId Graph::addValue(std::string name, TensorDesc desc) {
  Value v;
  v.name = std::move(name);
  v.desc = std::move(desc);
  v.dim_params.assign(v.desc.shape.size(), "");
  values.push_back(std::move(v));
  return ValueId(values.size() - 1);
}

ValueId Graph::addConstant(std::string name, HostTensor tensor) {
  ValueId id = addValue(std::move(name), tensor.desc());
  values[size_t(id)].constant = std::make_shared<const HostTensor>(std::move(tensor));
  return id;
}

NodeId Graph::addNode(Node node) {
  NodeId id = NodeId(nodes.size());
  for (ValueId out : node.outputs)
    if (out != kNoValue) values[size_t(out)].producer = id;
  if (node.origin.empty()) node.origin.push_back(node.name);
  nodes.push_back(std::move(node));
  return id;
}

ValueId Graph::findValue(const std::string& name) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].name == name) return ValueId(i);
  return kNoValue;
}

std::string Graph::describe(NodeId n) const {
  const Node& node = nodes[size_t(n)];
  return fmt::format("node '{}' ({})", node.name, node.op);
}

int Graph::liveNodeCount() const {
  int n = 0;
  for (const Node& node : nodes) n += node.dead ? 0 : 1;
  return n;
}

StatusOr<std::vector<NodeId>> Graph::topologicalOrder() const {
  // Kahn's algorithm, stable: among ready nodes the earliest in `nodes` first,
  // so an already ordered graph keeps its order.
  std::vector<int> pending(nodes.size(), 0);
  std::vector<std::vector<NodeId>> users(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].dead) continue;
    for (ValueId in : nodes[i].inputs) {
      if (in == kNoValue) continue;
      NodeId p = values[size_t(in)].producer;
      if (p >= 0 && !nodes[size_t(p)].dead) {
        ++pending[i];
        users[size_t(p)].push_back(NodeId(i));
      }
    }
  }
  std::vector<NodeId> order;
  std::vector<NodeId> ready;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (!nodes[i].dead && pending[i] == 0) ready.push_back(NodeId(i));
  // A min-heap keeps "earliest first"; graphs are at most ~10^5 nodes.
  auto cmp = [](NodeId a, NodeId b) { return a > b; };
  std::make_heap(ready.begin(), ready.end(), cmp);
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), cmp);
    NodeId n = ready.back();
    ready.pop_back();
    order.push_back(n);
    for (NodeId u : users[size_t(n)]) {
      if (--pending[size_t(u)] == 0) {
        ready.push_back(u);
        std::push_heap(ready.begin(), ready.end(), cmp);
      }
    }
  }
  if (int(order.size()) != liveNodeCount()) {
    for (size_t i = 0; i < nodes.size(); ++i)
      if (!nodes[i].dead && pending[i] > 0)
        return InvalidInput(fmt::format("graph has a cycle through {}", describe(NodeId(i))));
  }
  return order;
}

std::vector<std::vector<NodeId>> Graph::consumers() const {
  std::vector<std::vector<NodeId>> out(values.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].dead) continue;
    for (ValueId in : nodes[i].inputs)
      if (in != kNoValue) out[size_t(in)].push_back(NodeId(i));
  }
  return out;
}

void Graph::replaceUses(ValueId from, ValueId to) {
  for (Node& node : nodes) {
    if (node.dead) continue;
    for (ValueId& in : node.inputs)
      if (in == from) in = to;
  }
  for (ValueId& out : outputs)
    if (out == from) out = to;
}

void Graph::compact() {
  auto order = topologicalOrder();
  std::vector<NodeId> keep;
  if (order.ok()) {
    keep = *order;
  } else {  // a cycle: keep the live nodes in place; the caller reports it
    for (size_t i = 0; i < nodes.size(); ++i)
      if (!nodes[i].dead) keep.push_back(NodeId(i));
  }
  std::vector<char> used(values.size(), 0);
  for (ValueId v : inputs) used[size_t(v)] = 1;
  for (ValueId v : outputs) used[size_t(v)] = 1;
  for (NodeId n : keep) {
    for (ValueId v : nodes[size_t(n)].inputs)
      if (v != kNoValue) used[size_t(v)] = 1;
    for (ValueId v : nodes[size_t(n)].outputs)
      if (v != kNoValue) used[size_t(v)] = 1;
  }
  std::vector<ValueId> remap(values.size(), kNoValue);
  std::vector<Value> new_values;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!used[i]) continue;
    remap[i] = ValueId(new_values.size());
    new_values.push_back(std::move(values[i]));
  }
  std::vector<Node> new_nodes;
  for (NodeId n : keep) {
    Node node = std::move(nodes[size_t(n)]);
    for (ValueId& v : node.inputs)
      if (v != kNoValue) v = remap[size_t(v)];
    for (ValueId& v : node.outputs)
      if (v != kNoValue) v = remap[size_t(v)];
    new_nodes.push_back(std::move(node));
  }
  for (Value& v : new_values) v.producer = -1;
  for (size_t i = 0; i < new_nodes.size(); ++i)
    for (ValueId v : new_nodes[i].outputs)
      if (v != kNoValue) new_values[size_t(v)].producer = NodeId(i);
  for (ValueId& v : inputs) v = remap[size_t(v)];
  for (ValueId& v : outputs) v = remap[size_t(v)];
  values = std::move(new_values);
  nodes = std::move(new_nodes);
}

}  // namespace gpuscope::engine
