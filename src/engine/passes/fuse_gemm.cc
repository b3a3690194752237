// GEMM epilogue fusion: MatMul / ONNX Gemm + bias + Relu / GELU ->
// gpuscope.Gemm (cuBLASLt's BIAS, RELU_BIAS, GELU_BIAS epilogues), or + bias
// + residual Add -> gpuscope.Gemm with the residual as cuBLASLt's C (beta 1),
// TensorRT's "MatMul + Add + Add" layers: the GEMM output is written once
// instead of written, read back and written again by a pointwise layer.
#include <fmt/format.h>

#include "engine/ops/fused_ops.h"
#include "engine/passes/gelu_match.h"
#include "engine/passes/pass_util.h"
#include "engine/passes/passes.h"

namespace gpuscope::engine {
namespace {

using namespace pass_util;

// N values along the last axis of a constant whose other dims are 1 and whose
// rank does not exceed `out_rank` (so adding it does not broadcast the output).
std::optional<std::vector<float>> columnBias(const Graph& graph, ValueId v, int64_t n, size_t out_rank) {
  const HostTensor* t = graph.constantOf(v);
  if (!t || !isFloat(t->dtype()) || t->shape().empty() || t->shape().size() > out_rank) return std::nullopt;
  const Shape& s = t->shape();
  for (size_t i = 0; i + 1 < s.size(); ++i)
    if (s[i] != 1) return std::nullopt;
  if (s.back() != n) return std::nullopt;
  return t->toFloats();
}

// Absorbs `add` (the sole reader of `in`, the Gemm's output or, when
// `reshape` >= 0, that Reshape's view of it) into the gpuscope.Gemm `g` when
// its other operand R has exactly `in`'s shape and dtype: no broadcast, so R
// is laid out like the GEMM's D and can be cuBLASLt's C with beta = 1. Behind
// a Reshape (GPT-2's addmm -> view -> + residual) the Add commutes with the
// view: the Gemm adds R viewed in its own output shape (a new Reshape, free)
// and the existing Reshape then reads the sum. Returns the Add's output, or
// kNoValue when the Add does not fit.
ValueId fuseResidual(Graph& graph, NodeId g, NodeId add, ValueId in, NodeId reshape, ValueId gemm_out, PassLog& log) {
  const Node& an = graph.nodes[size_t(add)];
  if (an.op != "Add" || an.outputs.size() != 1) return kNoValue;
  if (reshape >= 0 && (graph.nodes[size_t(reshape)].inputs.empty() || graph.nodes[size_t(reshape)].inputs[0] != gemm_out))
    return kNoValue;
  ValueId other = otherInput(an, in);
  ValueId out = an.outputs[0];
  if (other == kNoValue || out == kNoValue) return kNoValue;
  // Copies: addConstant/addValue below grow graph.values.
  const TensorDesc id = graph.values[size_t(in)].desc;
  const TensorDesc rd = graph.values[size_t(other)].desc;
  const TensorDesc od = graph.values[size_t(out)].desc;
  const std::string add_name = an.name;  // addNode below grows graph.nodes
  if (rd.shape != id.shape || od.shape != id.shape || rd.dtype != id.dtype || od.dtype != id.dtype) return kNoValue;
  ValueId residual = other;
  if (reshape >= 0) {
    // A 0 in Reshape's shape means "copy the input dim" (allowzero=0): an
    // empty tensor's shape would not say what it means.
    const TensorDesc gd = graph.values[size_t(gemm_out)].desc;
    if (gd.elements() != id.elements() || gd.elements() == 0) return kNoValue;
    std::string view_name = NodeNames(graph).unique(add_name + "_residual_view");
    ValueId shape = graph.addConstant(freshValueName(graph, view_name + "_shape"),
                                      HostTensor::fromInts(DType::kInt64, {int64_t(gd.shape.size())}, gd.shape));
    residual = graph.addValue(freshValueName(graph, graph.values[size_t(other)].name + "_gemm_view"),
                              TensorDesc{rd.dtype, gd.shape});
    Node view;
    view.op = "Reshape";
    view.name = view_name;
    view.origin = {view_name};
    view.inputs = {other, shape};
    view.outputs = {residual};
    graph.addNode(std::move(view));
    log.addf("Adding view layer: {} ({} as {})", view_name, graph.values[size_t(other)].name, shapeText(gd.shape));
  }
  log.addf("Running: GemmEltwiseSumFusion on {}", graph.nodes[size_t(g)].name);
  absorb(graph, g, add, "GemmEltwiseSumFusion", log);
  Node& gn = graph.nodes[size_t(g)];
  if (gn.inputs.size() < 3) gn.inputs.resize(3, kNoValue);
  gn.inputs.resize(4, kNoValue);
  gn.inputs[3] = residual;
  return out;
}

// Extends the gpuscope.Gemm node `g` over a following bias Add and then an
// activation or a residual Add.
void fuseEpilogue(Graph& graph, NodeId g, PassLog& log) {
  ValueId cur = graph.nodes[size_t(g)].outputs[0];
  const TensorDesc out_desc = graph.values[size_t(cur)].desc;
  int64_t n = out_desc.shape.back();
  Consumers consumers = graph.consumers();
  bool has_bias = graph.nodes[size_t(g)].inputs.size() > 2 && graph.nodes[size_t(g)].inputs[2] != kNoValue;
  NodeId next = soleConsumer(graph, consumers, cur);
  if (!has_bias && next >= 0 && graph.nodes[size_t(next)].op == "Add") {
    const Node& add = graph.nodes[size_t(next)];
    ValueId other = otherInput(add, cur);
    auto b = other == kNoValue ? std::nullopt : columnBias(graph, other, n, out_desc.shape.size());
    if (b && add.outputs.size() == 1 && graph.values[size_t(add.outputs[0])].desc.shape == out_desc.shape) {
      DType bt = graph.constantOf(other)->dtype();
      ValueId bias = graph.addConstant(freshValueName(graph, graph.values[size_t(other)].name + "_bias"),
                                       HostTensor::fromFloats(bt, {n}, *b));
      log.addf("Running: GemmBiasFusion on {}", graph.nodes[size_t(g)].name);
      cur = graph.nodes[size_t(next)].outputs[0];
      absorb(graph, g, next, "GemmBiasFusion", log);
      Node& gn = graph.nodes[size_t(g)];
      if (gn.inputs.size() < 3) gn.inputs.resize(3, kNoValue);  // keeps a residual at [3]
      gn.inputs[2] = bias;
      next = soleConsumer(graph, consumers, cur);
    }
  }
  // An activation after a Reshape (GPT-2's addmm -> view -> GELU) still
  // fuses: elementwise ops commute with the Reshape, which then reads the
  // activated GEMM output and writes the activation's result.
  NodeId reshape = -1;
  ValueId act_in = cur;
  if (next >= 0 && graph.nodes[size_t(next)].op == "Reshape" && graph.nodes[size_t(next)].outputs.size() == 1) {
    reshape = next;
    act_in = graph.nodes[size_t(next)].outputs[0];
    next = soleConsumer(graph, consumers, act_in);
  }
  ValueId act_out = kNoValue;
  if (next >= 0 && graph.nodes[size_t(next)].op == "Relu") {
    log.addf("Running: GemmReluFusion on {}", graph.nodes[size_t(g)].name);
    act_out = graph.nodes[size_t(next)].outputs[0];
    absorb(graph, g, next, "GemmReluFusion", log);
    graph.nodes[size_t(g)].attrs.set("activation", std::string("Relu"));
  } else if (auto gelu = matchGelu(graph, consumers, act_in)) {
    log.addf("Running: GemmGeluFusion on {}", graph.nodes[size_t(g)].name);
    for (NodeId a : gelu->nodes) absorb(graph, g, a, "GemmGeluFusion", log);
    act_out = gelu->output;
    graph.nodes[size_t(g)].attrs.set("activation", gelu->activation);
  }
  // act(x) + r is not act(x + r): a residual Add fuses only without an
  // activation (and only one: a Gemm whose ONNX C became the residual has it).
  const bool has_residual = graph.nodes[size_t(g)].inputs.size() > 3 && graph.nodes[size_t(g)].inputs[3] != kNoValue;
  if (act_out == kNoValue && !has_residual && next >= 0) act_out = fuseResidual(graph, g, next, act_in, reshape, cur, log);
  if (act_out != kNoValue && reshape >= 0) {
    graph.nodes[size_t(reshape)].outputs[0] = act_out;
    graph.values[size_t(act_out)].producer = reshape;
  } else if (act_out != kNoValue) {
    cur = act_out;
  }
  graph.nodes[size_t(g)].outputs[0] = cur;
  graph.values[size_t(cur)].producer = g;
}

bool convertMatMul(Graph& graph, NodeId m) {
  Node& node = graph.nodes[size_t(m)];
  if (node.inputs.size() != 2 || node.outputs.size() != 1) return false;
  const TensorDesc& a = graph.values[size_t(node.inputs[0])].desc;
  const TensorDesc& b = graph.values[size_t(node.inputs[1])].desc;
  if (a.shape.size() < 2 || b.shape.size() < 2 || !isFloat(a.dtype) || !isFloat(b.dtype)) return false;
  node.op = std::string(fused::kGemm);
  node.attrs = Attributes();
  node.attrs.set("trans_b", int64_t(0));
  node.attrs.set("alpha", 1.0f);
  return true;
}

// ONNX Gemm(A, B, C; alpha, beta, transA=0, transB) -> gpuscope.Gemm; C rides
// as the bias when it is one value per column, as the residual when it has
// exactly the output's shape and type, else beta*C is added after.
bool convertGemm(Graph& graph, NodeId g, PassLog& log) {
  const Node& node = graph.nodes[size_t(g)];
  if (node.attrs.getInt("transA", 0) != 0 || node.inputs.size() < 2 || node.outputs.size() != 1) return false;
  ValueId a = node.inputs[0], b = node.inputs[1], c = node.inputs.size() > 2 ? node.inputs[2] : kNoValue;
  if (graph.values[size_t(a)].desc.shape.size() != 2 || !isFloat(graph.values[size_t(a)].desc.dtype)) return false;
  float alpha = node.attrs.getFloat("alpha", 1.f), beta = node.attrs.getFloat("beta", 1.f);
  int64_t trans_b = node.attrs.getInt("transB", 0);
  ValueId out = node.outputs[0];
  const TensorDesc od = graph.values[size_t(out)].desc;
  int64_t n = od.shape.back();
  ValueId bias = kNoValue, add_c = kNoValue;
  if (c != kNoValue) {
    const TensorDesc& cd = graph.values[size_t(c)].desc;
    const HostTensor* ct = graph.constantOf(c);
    bool per_column = cd.shape == Shape{n} || cd.shape == Shape{1, n} || cd.elements() == 1;
    if (ct && per_column) {
      std::vector<float> f = ct->toFloats();
      if (f.size() == 1) f.assign(size_t(n), f[0]);
      for (float& v : f) v *= beta;
      bias = graph.addConstant(freshValueName(graph, graph.values[size_t(c)].name + "_bias"),
                               HostTensor::fromFloats(ct->dtype(), {n}, f));
    } else if (!ct && cd.shape == Shape{n} && beta == 1.f) {
      bias = c;
    } else if (ct) {
      std::vector<float> f = ct->toFloats();
      for (float& v : f) v *= beta;
      add_c = graph.addConstant(freshValueName(graph, graph.values[size_t(c)].name + "_scaled"),
                                HostTensor::fromFloats(ct->dtype(), ct->shape(), f));
    } else if (beta == 1.f) {
      add_c = c;
    } else {
      return false;  // beta * C at run time: leave the ONNX Gemm as it is
    }
  }
  Node& gn = graph.nodes[size_t(g)];
  std::string name = gn.name;
  log.addf("Running: GemmToMatMulTransform on {}", name);
  gn.op = std::string(fused::kGemm);
  gn.attrs = Attributes();
  gn.attrs.set("trans_b", trans_b);
  gn.attrs.set("alpha", alpha);
  gn.inputs = {a, b};
  if (bias != kNoValue) gn.inputs.push_back(bias);
  if (add_c != kNoValue && graph.values[size_t(add_c)].desc.shape == od.shape &&
      graph.values[size_t(add_c)].desc.dtype == od.dtype) {
    // Y = alpha*A@B + beta*C is the residual form itself: C is cuBLASLt's C.
    gn.inputs.resize(3, kNoValue);
    gn.inputs.push_back(add_c);
    add_c = kNoValue;
  }
  if (add_c != kNoValue) {
    ValueId mid = graph.addValue(freshValueName(graph, graph.values[size_t(out)].name + "_gemm"), od);
    graph.nodes[size_t(g)].outputs[0] = mid;
    graph.values[size_t(mid)].producer = g;
    Node add;
    add.op = "Add";
    add.name = name + "_add_C";
    add.origin = {name};
    add.inputs = {mid, add_c};
    add.outputs = {out};
    graph.addNode(std::move(add));
  }
  return true;
}

}  // namespace

Status fuseGemm(Graph& graph, PassLog& log) {
  size_t count = graph.nodes.size();
  for (size_t i = 0; i < count; ++i) {
    const Node& node = graph.nodes[i];
    if (node.dead) continue;
    bool converted = false;
    if (node.op == "MatMul") converted = convertMatMul(graph, NodeId(i));
    else if (node.op == "Gemm") converted = convertGemm(graph, NodeId(i), log);
    if (!converted) continue;
    // A Gemm whose C went into an Add keeps that Add as its consumer: no
    // epilogue past it. One whose C is the residual takes a bias and an
    // activation after it: act(A@B + C + bias) is what follows in the graph.
    const Node& g = graph.nodes[i];
    ValueId out = g.outputs[0];
    NodeId p = graph.values[size_t(out)].producer;
    if (p == NodeId(i)) fuseEpilogue(graph, NodeId(i), log);
  }
  graph.compact();
  return OkStatus();
}

}  // namespace gpuscope::engine
