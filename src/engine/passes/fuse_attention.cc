// Scaled dot-product attention fusion:
//   MatMul(Q [* c], K^T [* c]) [/ c | * c] [+ mask] [Where causal] -> Softmax(last axis)
//     [-> Where(IsNaN(p), 0, p)] -> MatMul(., V)
// -> gpuscope.Attention (TensorRT/Myelin: one "_gemm_mha_v2" kernel).
// The NaN guard is what torch.onnx writes for SDPA with a mask (HF BERT,
// GPT-2): it only differs from the plain softmax on a row whose every score
// is -inf (0 instead of NaN); the fused node keeps that as "nan_to_zero".
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/ops/fused_ops.h"
#include "engine/passes/pass_util.h"
#include "engine/passes/passes.h"

namespace gpuscope::engine {
namespace {

using namespace pass_util;

constexpr const char* kPass = "AttentionFusion";
constexpr double kMaskedOut = -1e4;  // an additive mask value this low hides the key (exp underflows to 0)

struct Match {
  std::vector<NodeId> nodes;
  ValueId q = kNoValue, k = kNoValue, v = kNoValue, mask = kNoValue;
  double scale = 1.0;
  bool causal = false, k_transposed = true, nan_to_zero = false;
};

// Whether constant `t` of shape [1.., sq, sk] satisfies pred(i, j, value) everywhere.
template <typename Pred>
bool everyEntry(const HostTensor* t, int64_t sq, int64_t sk, Pred pred) {
  if (!t) return false;
  const Shape& s = t->shape();
  if (s.size() < 2 || s[s.size() - 2] != sq || s.back() != sk) return false;
  for (size_t i = 0; i + 2 < s.size(); ++i)
    if (s[i] != 1) return false;
  for (int64_t i = 0; i < sq; ++i)
    for (int64_t j = 0; j < sk; ++j)
      if (!pred(i, j, t->getDouble(i * sk + j))) return false;
  return true;
}

bool isCausalAdditive(const HostTensor* t, int64_t sq, int64_t sk) {
  return everyEntry(t, sq, sk, [](int64_t i, int64_t j, double v) { return j <= i ? v == 0.0 : v <= kMaskedOut; });
}

// x * c or x / c with a scalar constant c: the factor, and x in `operand`.
std::optional<double> scaleFactor(const Graph& graph, const Node& n, ValueId& operand) {
  if (n.inputs.size() != 2 || n.outputs.size() != 1) return std::nullopt;
  if (n.op == "Div") {
    auto c = scalarConstant(graph, n.inputs[1]);
    if (!c || *c == 0) return std::nullopt;
    operand = n.inputs[0];
    return 1.0 / *c;
  }
  if (n.op != "Mul") return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    auto c = scalarConstant(graph, n.inputs[size_t(i)]);
    if (c && !graph.isConstant(n.inputs[size_t(1 - i)])) {
      operand = n.inputs[size_t(1 - i)];
      return *c;
    }
  }
  return std::nullopt;
}

// The live node producing `v` when `v` is read only by `user`.
NodeId chainProducer(const Graph& graph, const Consumers& consumers, ValueId v, NodeId user) {
  if (soleConsumer(graph, consumers, v) != user) return -1;
  return producerOf(graph, v);
}

// Where(IsNaN(p), 0, p) reading softmax output `p` and nothing else reading
// p: {IsNaN node, Where node}, else empty.
std::vector<NodeId> nanGuard(const Graph& graph, const Consumers& consumers, ValueId p) {
  std::vector<NodeId> users;
  for (NodeId c : consumers[size_t(p)])
    if (!graph.nodes[size_t(c)].dead) users.push_back(c);
  if (users.size() != 2 || isGraphOutput(graph, p)) return {};
  NodeId isnan = -1, where = -1;
  for (NodeId c : users) {
    const std::string& op = graph.nodes[size_t(c)].op;
    if (op == "IsNaN") isnan = c;
    if (op == "Where") where = c;
  }
  if (isnan < 0 || where < 0) return {};
  const Node& in = graph.nodes[size_t(isnan)];
  const Node& w = graph.nodes[size_t(where)];
  if (in.outputs.size() != 1 || w.inputs.size() != 3 || w.outputs.size() != 1) return {};
  if (soleConsumer(graph, consumers, in.outputs[0]) != where || w.inputs[0] != in.outputs[0] || w.inputs[2] != p)
    return {};
  auto zero = scalarConstant(graph, w.inputs[1]);
  if (!zero || *zero != 0.0) return {};
  if (graph.values[size_t(w.outputs[0])].desc != graph.values[size_t(p)].desc || isGraphOutput(graph, w.outputs[0]))
    return {};
  return {isnan, where};
}

std::optional<Match> match(const Graph& graph, const Consumers& consumers, NodeId sm) {
  const Node& softmax = graph.nodes[size_t(sm)];
  if (softmax.inputs.size() != 1 || softmax.outputs.size() != 1) return std::nullopt;
  const Shape& ss = graph.values[size_t(softmax.inputs[0])].desc.shape;
  if (ss.size() != 4) return std::nullopt;
  int64_t axis = softmax.attrs.getInt("axis", graph.opset > 0 && graph.opset < 13 ? 1 : -1);
  if (axis != -1 && axis != 3) return std::nullopt;
  Match m;
  ValueId probs = softmax.outputs[0];
  std::vector<NodeId> guard = nanGuard(graph, consumers, probs);
  if (!guard.empty()) probs = graph.nodes[size_t(guard.back())].outputs[0];
  m.nan_to_zero = !guard.empty();
  NodeId pv = soleConsumer(graph, consumers, probs);
  if (pv < 0 || graph.nodes[size_t(pv)].op != "MatMul" || graph.nodes[size_t(pv)].inputs[0] != probs)
    return std::nullopt;
  m.v = graph.nodes[size_t(pv)].inputs[1];
  m.nodes = {sm, pv};
  m.nodes.insert(m.nodes.end(), guard.begin(), guard.end());
  int64_t sq = ss[2], sk = ss[3];

  // Mask ops next to the softmax, each at most once.
  ValueId cur = softmax.inputs[0];
  NodeId user = sm;
  bool saw_add = false, saw_where = false;
  for (;;) {
    NodeId p = chainProducer(graph, consumers, cur, user);
    if (p < 0) return std::nullopt;
    const Node& n = graph.nodes[size_t(p)];
    if (n.op == "Add" && !saw_add && n.inputs.size() == 2) {
      int score = -1;
      for (int i = 0; i < 2 && score < 0; ++i) {
        NodeId q = producerOf(graph, n.inputs[size_t(i)]);
        if (q >= 0 && (graph.nodes[size_t(q)].op == "MatMul" || graph.nodes[size_t(q)].op == "Div" ||
                       graph.nodes[size_t(q)].op == "Mul" || graph.nodes[size_t(q)].op == "Where"))
          score = i;
      }
      if (score < 0) return std::nullopt;
      ValueId mask = n.inputs[size_t(1 - score)];
      if (graph.values[size_t(n.outputs[0])].desc.shape != graph.values[size_t(n.inputs[size_t(score)])].desc.shape)
        return std::nullopt;
      if (isCausalAdditive(graph.constantOf(mask), sq, sk)) m.causal = true;
      else m.mask = mask;
      saw_add = true;
      cur = n.inputs[size_t(score)];
    } else if (n.op == "Where" && !saw_where && n.inputs.size() == 3) {
      // Where(cond, scores, fill) or Where(cond, fill, scores): only a verified causal mask.
      const HostTensor* cond = graph.constantOf(n.inputs[0]);
      auto fill1 = scalarConstant(graph, n.inputs[1]), fill2 = scalarConstant(graph, n.inputs[2]);
      if (fill2 && *fill2 <= kMaskedOut && !fill1 &&
          everyEntry(cond, sq, sk, [](int64_t i, int64_t j, double c) { return (c != 0) == (j <= i); })) {
        cur = n.inputs[1];
      } else if (fill1 && *fill1 <= kMaskedOut && !fill2 &&
                 everyEntry(cond, sq, sk, [](int64_t i, int64_t j, double c) { return (c != 0) == (j > i); })) {
        cur = n.inputs[2];
      } else {
        return std::nullopt;
      }
      if (graph.values[size_t(n.outputs[0])].desc.shape != graph.values[size_t(cur)].desc.shape) return std::nullopt;
      m.causal = true;
      saw_where = true;
    } else {
      break;
    }
    m.nodes.push_back(p);
    user = p;
  }
  // Scale(s), then the QK^T MatMul.
  NodeId qk = -1;
  for (;;) {
    NodeId p = chainProducer(graph, consumers, cur, user);
    if (p < 0) return std::nullopt;
    const Node& n = graph.nodes[size_t(p)];
    m.nodes.push_back(p);
    user = p;
    if (n.op == "MatMul") {
      qk = p;
      break;
    }
    ValueId operand;
    auto f = scaleFactor(graph, n, operand);
    if (!f) return std::nullopt;
    m.scale *= *f;
    cur = operand;
  }
  m.q = graph.nodes[size_t(qk)].inputs[0];
  m.k = graph.nodes[size_t(qk)].inputs[1];
  // Scalings of Q, and scalings / one last-two-dims Transpose of K^T.
  for (NodeId u = qk;;) {
    NodeId p = chainProducer(graph, consumers, m.q, u);
    ValueId operand;
    std::optional<double> f;
    if (p < 0 || !(f = scaleFactor(graph, graph.nodes[size_t(p)], operand))) break;
    m.scale *= *f;
    m.q = operand;
    m.nodes.push_back(p);
    u = p;
  }
  bool peeled_transpose = false;
  for (NodeId u = qk;;) {
    NodeId p = chainProducer(graph, consumers, m.k, u);
    if (p < 0) break;
    const Node& n = graph.nodes[size_t(p)];
    ValueId operand;
    if (auto f = scaleFactor(graph, n, operand)) {
      m.scale *= *f;
      m.k = operand;
    } else if (n.op == "Transpose" && !peeled_transpose &&
               n.attrs.getInts("perm") == std::vector<int64_t>{0, 1, 3, 2}) {
      m.k = n.inputs[0];
      m.k_transposed = false;
      peeled_transpose = true;
    } else {
      break;
    }
    m.nodes.push_back(p);
    u = p;
  }
  // Shapes as gpuscope.Attention needs them, all one float dtype.
  const TensorDesc& qd = graph.values[size_t(m.q)].desc;
  const TensorDesc& kd = graph.values[size_t(m.k)].desc;
  const TensorDesc& vd = graph.values[size_t(m.v)].desc;
  if (qd.shape.size() != 4 || kd.shape.size() != 4 || vd.shape.size() != 4 || !isFloat(qd.dtype) ||
      kd.dtype != qd.dtype || vd.dtype != qd.dtype)
    return std::nullopt;
  int64_t k_d = m.k_transposed ? kd.shape[2] : kd.shape[3], k_s = m.k_transposed ? kd.shape[3] : kd.shape[2];
  if (kd.shape[0] != qd.shape[0] || kd.shape[1] != qd.shape[1] || vd.shape[0] != qd.shape[0] ||
      vd.shape[1] != qd.shape[1] || k_d != qd.shape[3] || k_s != sk || vd.shape[2] != sk || qd.shape[2] != sq)
    return std::nullopt;
  if (m.mask != kNoValue) {
    const TensorDesc& md = graph.values[size_t(m.mask)].desc;
    if (!isFloat(md.dtype) || md.shape.size() > 4) return std::nullopt;
  }
  return m;
}

}  // namespace

Status fuseAttention(Graph& graph, PassLog& log) {
  Consumers consumers = graph.consumers();
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (graph.nodes[i].dead || graph.nodes[i].op != "Softmax") continue;
    auto m = match(graph, consumers, NodeId(i));
    if (!m) continue;
    std::vector<NodeId> nodes = m->nodes;
    std::sort(nodes.begin(), nodes.end());
    NodeId keep = m->nodes[1];  // the PV MatMul: its output stays the result
    log.addf("Running: {} on {}", kPass, graph.nodes[size_t(nodes.front())].name);
    std::vector<std::string> origin;
    for (NodeId n : nodes) {
      Node& node = graph.nodes[size_t(n)];
      origin.insert(origin.end(), node.origin.begin(), node.origin.end());
      if (n == keep) continue;
      log.addf("{}: Fusing {} with {}", kPass, graph.nodes[size_t(keep)].name, node.name);
      log.addf("Removing {}", node.name);
      node.dead = true;
    }
    Node& att = graph.nodes[size_t(keep)];
    att.op = std::string(fused::kAttention);
    att.origin = origin;
    att.name = joinOrigins(origin);
    att.attrs = Attributes();
    att.attrs.set("scale", float(m->scale));
    att.attrs.set("causal", int64_t(m->causal));
    att.attrs.set("k_transposed", int64_t(m->k_transposed));
    if (m->nan_to_zero) att.attrs.set("nan_to_zero", int64_t(1));
    att.inputs = {m->q, m->k, m->v};
    if (m->mask != kNoValue) att.inputs.push_back(m->mask);
    consumers = graph.consumers();
  }
  graph.compact();
  return OkStatus();
}

}  // namespace gpuscope::engine
