// Strided attention I/O: the copies that cut a qkv projection into heads
// (Reshape -> Transpose -> Slice/Split/Gather -> Squeeze) and the Transpose
// that interleaves the heads again afterwards become (offset, strides) views
// that gpuscope.Attention reads and writes directly (ops/fused_ops.h). Each
// chain is composed exactly, as torch's view() does; when a step is not a
// strided view of the step before, that chain is left as it is.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "engine/ops/fused_ops.h"
#include "engine/passes/pass_util.h"
#include "engine/passes/passes.h"
#include "engine/passes/view_algebra.h"

namespace gpuscope::engine {
namespace {

using namespace pass_util;
using views::View;

constexpr const char* kPass = "AttentionViewFusion";

struct Chain {
  ValueId source = kNoValue;
  std::vector<NodeId> nodes;  // source side first
  View view;                  // of the attention input, in `source`
};

// The longest chain of view steps ending at `x` that composes into strides.
std::optional<Chain> traceBack(const Graph& graph, ValueId x) {
  std::vector<std::pair<NodeId, size_t>> steps;  // (node, output index), x's producer first
  for (ValueId cur = x;;) {
    NodeId p = producerOf(graph, cur);
    if (p < 0) break;
    const Node& n = graph.nodes[size_t(p)];
    if (!views::isChainOp(n.op) || n.inputs.empty() || n.inputs[0] == kNoValue) break;
    size_t oi = size_t(std::find(n.outputs.begin(), n.outputs.end(), cur) - n.outputs.begin());
    steps.emplace_back(p, oi);
    cur = n.inputs[0];
    if (steps.size() > 64) break;  // a view chain is a handful of nodes; anything longer is not ours
  }
  std::reverse(steps.begin(), steps.end());
  for (size_t first = 0; first < steps.size(); ++first) {
    Chain c;
    c.source = graph.nodes[size_t(steps[first].first)].inputs[0];
    const TensorDesc& sd = graph.values[size_t(c.source)].desc;
    if (sd.dtype != graph.values[size_t(x)].desc.dtype || shapeElements(sd.shape) <= 0) continue;
    std::optional<View> v = views::denseView(sd.shape);
    for (size_t i = first; i < steps.size() && v; ++i) {
      if (auto g = views::groupedTransposeView(graph, steps, i, *v)) {
        v = g;
        for (size_t k = i; k < i + 3; ++k) c.nodes.push_back(steps[k].first);
        i += 2;
        continue;
      }
      v = views::stepView(graph, graph.nodes[size_t(steps[i].first)], steps[i].second, *v);
      c.nodes.push_back(steps[i].first);
    }
    if (!v || v->shape.size() != 4) continue;
    c.view = *v;
    return c;
  }
  return std::nullopt;
}

const char* kSlotName[3] = {"q", "k", "v"};

// Rewires attention `a`'s Q/K/V to read through views; true if it changed.
bool viewInputs(Graph& graph, const Consumers& consumers, NodeId a, PassLog& log) {
  std::optional<Chain> chains[3];
  for (size_t s = 0; s < 3; ++s) {
    const Node& att = graph.nodes[size_t(a)];
    if (att.attrs.has(std::string(kSlotName[s]) + "_strides")) continue;  // already a view
    chains[s] = traceBack(graph, att.inputs[s]);
  }
  // Keep only chains whose intermediate values nothing else reads (else the
  // copies stay anyway and nothing is saved); dropping one chain can make a
  // node it shared with another fail, so repeat until stable.
  for (bool changed = true; changed;) {
    changed = false;
    std::set<NodeId> used;
    for (auto& c : chains)
      if (c) used.insert(c->nodes.begin(), c->nodes.end());
    for (size_t s = 0; s < 3 && !changed; ++s) {
      if (!chains[s]) continue;
      for (NodeId n : chains[s]->nodes) {
        bool ok = true;
        for (ValueId o : graph.nodes[size_t(n)].outputs) {
          if (o == kNoValue) continue;
          if (isGraphOutput(graph, o)) ok = false;
          for (NodeId c : consumers[size_t(o)]) {
            if (used.count(c)) continue;
            if (c != a) {
              ok = false;
              continue;
            }
            const Node& att = graph.nodes[size_t(a)];
            for (size_t i = 0; i < att.inputs.size(); ++i)
              if (att.inputs[i] == o && (i >= 3 || !chains[i])) ok = false;
          }
        }
        if (!ok) {
          chains[s].reset();
          changed = true;
          break;
        }
      }
    }
  }
  bool any = false;
  std::set<NodeId> dead;
  for (size_t s = 0; s < 3; ++s) {
    if (!chains[s]) continue;
    Node& att = graph.nodes[size_t(a)];
    const std::string x = kSlotName[s];
    const View& v = chains[s]->view;
    att.attrs.set(x + "_shape", std::vector<int64_t>(v.shape.begin(), v.shape.end()));
    att.attrs.set(x + "_strides", v.strides);
    att.attrs.set(x + "_offset", v.offset);
    att.inputs[s] = chains[s]->source;
    log.addf("{}: {} reads {} as offset {} strides [{}]", kPass, att.name, graph.values[size_t(chains[s]->source)].name,
             v.offset, fmt::join(v.strides, ","));
    dead.insert(chains[s]->nodes.begin(), chains[s]->nodes.end());
    any = true;
  }
  // A chain that stopped early reads from the middle of another chain (K's
  // source may be the permute that Q's and V's chains pass through): the
  // nodes producing a value still read stay, with everything they read.
  std::set<ValueId> needed(graph.nodes[size_t(a)].inputs.begin(), graph.nodes[size_t(a)].inputs.end());
  std::set<NodeId> kept;
  for (bool grew = true; grew;) {
    grew = false;
    for (NodeId n : dead) {
      if (kept.count(n)) continue;
      const Node& node = graph.nodes[size_t(n)];
      bool read = std::any_of(node.outputs.begin(), node.outputs.end(), [&](ValueId o) { return needed.count(o) != 0; });
      if (!read) continue;
      kept.insert(n);
      needed.insert(node.inputs.begin(), node.inputs.end());
      grew = true;
    }
  }
  for (NodeId n : dead) {
    if (kept.count(n)) continue;
    log.addf("Removing {}", graph.nodes[size_t(n)].name);
    graph.nodes[size_t(n)].dead = true;
  }
  return any;
}

// Attention -> Transpose(0,2,1,3) [-> Reshape]: the attention writes
// [B,S,H,D] (or the Reshape's shape, e.g. [B,S,H*D]) itself.
bool viewOutput(Graph& graph, const Consumers& consumers, NodeId a, PassLog& log) {
  Node& att = graph.nodes[size_t(a)];
  if (att.outputs.size() != 1 || att.attrs.has("y_strides") || att.attrs.has("out_shape")) return false;
  const ValueId y = att.outputs[0];
  const Shape ys = graph.values[size_t(y)].desc.shape;
  if (ys.size() != 4) return false;
  NodeId t = soleConsumer(graph, consumers, y);
  if (t < 0) return false;
  const Node& tn = graph.nodes[size_t(t)];
  if (tn.op != "Transpose" || tn.outputs.size() != 1 || tn.inputs[0] != y ||
      tn.attrs.getInts("perm") != std::vector<int64_t>{0, 2, 1, 3})
    return false;
  const int64_t b = ys[0], h = ys[1], s = ys[2], d = ys[3];
  std::vector<NodeId> absorbed = {t};
  ValueId out = tn.outputs[0];
  Shape out_shape{b, s, h, d};
  // The [B,S,H,D] result is written densely, so any Reshape of it (usually
  // to [B,S,H*D], or [B*S,H*D] before a 2-D Gemm) is the same bytes.
  NodeId r = soleConsumer(graph, consumers, out);
  if (r >= 0 && (graph.nodes[size_t(r)].op == "Reshape" || graph.nodes[size_t(r)].op == "Flatten") &&
      graph.nodes[size_t(r)].outputs.size() == 1 && graph.nodes[size_t(r)].inputs[0] == out) {
    const Shape& rs = graph.values[size_t(graph.nodes[size_t(r)].outputs[0])].desc.shape;
    if (shapeElements(rs) == b * s * h * d) {
      absorbed.push_back(r);
      out = graph.nodes[size_t(r)].outputs[0];
      out_shape = rs;
    }
  }
  att.attrs.set("y_strides", std::vector<int64_t>{s * h * d, d, h * d, 1});
  att.attrs.set("out_shape", std::vector<int64_t>(out_shape.begin(), out_shape.end()));
  att.outputs[0] = out;
  graph.values[size_t(out)].producer = a;
  log.addf("{}: {} writes {} as {}", kPass, att.name, graph.values[size_t(out)].name, shapeText(out_shape));
  for (NodeId n : absorbed) {
    log.addf("Removing {}", graph.nodes[size_t(n)].name);
    graph.nodes[size_t(n)].dead = true;
  }
  return true;
}

}  // namespace

Status attentionViews(Graph& graph, PassLog& log) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (graph.nodes[i].dead || graph.nodes[i].op != fused::kAttention || graph.nodes[i].inputs.size() < 3) continue;
    PassLog lines;  // logged after "Running:", which is only written when something changed
    bool touched = false;
    Consumers consumers = graph.consumers();
    if (viewInputs(graph, consumers, NodeId(i), lines)) {
      touched = true;
      consumers = graph.consumers();
    }
    if (viewOutput(graph, consumers, NodeId(i), lines)) touched = true;
    if (!touched) continue;
    log.addf("Running: {} on {}", kPass, graph.nodes[i].name);
    for (const std::string& l : lines.lines()) log.add(l);
  }
  graph.compact();
  return OkStatus();
}

}  // namespace gpuscope::engine
