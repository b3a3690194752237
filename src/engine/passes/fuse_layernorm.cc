// LayerNorm pattern fusion: the decomposed form older exporters emit
//   mu = ReduceMean(x); d = x - mu; var = ReduceMean(d^2); n = d / sqrt(var + eps)
//   y = n * scale + bias
// over the last axis -> ONNX LayerNormalization(axis=-1), one kernel instead
// of nine (TensorRT/Myelin: "...MeanSubMulMeanAddSqrtDivMulAdd").
#include <algorithm>

#include <fmt/format.h>

#include "engine/passes/pass_util.h"
#include "engine/passes/passes.h"

namespace gpuscope::engine {
namespace {

using namespace pass_util;

constexpr const char* kPass = "LayerNormFusion";

// Whether ReduceMean node `n` reduces exactly the last axis with keepdims.
bool meanOverLastAxis(const Graph& graph, const Node& n) {
  if (n.op != "ReduceMean" || n.inputs.empty() || n.outputs.size() != 1) return false;
  if (n.attrs.getInt("keepdims", 1) != 1) return false;
  int64_t rank = int64_t(graph.values[size_t(n.inputs[0])].desc.shape.size());
  std::vector<int64_t> axes;
  if (n.inputs.size() > 1 && n.inputs[1] != kNoValue) {
    const HostTensor* t = graph.constantOf(n.inputs[1]);
    if (!t) return false;
    axes = t->toInts();
  } else {
    axes = n.attrs.getInts("axes");
  }
  return axes.size() == 1 && (axes[0] == -1 || axes[0] == rank - 1) && rank >= 1;
}

struct Matcher {
  const Graph& graph;
  const Consumers& consumers;
  std::vector<NodeId> nodes;

  // The node consuming `v` alone with op in `ops`; -1 otherwise.
  NodeId next(ValueId v, std::initializer_list<const char*> ops) {
    NodeId c = soleConsumer(graph, consumers, v);
    if (c < 0) return -1;
    const Node& n = graph.nodes[size_t(c)];
    if (n.outputs.size() != 1) return -1;
    for (const char* op : ops)
      if (n.op == op) {
        nodes.push_back(c);
        return c;
      }
    return -1;
  }
  ValueId out(NodeId n) const { return graph.nodes[size_t(n)].outputs[0]; }
};

// Per-element values of a constant applied along the last axis of width `c`:
// all dims but the last are 1 and the last is c (or the constant is a scalar).
std::optional<std::vector<float>> lastAxisConstant(const Graph& graph, ValueId v, int64_t c, size_t rank) {
  const HostTensor* t = graph.constantOf(v);
  if (!t || !isFloat(t->dtype()) || t->shape().size() > rank) return std::nullopt;
  std::vector<float> f = t->toFloats();
  if (f.size() == 1) return std::vector<float>(size_t(c), f[0]);
  const Shape& s = t->shape();
  for (size_t i = 0; i + 1 < s.size(); ++i)
    if (s[i] != 1) return std::nullopt;
  if (s.empty() || s.back() != c) return std::nullopt;
  return f;
}

bool tryFuse(Graph& graph, const Consumers& consumers, NodeId mean1, PassLog& log) {
  const Node& m1 = graph.nodes[size_t(mean1)];
  if (!meanOverLastAxis(graph, m1)) return false;
  ValueId x = m1.inputs[0];
  const TensorDesc xd = graph.values[size_t(x)].desc;
  if (!isFloat(xd.dtype) || xd.shape.empty()) return false;
  int64_t c = xd.shape.back();
  Matcher mt{graph, consumers, {mean1}};
  NodeId sub = mt.next(mt.out(mean1), {"Sub"});
  if (sub < 0 || graph.nodes[size_t(sub)].inputs[0] != x) return false;
  ValueId d = mt.out(sub);
  // d feeds the square and the division, nothing else.
  if (isGraphOutput(graph, d)) return false;
  std::vector<NodeId> d_users = consumers[size_t(d)];
  std::sort(d_users.begin(), d_users.end());
  d_users.erase(std::unique(d_users.begin(), d_users.end()), d_users.end());
  if (d_users.size() != 2) return false;
  NodeId sq = -1, div = -1;
  for (NodeId u : d_users) {
    const Node& n = graph.nodes[size_t(u)];
    bool square = (n.op == "Pow" && n.inputs.size() == 2 && n.inputs[0] == d && scalarConstant(graph, n.inputs[1]) == 2.0) ||
                  (n.op == "Mul" && n.inputs.size() == 2 && n.inputs[0] == d && n.inputs[1] == d);
    if (square) sq = u;
    else if ((n.op == "Div" && n.inputs.size() == 2 && n.inputs[0] == d) || n.op == "Mul") div = u;
  }
  if (sq < 0 || div < 0) return false;
  mt.nodes.push_back(sq);
  NodeId mean2 = mt.next(mt.out(sq), {"ReduceMean"});
  if (mean2 < 0 || !meanOverLastAxis(graph, graph.nodes[size_t(mean2)])) return false;
  NodeId add_eps = mt.next(mt.out(mean2), {"Add"});
  if (add_eps < 0) return false;
  auto eps = scalarConstant(graph, otherInput(graph.nodes[size_t(add_eps)], mt.out(mean2)));
  if (!eps) return false;
  NodeId sqrt = mt.next(mt.out(add_eps), {"Sqrt"});
  if (sqrt < 0) return false;
  // n = d / s, or n = d * (1 / s).
  const Node& dn = graph.nodes[size_t(div)];
  if (dn.op == "Div") {
    if (dn.inputs[1] != mt.out(sqrt) || soleConsumer(graph, consumers, mt.out(sqrt)) != div) return false;
  } else {
    NodeId recip = mt.next(mt.out(sqrt), {"Reciprocal"});
    if (recip < 0 || otherInput(dn, d) != mt.out(recip) || soleConsumer(graph, consumers, mt.out(recip)) != div)
      return false;
  }
  mt.nodes.push_back(div);
  ValueId y = mt.out(div);
  if (graph.values[size_t(y)].desc != xd) return false;
  std::vector<float> scale(size_t(c), 1.f);
  std::optional<std::vector<float>> bias;
  NodeId mul = soleConsumer(graph, consumers, y);
  if (mul >= 0 && graph.nodes[size_t(mul)].op == "Mul") {
    auto s = lastAxisConstant(graph, otherInput(graph.nodes[size_t(mul)], y), c, xd.shape.size());
    if (s) {
      scale = *s;
      mt.nodes.push_back(mul);
      y = mt.out(mul);
    }
  }
  NodeId add = soleConsumer(graph, consumers, y);
  if (add >= 0 && graph.nodes[size_t(add)].op == "Add") {
    bias = lastAxisConstant(graph, otherInput(graph.nodes[size_t(add)], y), c, xd.shape.size());
    if (bias) {
      mt.nodes.push_back(add);
      y = mt.out(add);
    }
  }
  if (graph.values[size_t(y)].desc != xd) return false;

  // Rewrite: the first ReduceMean becomes the LayerNormalization.
  std::string base = graph.nodes[size_t(mean1)].name;
  ValueId scale_v = graph.addConstant(freshValueName(graph, base + "_ln_scale"), HostTensor::fromFloats(xd.dtype, {c}, scale));
  ValueId bias_v = bias ? graph.addConstant(freshValueName(graph, base + "_ln_bias"), HostTensor::fromFloats(xd.dtype, {c}, *bias))
                        : kNoValue;
  std::sort(mt.nodes.begin() + 1, mt.nodes.end());
  log.addf("Running: {} on {}", kPass, base);
  Node& ln = graph.nodes[size_t(mean1)];
  ln.op = "LayerNormalization";
  ln.attrs = Attributes();
  ln.attrs.set("axis", int64_t(-1));
  ln.attrs.set("epsilon", float(*eps));
  ln.inputs = {x, scale_v};
  if (bias_v != kNoValue) ln.inputs.push_back(bias_v);
  for (size_t i = 1; i < mt.nodes.size(); ++i) absorb(graph, mean1, mt.nodes[i], kPass, log);
  graph.nodes[size_t(mean1)].outputs = {y};
  graph.values[size_t(y)].producer = mean1;
  return true;
}

}  // namespace

Status fuseLayerNorm(Graph& graph, PassLog& log) {
  Consumers consumers = graph.consumers();
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (graph.nodes[i].dead || graph.nodes[i].op != "ReduceMean") continue;
    if (tryFuse(graph, consumers, NodeId(i), log)) consumers = graph.consumers();
  }
  graph.compact();
  return OkStatus();
}

}  // namespace gpuscope::engine
