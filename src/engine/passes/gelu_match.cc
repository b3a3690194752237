#include "engine/passes/gelu_match.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace gpuscope::engine::pass_util {
namespace {

constexpr size_t kMaxNodes = 12;

bool elementwise(const std::string& op) {
  static const std::set<std::string> ops = {"Add", "Sub", "Mul", "Div", "Pow", "Erf", "Tanh", "Sqrt"};
  return ops.count(op) != 0;
}

double geluErf(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }
double geluTanh(double x) {
  return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
}

// Evaluates `nodes` (topologically ordered) at x = `xv`; nullopt if an input
// is neither x, a subgraph value nor a scalar constant.
std::optional<double> evaluate(const Graph& graph, const std::vector<NodeId>& nodes, ValueId x, ValueId out, double xv) {
  std::map<ValueId, double> vals{{x, xv}};
  for (NodeId n : nodes) {
    const Node& node = graph.nodes[size_t(n)];
    double in[2] = {0, 0};
    if (node.inputs.empty() || node.inputs.size() > 2) return std::nullopt;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      auto it = vals.find(node.inputs[i]);
      if (it != vals.end()) {
        in[i] = it->second;
      } else if (auto c = scalarConstant(graph, node.inputs[i])) {
        in[i] = *c;
      } else {
        return std::nullopt;
      }
    }
    double r;
    const std::string& op = node.op;
    if (op == "Add") r = in[0] + in[1];
    else if (op == "Sub") r = in[0] - in[1];
    else if (op == "Mul") r = in[0] * in[1];
    else if (op == "Div") r = in[0] / in[1];
    else if (op == "Pow") r = std::pow(in[0], in[1]);
    else if (op == "Erf") r = std::erf(in[0]);
    else if (op == "Tanh") r = std::tanh(in[0]);
    else if (op == "Sqrt") r = std::sqrt(in[0]);
    else return std::nullopt;
    vals[node.outputs[0]] = r;
  }
  auto it = vals.find(out);
  if (it == vals.end()) return std::nullopt;
  return it->second;
}

bool matches(const Graph& graph, const std::vector<NodeId>& nodes, ValueId x, ValueId out, double (*f)(double)) {
  static const double kSamples[] = {-5, -3.1, -2, -1.3, -0.7, -0.2, 0, 0.1, 0.5, 1, 1.7, 2, 2.6, 4};
  for (double s : kSamples) {
    auto y = evaluate(graph, nodes, x, out, s);
    double ref = f(s);
    if (!y || !(std::fabs(*y - ref) <= 1e-5 * std::max(1.0, std::fabs(ref)))) return false;
  }
  return true;
}

}  // namespace

std::optional<GeluMatch> matchGelu(const Graph& graph, const Consumers& consumers, ValueId x) {
  if (x == kNoValue || isGraphOutput(graph, x)) return std::nullopt;
  // Forward closure from x: elementwise nodes whose inputs are all x,
  // closure values or scalar constants. Added in topological order.
  std::vector<NodeId> order;
  std::set<ValueId> known{x};
  std::vector<ValueId> frontier{x};
  while (!frontier.empty() && order.size() < kMaxNodes) {
    ValueId v = frontier.back();
    frontier.pop_back();
    for (NodeId c : consumers[size_t(v)]) {
      if (std::find(order.begin(), order.end(), c) != order.end()) continue;
      const Node& n = graph.nodes[size_t(c)];
      if (!elementwise(n.op) || n.outputs.size() != 1 || n.outputs[0] == kNoValue) continue;
      bool ready = true;
      for (ValueId in : n.inputs) ready &= known.count(in) != 0 || scalarConstant(graph, in).has_value();
      if (!ready || order.size() >= kMaxNodes) continue;
      order.push_back(c);
      known.insert(n.outputs[0]);
      frontier.push_back(n.outputs[0]);
    }
  }
  const TensorDesc& xd = graph.values[size_t(x)].desc;
  for (NodeId end : order) {
    ValueId out = graph.nodes[size_t(end)].outputs[0];
    if (graph.values[size_t(out)].desc != xd) continue;
    // The nodes `out` needs, in closure order.
    std::set<ValueId> need{out};
    std::vector<NodeId> sub;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      const Node& n = graph.nodes[size_t(*it)];
      if (!need.count(n.outputs[0])) continue;
      sub.insert(sub.begin(), *it);
      for (ValueId in : n.inputs) need.insert(in);
    }
    auto inSub = [&](NodeId n) { return std::find(sub.begin(), sub.end(), n) != sub.end(); };
    bool closed = true;
    for (NodeId c : consumers[size_t(x)]) closed &= inSub(c);
    bool has_erf = false, has_tanh = false;
    for (NodeId n : sub) {
      const Node& node = graph.nodes[size_t(n)];
      has_erf |= node.op == "Erf";
      has_tanh |= node.op == "Tanh";
      ValueId v = node.outputs[0];
      if (v == out) continue;
      if (isGraphOutput(graph, v)) closed = false;
      for (NodeId c : consumers[size_t(v)]) closed &= inSub(c);
    }
    if (!closed) continue;
    std::string act;
    if (has_erf && !has_tanh && matches(graph, sub, x, out, geluErf)) act = "Gelu";
    else if (has_tanh && !has_erf && matches(graph, sub, x, out, geluTanh)) act = "GeluTanh";
    if (act.empty()) continue;
    std::sort(sub.begin(), sub.end());
    return GeluMatch{act, sub, out};
  }
  return std::nullopt;
}

}  // namespace gpuscope::engine::pass_util
