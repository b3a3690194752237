// BatchNorm folding: inference-mode BatchNormalization right after a Conv is
// an affine map per output channel, folded into the Conv's weights and bias
// (TensorRT turns BN into a Scale layer and fuses it: ConvScaleFusion).
#include <cmath>

#include <fmt/format.h>

#include "engine/passes/pass_util.h"
#include "engine/passes/passes.h"

namespace gpuscope::engine {
namespace {

using namespace pass_util;

constexpr const char* kPass = "ConvScaleFusion";

// Folds BN node `b` into its producer Conv if every condition holds.
bool tryFold(Graph& graph, const Consumers& consumers, NodeId b, PassLog& log) {
  const Node& bn = graph.nodes[size_t(b)];
  if (bn.inputs.size() != 5 || bn.attrs.getInt("training_mode", 0) != 0) return false;
  for (size_t i = 1; i < bn.outputs.size(); ++i)  // running mean/var outputs (training) must be unused
    if (bn.outputs[i] != kNoValue && (!consumers[size_t(bn.outputs[i])].empty() || isGraphOutput(graph, bn.outputs[i])))
      return false;
  ValueId x = bn.inputs[0];
  NodeId c = producerOf(graph, x);
  if (c < 0 || graph.nodes[size_t(c)].op != "Conv" || soleConsumer(graph, consumers, x) != b) return false;
  const Node& conv = graph.nodes[size_t(c)];
  if (conv.inputs.size() < 2 || !graph.isConstant(conv.inputs[1])) return false;
  ValueId conv_b = conv.inputs.size() > 2 ? conv.inputs[2] : kNoValue;
  if (conv_b != kNoValue && !graph.isConstant(conv_b)) return false;
  const HostTensor& w = *graph.constantOf(conv.inputs[1]);
  if (!isFloat(w.dtype()) || w.shape().empty()) return false;
  int64_t m = w.shape()[0];
  const HostTensor* p[4];
  for (int i = 0; i < 4; ++i) {
    p[i] = graph.constantOf(bn.inputs[size_t(i + 1)]);
    if (!p[i] || p[i]->elements() != m) return false;
  }
  if (conv_b != kNoValue && graph.constantOf(conv_b)->elements() != m) return false;

  double eps = bn.attrs.getFloat("epsilon", 1e-5f);
  std::vector<float> gamma = p[0]->toFloats(), beta = p[1]->toFloats(), mean = p[2]->toFloats(),
                     var = p[3]->toFloats();
  std::vector<float> bias = conv_b != kNoValue ? graph.constantOf(conv_b)->toFloats() : std::vector<float>(size_t(m), 0.f);
  std::vector<float> wf = w.toFloats();
  int64_t per = m ? w.elements() / m : 0;
  std::vector<float> new_b(static_cast<size_t>(m), 0.f);
  for (int64_t o = 0; o < m; ++o) {
    float s = float(gamma[size_t(o)] / std::sqrt(double(var[size_t(o)]) + eps));
    for (int64_t j = 0; j < per; ++j) wf[size_t(o * per + j)] *= s;
    new_b[size_t(o)] = (bias[size_t(o)] - mean[size_t(o)]) * s + beta[size_t(o)];
  }
  // Bias in W's dtype too: the conv computes in one type.
  std::string wname = graph.values[size_t(conv.inputs[1])].name;
  ValueId nw = graph.addConstant(freshValueName(graph, wname + "_bnfold"), HostTensor::fromFloats(w.dtype(), w.shape(), wf));
  ValueId nb = graph.addConstant(freshValueName(graph, graph.nodes[size_t(c)].name + "_bnfold_bias"),
                                 HostTensor::fromFloats(w.dtype(), {m}, new_b));
  Node& cv = graph.nodes[size_t(c)];  // re-fetch: addConstant does not touch nodes, but keep it obvious
  log.addf("Running: {} on {}", kPass, cv.name);
  cv.inputs.resize(3);
  cv.inputs[1] = nw;
  cv.inputs[2] = nb;
  ValueId y = graph.nodes[size_t(b)].outputs[0];
  cv.outputs[0] = y;
  graph.values[size_t(y)].producer = c;
  absorb(graph, c, b, kPass, log);
  return true;
}

}  // namespace

Status foldBatchNorm(Graph& graph, PassLog& log) {
  Consumers consumers = graph.consumers();
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (graph.nodes[i].dead || graph.nodes[i].op != "BatchNormalization") continue;
    if (tryFold(graph, consumers, NodeId(i), log)) consumers = graph.consumers();
  }
  graph.compact();
  return OkStatus();
}

}  // namespace gpuscope::engine
