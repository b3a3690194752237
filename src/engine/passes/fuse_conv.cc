// Convolution epilogue fusion: 2-D Conv + per-channel bias Add + residual Add
// + activation -> gpuscope.Conv (cuDNN's fused conv-bias-add-activation;
// TensorRT's "conv1 + add1 + relu1" layers).
#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "engine/ops/fused_ops.h"
#include "engine/passes/pass_util.h"
#include "engine/passes/passes.h"

namespace gpuscope::engine {
namespace {

using namespace pass_util;

// Explicit pads [begin..., end...] for the conv's auto_pad; nullopt when the
// attribute is unknown.
std::optional<std::vector<int64_t>> resolvePads(const Graph& graph, const Node& conv) {
  const Shape& x = graph.values[size_t(conv.inputs[0])].desc.shape;
  const Shape& w = graph.values[size_t(conv.inputs[1])].desc.shape;
  size_t spatial = x.size() - 2;
  std::string mode = conv.attrs.getString("auto_pad", "NOTSET");
  if (mode == "NOTSET" || mode.empty()) return conv.attrs.getInts("pads", std::vector<int64_t>(2 * spatial, 0));
  std::vector<int64_t> pads(2 * spatial, 0);
  if (mode == "VALID") return pads;
  if (mode != "SAME_UPPER" && mode != "SAME_LOWER") return std::nullopt;
  auto strides = conv.attrs.getInts("strides", std::vector<int64_t>(spatial, 1));
  auto dilations = conv.attrs.getInts("dilations", std::vector<int64_t>(spatial, 1));
  if (strides.size() != spatial || dilations.size() != spatial) return std::nullopt;
  for (size_t d = 0; d < spatial; ++d) {
    int64_t in = x[2 + d], window = (w[2 + d] - 1) * dilations[d] + 1;
    int64_t out = (in + strides[d] - 1) / strides[d];
    int64_t total = std::max<int64_t>(0, (out - 1) * strides[d] + window - in);
    int64_t small = total / 2, large = total - small;  // the extra pad goes at the end for SAME_UPPER
    pads[d] = mode == "SAME_UPPER" ? small : large;
    pads[spatial + d] = mode == "SAME_UPPER" ? large : small;
  }
  return pads;
}

// A constant that, added to an [N,M,H,W] tensor, adds one value per channel:
// rank <= 4 and every dim 1 except (optionally) the channel dim.
std::optional<std::vector<float>> perChannelBias(const Graph& graph, ValueId v, int64_t m) {
  const HostTensor* t = graph.constantOf(v);
  if (!t || !isFloat(t->dtype()) || t->shape().size() > 4) return std::nullopt;
  const Shape& s = t->shape();
  for (size_t i = 0; i < s.size(); ++i) {
    bool channel = i + 4 - s.size() == 1;
    if (s[i] != 1 && !(channel && s[i] == m)) return std::nullopt;
  }
  std::vector<float> f = t->toFloats();
  if (f.size() == 1) f.assign(size_t(m), f[0]);
  return f;
}

struct ActivationMatch {
  std::string name;
  float clip_min = -INFINITY, clip_max = INFINITY;
};

std::optional<ActivationMatch> matchActivation(const Graph& graph, const Node& n) {
  if (n.op == "Relu" || n.op == "Sigmoid" || n.op == "Tanh") return ActivationMatch{n.op};
  if (n.op != "Clip") return std::nullopt;
  ActivationMatch a{"Clip"};
  if (graph.opset > 0 && graph.opset < 11) {  // bounds as attributes
    a.clip_min = n.attrs.getFloat("min", -INFINITY);
    a.clip_max = n.attrs.getFloat("max", INFINITY);
    return a;
  }
  for (size_t i = 1; i < n.inputs.size() && i < 3; ++i) {
    if (n.inputs[i] == kNoValue) continue;
    auto v = scalarConstant(graph, n.inputs[i]);
    if (!v) return std::nullopt;  // bounds computed at run time: not an epilogue
    (i == 1 ? a.clip_min : a.clip_max) = float(*v);
  }
  return a;
}

bool fuseOne(Graph& graph, NodeId c, PassLog& log) {
  Node& conv0 = graph.nodes[size_t(c)];
  if (conv0.inputs.size() < 2 || conv0.inputs[0] == kNoValue || conv0.inputs[1] == kNoValue) return false;
  const TensorDesc xd = graph.values[size_t(conv0.inputs[0])].desc;  // copies: addConstant grows values
  const TensorDesc wd = graph.values[size_t(conv0.inputs[1])].desc;
  if (xd.shape.size() != 4 || wd.shape.size() != 4 || !isFloat(xd.dtype)) return false;
  auto pads = resolvePads(graph, conv0);
  if (!pads) return false;
  int64_t m = wd.shape[0];
  ValueId bias = conv0.inputs.size() > 2 ? conv0.inputs[2] : kNoValue;
  ValueId residual = kNoValue;
  std::optional<ActivationMatch> act;
  ValueId cur = conv0.outputs[0];
  const Shape out_shape = graph.values[size_t(cur)].desc.shape;

  Node& conv = graph.nodes[size_t(c)];
  conv.op = std::string(fused::kConv);
  conv.attrs.erase("auto_pad");
  conv.attrs.erase("kernel_shape");
  conv.attrs.set("pads", *pads);
  Consumers consumers = graph.consumers();
  while (!act) {
    NodeId next = soleConsumer(graph, consumers, cur);
    if (next < 0) break;
    const Node& n = graph.nodes[size_t(next)];
    ValueId out = n.outputs.empty() ? kNoValue : n.outputs[0];
    if (out == kNoValue || n.outputs.size() != 1) break;
    if (n.op == "Add") {
      ValueId other = otherInput(n, cur);
      if (other == kNoValue || graph.values[size_t(out)].desc.shape != out_shape) break;
      auto per_channel = perChannelBias(graph, other, m);
      if (per_channel && (bias == kNoValue || graph.isConstant(bias))) {
        std::vector<float> b = bias == kNoValue ? std::vector<float>(size_t(m), 0.f) : graph.constantOf(bias)->toFloats();
        for (int64_t i = 0; i < m; ++i) b[size_t(i)] += (*per_channel)[size_t(i)];
        DType bt = bias == kNoValue ? wd.dtype : graph.constantOf(bias)->dtype();
        bias = graph.addConstant(freshValueName(graph, graph.nodes[size_t(next)].name + "_bias"),
                                 HostTensor::fromFloats(bt, {m}, b));
        log.addf("Running: ConvBiasFusion on {}", graph.nodes[size_t(c)].name);
        absorb(graph, c, next, "ConvBiasFusion", log);
      } else if (!per_channel && residual == kNoValue && graph.values[size_t(other)].desc.shape == out_shape &&
                 graph.values[size_t(other)].desc.dtype == xd.dtype) {
        residual = other;
        log.addf("Running: ConvEltwiseSumFusion on {}", graph.nodes[size_t(c)].name);
        absorb(graph, c, next, "ConvEltwiseSumFusion", log);
      } else {
        break;
      }
    } else if (auto a = matchActivation(graph, n)) {
      act = a;
      const char* pass = a->name == "Relu" ? "ConvReluFusion" : "ConvActivationFusion";
      log.addf("Running: {} on {}", pass, graph.nodes[size_t(c)].name);
      absorb(graph, c, next, pass, log);
    } else {
      break;
    }
    cur = out;
  }
  Node& fused = graph.nodes[size_t(c)];
  fused.inputs.resize(2);
  if (bias != kNoValue || residual != kNoValue) fused.inputs.push_back(bias);
  if (residual != kNoValue) fused.inputs.push_back(residual);
  if (act) {
    fused.attrs.set("activation", act->name);
    if (act->name == "Clip") {
      fused.attrs.set("clip_min", act->clip_min);
      fused.attrs.set("clip_max", act->clip_max);
    }
  }
  fused.outputs[0] = cur;
  graph.values[size_t(cur)].producer = c;
  return true;
}

}  // namespace

Status fuseConv(Graph& graph, PassLog& log) {
  size_t n = graph.nodes.size();
  for (size_t i = 0; i < n; ++i)
    if (!graph.nodes[i].dead && graph.nodes[i].op == "Conv") fuseOne(graph, NodeId(i), log);
  graph.compact();
  return OkStatus();
}

}  // namespace gpuscope::engine
