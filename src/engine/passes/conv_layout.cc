// Channels-last layout for fp16/bf16 convolution regions (TensorRT picks
// NHWC "channel-major" formats for half-precision tensor-core convolutions;
// cuDNN's NCHW half kernels are several times slower). One forward sweep in
// topological order decides each value's layout:
//  - every 2-D gpuscope.Conv with a constant weight goes NHWC: X and the
//    residual Z are read in NHWC, W is transposed once to [M, kH, kW, C/g];
//  - ops that do not care about the layout follow their inputs: elementwise
//    ops whose non-scalar inputs are all NHWC (constants are transposed),
//    MaxPool / AveragePool / GlobalAveragePool / GlobalMaxPool (attribute
//    layout = "NHWC"), Reduce* over rank-4 (axes rewritten), and a Transpose
//    reading an NHWC value absorbs the conversion into its perm;
//  - anything else reading an NHWC value gets its NCHW form from one
//    Transpose per value (a Reshape, which is a free view, where only size-1
//    dims move, e.g. the [N, 1, 1, C] result of global pooling), and an NHWC
//    value needed by a conv from an NCHW producer gets one Transpose.
// So conversions appear only at region boundaries; a value's conversion is
// shared by all its readers and an existing inverse Transpose is reused.
#include <map>
#include <set>

#include <fmt/format.h>

#include "engine/ops/fused_ops.h"
#include "engine/ops/shape/op_util.h"
#include "engine/passes/infer_shapes.h"
#include "engine/passes/pass_util.h"
#include "engine/passes/passes.h"

namespace gpuscope::engine {
namespace {

using namespace pass_util;

const std::vector<int64_t> kToNhwc = {0, 2, 3, 1};
const std::vector<int64_t> kToNchw = {0, 3, 1, 2};

// Elementwise ops with numpy broadcasting over all inputs: their result does
// not depend on the memory order as long as every input uses the same one.
bool isElementwise(const std::string& op) {
  static const std::set<std::string> kOps = {
      "Relu",    "LeakyRelu", "PRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh",  "Clip", "Elu",
      "Selu",    "Celu",      "Gelu",  "Mish",    "Softplus",    "Softsign",  "Erf",   "Exp",  "Log",
      "Sqrt",    "Reciprocal", "Neg",  "Abs",     "Add",         "Sub",       "Mul",   "Div",  "Pow",
      "Max",     "Min",       "Sum",   "Mean",    "Cast",        "Floor",     "Ceil",  "Round", "Sign",
      std::string(fused::kReformat)};
  return kOps.count(op) != 0;
}

bool isReduce(const std::string& op) {
  static const std::set<std::string> kOps = {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
                                             "ReduceL1",  "ReduceL2",   "ReduceSumSquare", "ReduceLogSumExp"};
  return kOps.count(op) != 0;
}

bool isRank4(const Value& v) { return v.desc.shape.size() == 4; }

class LayoutPass {
 public:
  LayoutPass(Graph& graph, PassLog& log) : g_(graph), log_(log), names_(graph) {
    nhwc_.assign(g_.values.size(), 0);
  }

  Status run() {
    GS_ASSIGN_OR_RETURN(std::vector<NodeId> order, g_.topologicalOrder());
    for (NodeId id : order) GS_RETURN_IF_ERROR(visit(id));
    GS_RETURN_IF_ERROR(fixGraphOutputs());
    log_.addf("Layout: {} convolutions and {} layout-agnostic layers run in NHWC; {} reformats, {} views inserted",
              convs_, followers_, transposes_, views_);
    g_.compact();
    return OkStatus();
  }

 private:
  bool isNhwc(ValueId v) const { return v != kNoValue && size_t(v) < nhwc_.size() && nhwc_[size_t(v)]; }
  void markNhwc(ValueId v) {
    if (size_t(v) >= nhwc_.size()) nhwc_.resize(g_.values.size(), 0);
    nhwc_[size_t(v)] = 1;
  }
  ValueId addValue(const std::string& base, TensorDesc desc) {
    ValueId v = g_.addValue(freshValueName(g_, base), std::move(desc));
    nhwc_.resize(g_.values.size(), 0);
    return v;
  }
  ValueId addConstant(const std::string& base, HostTensor t) {
    ValueId v = g_.addConstant(freshValueName(g_, base), std::move(t));
    nhwc_.resize(g_.values.size(), 0);
    return v;
  }
  ValueId ints(const std::string& base, const std::vector<int64_t>& values) {
    HostTensor t(DType::kInt64, Shape{int64_t(values.size())});
    for (size_t i = 0; i < values.size(); ++i) t.data<int64_t>()[i] = values[i];
    return addConstant(base, std::move(t));
  }

  // A node permuting `in` by `perm` into a new value: a Reshape view when
  // only dims of size 1 change places (same bytes), else a Transpose layer.
  ValueId permute(ValueId in, const std::vector<int64_t>& perm, const std::string& layer_name,
                  const std::string& suffix) {
    const TensorDesc desc = g_.values[size_t(in)].desc;
    Shape shape = opu::permuteShape(desc.shape, perm);
    ValueId out = addValue(g_.values[size_t(in)].name + suffix, TensorDesc{desc.dtype, shape});
    Node n;
    n.name = names_.unique(layer_name);
    n.origin = {n.name};
    n.outputs = {out};
    // The bytes stay in place when the dims larger than 1 keep their order.
    bool only_ones_move = true;
    int64_t last = -1;
    for (int64_t p : perm) {
      int64_t d = desc.shape[size_t(p)];
      if (d <= 0) only_ones_move = false;  // unknown or empty: no Reshape with 0 dims
      if (d > 1) {
        if (p < last) only_ones_move = false;
        last = p;
      }
    }
    if (only_ones_move) {
      n.op = "Reshape";
      n.inputs = {in, ints(g_.values[size_t(in)].name + suffix + "_shape", shape)};
      ++views_;
    } else {
      n.op = "Transpose";
      n.inputs = {in};
      n.attrs.set("perm", perm);
      ++transposes_;
    }
    log_.addf("Adding {}: {} ({}) from {} to {}", n.op == "Reshape" ? "reformat view (no copy)" : "reformat layer", n.name,
              g_.values[size_t(in)].name, perm == kToNhwc ? "NCHW" : "NHWC", perm == kToNhwc ? "NHWC" : "NCHW");
    g_.addNode(std::move(n));
    return out;
  }

  // `node`'s input `slot` in NHWC (the value must be rank 4).
  ValueId asNhwc(NodeId node, size_t slot) {
    ValueId v = g_.nodes[size_t(node)].inputs[slot];
    if (isNhwc(v)) return v;
    if (auto it = to_nhwc_.find(v); it != to_nhwc_.end()) return it->second;
    ValueId r;
    if (const HostTensor* c = g_.constantOf(v)) {
      r = addConstant(g_.values[size_t(v)].name + "_nhwc", opu::transposed(*c, kToNhwc));
    } else if (NodeId p = producerOf(g_, v);
               p >= 0 && g_.nodes[size_t(p)].op == "Transpose" && g_.nodes[size_t(p)].attrs.getInts("perm") == kToNchw &&
               !isNhwc(g_.nodes[size_t(p)].inputs[0])) {
      r = g_.nodes[size_t(p)].inputs[0];  // the model's own NHWC tensor before its Transpose
    } else {
      r = permute(v, kToNhwc,
                  fmt::format("Reformatting CopyNode for Input Tensor {} to {}", slot, g_.nodes[size_t(node)].name),
                  "_nhwc");
    }
    to_nhwc_[v] = r;
    return r;
  }

  // `node`'s NHWC input `slot` in the NCHW layout its reader expects.
  ValueId asNchw(NodeId node, size_t slot) {
    ValueId v = g_.nodes[size_t(node)].inputs[slot];
    if (auto it = to_nchw_.find(v); it != to_nchw_.end()) return it->second;
    // Before a graph output's precision reformat the two conversions make
    // one TensorRT reformat; the transpose takes that name (made unique).
    const Node& reader = g_.nodes[size_t(node)];
    std::string name = reader.op == fused::kReformat && reader.name.starts_with("Reformatting CopyNode for ")
                           ? reader.name
                           : fmt::format("Reformatting CopyNode for Input Tensor {} to {}", slot, reader.name);
    ValueId r = permute(v, kToNchw, name, "_nchw");
    to_nchw_[v] = r;
    return r;
  }

  // The output (rank 4) of a node that now computes in NHWC.
  void outputToNhwc(ValueId out) {
    Value& v = g_.values[size_t(out)];
    v.desc.shape = opu::permuteShape(v.desc.shape, kToNhwc);
    markNhwc(out);
  }

  Status visit(NodeId id) {
    const Node& n = g_.nodes[size_t(id)];
    if (n.dead) return OkStatus();
    if (n.op == fused::kConv && convertConv(id)) return OkStatus();
    if ((n.op == "MaxPool" || n.op == "AveragePool" || n.op == "GlobalAveragePool" || n.op == "GlobalMaxPool") &&
        convertPool(id))
      return OkStatus();
    if (isReduce(n.op) && convertReduce(id)) return OkStatus();
    if (isElementwise(n.op) && convertElementwise(id)) return OkStatus();
    if (n.op == "Transpose" && absorbIntoTranspose(id)) return OkStatus();
    // A reader that needs NCHW.
    for (size_t i = 0; i < g_.nodes[size_t(id)].inputs.size(); ++i)
      if (isNhwc(g_.nodes[size_t(id)].inputs[i])) {
        ValueId r = asNchw(id, i);
        g_.nodes[size_t(id)].inputs[i] = r;
      }
    return OkStatus();
  }

  bool convertConv(NodeId id) {
    const Node& n = g_.nodes[size_t(id)];
    if (n.attrs.has("layout") || n.inputs.size() < 2 || n.outputs.size() != 1) return false;
    const Value& x = g_.values[size_t(n.inputs[0])];
    const HostTensor* w = g_.constantOf(n.inputs[1]);
    if (!isRank4(x) || !w || w->shape().size() != 4) return false;
    if (x.desc.dtype != DType::kFloat16 && x.desc.dtype != DType::kBFloat16) return false;
    for (int64_t d : x.desc.shape)
      if (d < 0) return false;
    // W [M, C/g, kH, kW] -> [M, kH, kW, C/g] (KRSC).
    ValueId wv = addConstant(g_.values[size_t(n.inputs[1])].name + "_krsc", opu::transposed(*w, kToNhwc));
    ValueId xv = asNhwc(id, 0);
    ValueId zv = kNoValue;
    if (g_.nodes[size_t(id)].inputs.size() > 3 && g_.nodes[size_t(id)].inputs[3] != kNoValue) zv = asNhwc(id, 3);
    Node& m = g_.nodes[size_t(id)];
    m.inputs[0] = xv;
    m.inputs[1] = wv;
    if (zv != kNoValue) m.inputs[3] = zv;
    m.attrs.set("layout", std::string("NHWC"));
    outputToNhwc(m.outputs[0]);
    ++convs_;
    return true;
  }

  bool convertPool(NodeId id) {
    const Node& n = g_.nodes[size_t(id)];
    if (n.attrs.has("layout") || n.inputs.size() != 1 || !isNhwc(n.inputs[0])) return false;
    if (n.outputs.size() != 1 && !(n.outputs.size() == 2 && n.outputs[1] == kNoValue)) return false;
    Node& m = g_.nodes[size_t(id)];
    m.attrs.set("layout", std::string("NHWC"));
    outputToNhwc(m.outputs[0]);
    ++followers_;
    return true;
  }

  bool convertReduce(NodeId id) {
    const Node& n = g_.nodes[size_t(id)];
    if (n.inputs.empty() || !isNhwc(n.inputs[0]) || n.outputs.size() != 1) return false;
    bool axes_input = n.inputs.size() > 1 && n.inputs[1] != kNoValue;
    std::vector<int64_t> axes;
    if (axes_input) {
      const HostTensor* c = g_.constantOf(n.inputs[1]);
      if (!c) return false;
      for (int64_t i = 0; i < c->elements(); ++i) axes.push_back(int64_t(c->getDouble(i)));
    } else {
      axes = n.attrs.getInts("axes");
    }
    if (axes.empty()) return false;  // all axes (or a no-op): leave it to the NCHW form
    bool keep = n.attrs.getInt("keepdims", 1) != 0;
    bool reduced[4] = {false, false, false, false};
    std::vector<int64_t> mapped;
    const int64_t nchw_to_nhwc[4] = {0, 3, 1, 2};  // NCHW axis a sits at NHWC position nchw_to_nhwc[a]
    for (int64_t a : axes) {
      if (a < -4 || a > 3) return false;
      a = a < 0 ? a + 4 : a;
      reduced[a] = true;
      mapped.push_back(nchw_to_nhwc[a]);
    }
    // keepdims = 0 drops dims; the survivors keep NCHW order only when C is
    // gone or H and W both are.
    if (!keep && !reduced[1] && !(reduced[2] && reduced[3])) return false;
    ValueId axes_value = axes_input ? ints(g_.values[size_t(n.inputs[1])].name + "_nhwc", mapped) : kNoValue;
    Node& m = g_.nodes[size_t(id)];
    if (axes_input) m.inputs[1] = axes_value;
    else m.attrs.set("axes", mapped);
    if (keep) outputToNhwc(m.outputs[0]);
    ++followers_;
    return true;
  }

  bool convertElementwise(NodeId id) {
    const Node& n = g_.nodes[size_t(id)];
    if (n.outputs.size() != 1 || !isRank4(g_.values[size_t(n.outputs[0])])) return false;
    // A graph output's producer stays NCHW: the conversion then runs before
    // it, in the compute type, rather than after a reformat to fp32.
    if (isGraphOutput(g_, n.outputs[0])) return false;
    bool any = false;
    for (ValueId v : n.inputs) {
      if (v == kNoValue) continue;
      const Value& val = g_.values[size_t(v)];
      if (isNhwc(v)) {
        any = true;
        continue;
      }
      bool scalar = val.desc.elements() == 1;
      bool constant = val.constant != nullptr && val.desc.shape.size() <= 4;
      if (!scalar && !constant) return false;
    }
    if (!any) return false;
    for (size_t i = 0; i < g_.nodes[size_t(id)].inputs.size(); ++i) {
      ValueId v = g_.nodes[size_t(id)].inputs[i];
      if (v == kNoValue || isNhwc(v) || g_.values[size_t(v)].desc.elements() == 1) continue;
      // A constant broadcasting against NCHW: as rank 4 (leading 1s), permuted.
      HostTensor c = *g_.constantOf(v);
      Shape s = c.shape();
      while (s.size() < 4) s.insert(s.begin(), 1);
      HostTensor r4(c.dtype(), s, std::vector<uint8_t>(c.raw(), c.raw() + c.byteSize()));
      ValueId t = addConstant(g_.values[size_t(v)].name + "_nhwc", opu::transposed(r4, kToNhwc));
      g_.nodes[size_t(id)].inputs[i] = t;
    }
    outputToNhwc(g_.nodes[size_t(id)].outputs[0]);
    ++followers_;
    return true;
  }

  // Transpose(perm p) of an NHWC value: NCHW dim a is NHWC dim kToNchw[a],
  // so the same result reads the NHWC value with perm kToNchw[p[i]].
  bool absorbIntoTranspose(NodeId id) {
    const Node& n = g_.nodes[size_t(id)];
    if (n.inputs.size() != 1 || !isNhwc(n.inputs[0])) return false;
    std::vector<int64_t> p = n.attrs.getInts("perm");
    if (p.empty()) p = {3, 2, 1, 0};
    if (p.size() != 4) return false;
    std::vector<int64_t> q;
    for (int64_t a : p) {
      if (a < 0 || a > 3) return false;
      q.push_back(kToNchw[size_t(a)]);
    }
    g_.nodes[size_t(id)].attrs.set("perm", q);
    return true;
  }

  // A graph output computed in NHWC: the producer writes an NHWC twin, a
  // conversion writes the declared (NCHW) output.
  Status fixGraphOutputs() {
    for (ValueId out : std::vector<ValueId>(g_.outputs)) {
      if (!isNhwc(out)) continue;
      NodeId p = producerOf(g_, out);
      if (p < 0) return InternalError(fmt::format("layout pass: NHWC graph output '{}' has no producer", g_.values[size_t(out)].name));
      TensorDesc nhwc_desc = g_.values[size_t(out)].desc;
      ValueId mid = addValue(g_.values[size_t(out)].name + "_nhwc", nhwc_desc);
      markNhwc(mid);
      for (Node& n : g_.nodes) {
        if (n.dead) continue;
        for (ValueId& i : n.inputs)
          if (i == out) i = mid;
      }
      size_t slot = 0;
      while (g_.nodes[size_t(p)].outputs[slot] != out) ++slot;
      g_.nodes[size_t(p)].outputs[slot] = mid;
      g_.values[size_t(mid)].producer = p;
      ValueId nchw = permute(mid, kToNchw,
                             fmt::format("Reformatting CopyNode for Output Tensor {} to {}", slot, g_.nodes[size_t(p)].name),
                             "_nchw");
      // The conversion writes the graph output itself (its name and desc).
      NodeId conv = g_.values[size_t(nchw)].producer;
      g_.nodes[size_t(conv)].outputs[0] = out;
      g_.values[size_t(out)].producer = conv;
      g_.values[size_t(out)].desc = g_.values[size_t(nchw)].desc;
      g_.values[size_t(nchw)].producer = -1;
      nhwc_[size_t(out)] = 0;
    }
    return OkStatus();
  }

  Graph& g_;
  PassLog& log_;
  std::vector<char> nhwc_;
  std::map<ValueId, ValueId> to_nhwc_, to_nchw_;
  NodeNames names_;
  int convs_ = 0, followers_ = 0, transposes_ = 0, views_ = 0;
};

}  // namespace

Status convertConvLayout(Graph& graph, DType compute, PassLog& log) {
  if (compute != DType::kFloat16 && compute != DType::kBFloat16) return OkStatus();
  LayoutPass pass(graph, log);
  GS_RETURN_IF_ERROR(pass.run());
  return inferShapes(graph, InferOptions{.fold_constants = false});
}

}  // namespace gpuscope::engine
