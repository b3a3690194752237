// Patchify convolutions as one GEMM. A Conv whose kernel equals its stride
// (no padding, dilation 1, group 1, H and W multiples of the kernel) reads
// every input pixel exactly once, so im2col is a pure permutation of X:
//   X [N,C,H,W] -> Reshape [N,C,Ho,kh,Wo,kw] -> Transpose(0,2,4,1,3,5)
//   -> Reshape [N*Ho*Wo, C*kh*kw] -> MatMul W' [C*kh*kw, OC] -> Add bias
//   -> Reshape [N,Ho,Wo,OC] -> Transpose(0,3,1,2) = Y [N,OC,Ho,Wo]
// with W' = W reshaped to [OC, C*kh*kw] and transposed, folded at build time.
// fuseGemm then makes MatMul + bias one gpuscope.Gemm (cuBLASLt's BIAS
// epilogue). When Y is only read as tokens — ViT's flatten(2).transpose(1,2),
// Reshape [N,OC,Ho*Wo] -> Transpose(0,2,1) — or channels-last — Swin's
// permute(0,2,3,1) — those two copies and the Transpose back to NCHW are one
// free Reshape of the GEMM's [N*Ho*Wo, OC] rows.
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "engine/ops/shape/op_util.h"
#include "engine/passes/pass_util.h"
#include "engine/passes/passes.h"

namespace gpuscope::engine {
namespace {

using namespace pass_util;

constexpr const char* kPass = "ConvToMatMulTransform";

// Only patchify stems (ViT k16, Swin/ConvNeXt k4, ...) are rewritten. For
// them cuDNN is the slow path: on the H200 ViT-B/16's k16 s16 conv at batch
// 256 ran at 33 TFLOPS in fp16 (1.78 ms) plus a 0.22 ms NCHW->NHWC reformat
// of the input; the same 59 GFLOP as one cuBLASLt GEMM are ~0.12 ms at the
// ~500 TFLOPS its fp16 GEMMs reach, and the im2col permutation is one copy
// of the input (77 MB in fp16, ~0.05 ms). In fp32
// (no TF32) both do the same FMA work, which cuBLASLt's SGEMM runs near peak,
// and with a token or NHWC reader the im2col copy only replaces the copy
// that reader costs after a conv, so the rewrite applies at every precision
// (the fp32 side is reasoned, not timed). Smaller kernels (1x1 and 2x2
// stride-matched convs inside ResNet/ConvNeXt stages) stay cuDNN
// convolutions: there the conv fuses bias, residual and activation, runs
// NHWC next to its neighbours, and a GEMM form would put a transpose on each
// side of it.
constexpr int64_t kMinPatch = 4;

struct Patchify {
  int64_t n, c, h, w, oc, kh, kw, ho, wo;
  DType dtype;
};

bool isComputeFloat(DType t) { return t == DType::kFloat32 || t == DType::kFloat16 || t == DType::kBFloat16; }

std::optional<Patchify> matchPatchify(const Graph& graph, const Node& conv) {
  if (conv.inputs.size() < 2 || conv.outputs.size() != 1 || conv.outputs[0] == kNoValue) return std::nullopt;
  ValueId x = conv.inputs[0], w = conv.inputs[1];
  if (x == kNoValue || w == kNoValue || graph.isConstant(x)) return std::nullopt;
  const HostTensor* wt = graph.constantOf(w);
  if (!wt) return std::nullopt;  // the weight is folded into a constant
  const TensorDesc& xd = graph.values[size_t(x)].desc;
  const TensorDesc& yd = graph.values[size_t(conv.outputs[0])].desc;
  const Shape& ws = wt->shape();
  if (xd.shape.size() != 4 || ws.size() != 4 || !isComputeFloat(xd.dtype) || wt->dtype() != xd.dtype ||
      yd.dtype != xd.dtype)
    return std::nullopt;
  for (int64_t d : xd.shape)
    if (d <= 0) return std::nullopt;  // static, non-empty shapes only
  Patchify p{xd.shape[0], xd.shape[1], xd.shape[2], xd.shape[3], ws[0], ws[2], ws[3], 0, 0, xd.dtype};
  if (ws[1] != p.c || conv.attrs.getInt("group", 1) != 1) return std::nullopt;
  if (conv.attrs.getInts("kernel_shape", {p.kh, p.kw}) != std::vector<int64_t>{p.kh, p.kw}) return std::nullopt;
  if (conv.attrs.getInts("strides", {1, 1}) != std::vector<int64_t>{p.kh, p.kw}) return std::nullopt;
  if (conv.attrs.getInts("dilations", {1, 1}) != std::vector<int64_t>{1, 1}) return std::nullopt;
  if (p.kh < kMinPatch || p.kw < kMinPatch || p.h % p.kh != 0 || p.w % p.kw != 0) return std::nullopt;
  // With kernel == stride and H, W multiples of it, SAME_* pads total
  // (Ho-1)*k + k - H = 0; explicit pads must all be 0.
  std::string mode = conv.attrs.getString("auto_pad", "NOTSET");
  if (mode == "NOTSET" || mode.empty()) {
    for (int64_t pad : conv.attrs.getInts("pads", {0, 0, 0, 0}))
      if (pad != 0) return std::nullopt;
  } else if (mode != "VALID" && mode != "SAME_UPPER" && mode != "SAME_LOWER") {
    return std::nullopt;
  }
  p.ho = p.h / p.kh;
  p.wo = p.w / p.kw;
  if (yd.shape != Shape{p.n, p.oc, p.ho, p.wo}) return std::nullopt;
  if (conv.inputs.size() > 2 && conv.inputs[2] != kNoValue) {
    const TensorDesc& bd = graph.values[size_t(conv.inputs[2])].desc;
    if (bd.shape != Shape{p.oc} || bd.dtype != xd.dtype) return std::nullopt;
  }
  return p;
}

// What reads Y: the general case keeps Y [N,OC,Ho,Wo]; the token and
// channels-last readers become one view of the GEMM rows.
struct Tail {
  std::vector<NodeId> nodes;  // the reader chain it replaces (empty: general case)
  ValueId out = kNoValue;     // the value the new tail writes
  Shape shape;                // its shape
};

bool isTranspose(const Node& n, const std::vector<int64_t>& perm) {
  return n.op == "Transpose" && n.inputs.size() == 1 && n.outputs.size() == 1 && n.outputs[0] != kNoValue &&
         n.attrs.getInts("perm") == perm;
}

Tail matchTail(const Graph& graph, const Consumers& consumers, ValueId y, const Patchify& p) {
  Tail general{{}, y, Shape{p.n, p.oc, p.ho, p.wo}};
  NodeId r = soleConsumer(graph, consumers, y);
  if (r < 0) return general;
  const Node& rn = graph.nodes[size_t(r)];
  if (rn.inputs.empty() || rn.inputs[0] != y) return general;
  if (isTranspose(rn, {0, 2, 3, 1}) && graph.values[size_t(rn.outputs[0])].desc.shape == Shape{p.n, p.ho, p.wo, p.oc})
    return Tail{{r}, rn.outputs[0], Shape{p.n, p.ho, p.wo, p.oc}};
  if (rn.op != "Reshape" || rn.outputs.size() != 1 || rn.outputs[0] == kNoValue ||
      graph.values[size_t(rn.outputs[0])].desc.shape != Shape{p.n, p.oc, p.ho * p.wo})
    return general;
  NodeId t = soleConsumer(graph, consumers, rn.outputs[0]);
  if (t < 0) return general;
  const Node& tn = graph.nodes[size_t(t)];
  if (!isTranspose(tn, {0, 2, 1}) || graph.values[size_t(tn.outputs[0])].desc.shape != Shape{p.n, p.ho * p.wo, p.oc})
    return general;
  return Tail{{r, t}, tn.outputs[0], Shape{p.n, p.ho * p.wo, p.oc}};
}

class Rewriter {
 public:
  Rewriter(Graph& graph, PassLog& log) : g_(graph), log_(log), names_(graph) {}

  // The nodes standing for conv `c` (not yet in the graph); marks the conv
  // and the tail it absorbs dead.
  std::vector<Node> rewrite(NodeId c, const Patchify& p, const Tail& tail) {
    const Node conv = g_.nodes[size_t(c)];  // a copy: it is marked dead at the end
    origin_ = conv.origin.empty() ? std::vector<std::string>{conv.name} : conv.origin;
    const std::string y = g_.values[size_t(conv.outputs[0])].name;
    // The replaced nodes' names pass to the nodes standing for them.
    names_.release(conv.name);
    for (NodeId t : tail.nodes) names_.release(g_.nodes[size_t(t)].name);
    const int64_t m = p.n * p.ho * p.wo, k = p.c * p.kh * p.kw;
    log_.addf("Running: {} on {}", kPass, conv.name);
    log_.addf("{}: {} as MatMul of patches {} and weights {} (input {}, kernel = stride = {})", kPass, conv.name,
              shapeText({m, k}), shapeText({k, p.oc}), shapeText({p.n, p.c, p.h, p.w}), shapeText({p.kh, p.kw}));
    std::vector<Node> out;
    ValueId v = view(out, conv.inputs[0], {p.n, p.c, p.ho, p.kh, p.wo, p.kw}, conv.name + "_patches", y + "_patches");
    // The one copy: each patch's C*kh*kw pixels become one contiguous row.
    v = transpose(out, v, {0, 2, 4, 1, 3, 5}, {p.n, p.ho, p.wo, p.c, p.kh, p.kw},
                  "Reformatting CopyNode for Input Tensor 0 to " + conv.name, y + "_im2col");
    v = view(out, v, {m, k}, conv.name + "_rows", y + "_rows");
    // W [OC, C, kh, kw] is W2 [OC, K] row-major; the GEMM's B is W2^T [K, OC].
    const HostTensor* wt = g_.constantOf(conv.inputs[1]);
    HostTensor w2(wt->dtype(), Shape{p.oc, k}, std::vector<uint8_t>(wt->raw(), wt->raw() + wt->byteSize()));
    const std::vector<int64_t> swap{1, 0};
    ValueId wv = g_.addConstant(freshValueName(g_, g_.values[size_t(conv.inputs[1])].name + "_gemm"),
                                opu::transposed(w2, swap));
    v = add(out, "MatMul", conv.name, {v, wv}, {m, p.oc}, y + "_gemm", origin_);
    if (conv.inputs.size() > 2 && conv.inputs[2] != kNoValue) {
      // A constant bias becomes fuseGemm's bias epilogue, whose layer takes
      // its name from the origins: the Add brings none, so the layer stays
      // "<conv>" rather than "<conv> + <conv>". A computed bias stays an Add.
      ValueId b = conv.inputs[2];
      std::vector<std::string> bias_origin = g_.isConstant(b) ? std::vector<std::string>{} : origin_;
      v = add(out, "Add", conv.name + "_bias", {v, b}, {m, p.oc}, y + "_biased", bias_origin);
    }
    if (tail.nodes.empty()) {
      v = view(out, v, {p.n, p.ho, p.wo, p.oc}, conv.name + "_nhwc", y + "_nhwc");
      transpose(out, v, {0, 3, 1, 2}, {p.n, p.oc, p.ho, p.wo}, "Reformatting CopyNode for Output Tensor 0 to " + conv.name,
                "", conv.outputs[0]);
    } else {
      std::vector<std::string> tail_origin;
      std::string names;
      for (NodeId t : tail.nodes) {
        const Node& tn = g_.nodes[size_t(t)];
        tail_origin.insert(tail_origin.end(), tn.origin.begin(), tn.origin.end());
        if (tn.origin.empty()) tail_origin.push_back(tn.name);
        names += (names.empty() ? "" : " + ") + tn.name;
      }
      ValueId shape = g_.addConstant(freshValueName(g_, g_.values[size_t(tail.out)].name + "_shape"),
                                     HostTensor::fromInts(DType::kInt64, {int64_t(tail.shape.size())}, tail.shape));
      Node r = makeNode("Reshape", joinOrigins(tail_origin), {v, shape}, tail.out, tail_origin);
      log_.addf("{}: {} read {}'s GEMM rows as {} (a view, no copy)", kPass, names, conv.name, shapeText(tail.shape));
      for (NodeId t : tail.nodes) {
        log_.addf("Removing {}", g_.nodes[size_t(t)].name);
        g_.nodes[size_t(t)].dead = true;
      }
      out.push_back(std::move(r));
    }
    g_.nodes[size_t(c)].dead = true;
    return out;
  }

 private:

  Node makeNode(const std::string& op, const std::string& name, std::vector<ValueId> inputs, ValueId output,
                std::vector<std::string> origin) {
    Node n;
    n.op = op;
    n.name = names_.unique(name);
    n.inputs = std::move(inputs);
    n.outputs = {output};
    n.origin = std::move(origin);
    return n;
  }

  // A new node writing a new value `value_name` of shape `shape`.
  ValueId add(std::vector<Node>& out, const std::string& op, const std::string& name, std::vector<ValueId> inputs,
              Shape shape, const std::string& value_name, std::vector<std::string> origin) {
    DType dt = g_.values[size_t(inputs[0])].desc.dtype;
    ValueId v = g_.addValue(freshValueName(g_, value_name), TensorDesc{dt, std::move(shape)});
    out.push_back(makeNode(op, name, std::move(inputs), v, std::move(origin)));
    return v;
  }

  ValueId view(std::vector<Node>& out, ValueId in, const Shape& shape, const std::string& name,
               const std::string& value_name) {
    ValueId s = g_.addConstant(freshValueName(g_, value_name + "_shape"),
                               HostTensor::fromInts(DType::kInt64, {int64_t(shape.size())}, shape));
    return add(out, "Reshape", name, {in, s}, shape, value_name, origin_);
  }

  // A Transpose into a new value, or into `into` when given.
  ValueId transpose(std::vector<Node>& out, ValueId in, const std::vector<int64_t>& perm, Shape shape,
                    const std::string& name, const std::string& value_name, ValueId into = kNoValue) {
    ValueId v = into;
    if (v == kNoValue) v = add(out, "Transpose", name, {in}, std::move(shape), value_name, origin_);
    else out.push_back(makeNode("Transpose", name, {in}, v, origin_));
    out.back().attrs.set("perm", perm);
    return v;
  }

  Graph& g_;
  PassLog& log_;
  NodeNames names_;
  std::vector<std::string> origin_;
};

}  // namespace

Status convAsGemm(Graph& graph, PassLog& log) {
  Consumers consumers = graph.consumers();
  Rewriter rewriter(graph, log);
  std::map<NodeId, std::vector<Node>> replacement;
  const size_t count = graph.nodes.size();
  for (size_t i = 0; i < count; ++i) {
    const Node& n = graph.nodes[i];
    if (n.dead || n.op != "Conv") continue;
    std::optional<Patchify> p = matchPatchify(graph, n);
    if (!p) continue;
    Tail tail = matchTail(graph, consumers, n.outputs[0], *p);
    replacement[NodeId(i)] = rewriter.rewrite(NodeId(i), *p, tail);
  }
  if (replacement.empty()) return OkStatus();
  // The new nodes take the conv's place in the node list, so the layer order
  // (stable topological, earliest node first) keeps the conv where it was.
  std::vector<Node> nodes;
  nodes.reserve(graph.nodes.size() + 8 * replacement.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    auto it = replacement.find(NodeId(i));
    if (it == replacement.end()) {
      nodes.push_back(std::move(graph.nodes[i]));
      continue;
    }
    for (Node& r : it->second) nodes.push_back(std::move(r));
  }
  graph.nodes = std::move(nodes);
  for (Value& v : graph.values) v.producer = -1;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (graph.nodes[i].dead) continue;
    for (ValueId v : graph.nodes[i].outputs)
      if (v != kNoValue) graph.values[size_t(v)].producer = NodeId(i);
  }
  graph.compact();
  return OkStatus();
}

}  // namespace gpuscope::engine
