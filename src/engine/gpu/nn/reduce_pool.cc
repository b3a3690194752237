// Reduce* ops over any axes (the input viewed as kept x reduced dims, merged
// where contiguous) and pooling (MaxPool / AveragePool windows by hand;
// GlobalAveragePool / GlobalMaxPool as reductions over the spatial dims).
#include <fmt/format.h>

#include <algorithm>

#include "engine/gpu/cuda_check.h"
#include "engine/gpu/nn/layer_base.h"
#include "engine/gpu/nn/nn_kernels.h"
#include "engine/gpu/nn/nn_layers.h"

namespace gpuscope::engine::gpu {
namespace {

class ReduceLayer : public SingleTacticLayer {
 public:
  ReduceLayer(std::string where, std::string tactic, std::string_view type, std::string_view ptype, ReduceParams p,
              ReduceOp op, DType t)
      : SingleTacticLayer(std::move(where), std::move(tactic), type, ptype), p_(p), op_(op), t_(t) {}
  Status enqueue(const LayerBindings& b, void* stream) override {
    GS_CUDA_CHECK(launchReduce(p_, op_, b.inputs.at(0), b.outputs.at(0), t_, static_cast<cudaStream_t>(stream)), where_);
    return OkStatus();
  }

 private:
  ReduceParams p_;
  ReduceOp op_;
  DType t_;
};

class PoolLayer : public SingleTacticLayer {
 public:
  PoolLayer(std::string where, PoolParams p, DType t)
      : SingleTacticLayer(std::move(where), p.max ? "gpuscope_maxpool" : "gpuscope_avgpool", "TiledPooling", "Pooling"),
        p_(p), t_(t) {}
  Status enqueue(const LayerBindings& b, void* stream) override {
    GS_CUDA_CHECK(launchPool(p_, b.inputs.at(0), b.outputs.at(0), t_, static_cast<cudaStream_t>(stream)), where_);
    return OkStatus();
  }

 private:
  PoolParams p_;
  DType t_;
};

// Splits `shape` into kept and reduced dims, merging neighbours that are
// contiguous within the same group.
StatusOr<ReduceParams> planReduce(const NodeView& v, const Shape& shape, const std::vector<bool>& reduced) {
  ReduceParams p;
  std::vector<int64_t> strides = contiguousStrides(shape);
  std::vector<int64_t> ks, kst, rs, rst;
  int last_group = -1;  // 0 kept, 1 reduced: group of the previous kept dim (for merging)
  int innermost = -1;   // group of the innermost dim of size > 1
  for (size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] == 1) continue;
    int g = reduced[k] ? 1 : 0;
    auto& sh = g ? rs : ks;
    auto& st = g ? rst : kst;
    if (last_group == g && !sh.empty() && st.back() == strides[k] * shape[k]) {
      sh.back() *= shape[k];
      st.back() = strides[k];
    } else {
      sh.push_back(shape[k]);
      st.push_back(strides[k]);
    }
    last_group = g;
    innermost = g;
  }
  if (ks.size() > size_t(kMaxReduceRank) || rs.size() > size_t(kMaxReduceRank))
    return v.invalid(fmt::format("reduction needs more than {} dims after merging", kMaxReduceRank));
  p.kept_rank = int(ks.size());
  p.red_rank = int(rs.size());
  p.outputs = 1;
  p.reduced = 1;
  for (size_t k = 0; k < ks.size(); ++k) {
    p.kept_shape[k] = ks[k];
    p.kept_stride[k] = kst[k];
    p.outputs *= ks[k];
  }
  for (size_t k = 0; k < rs.size(); ++k) {
    p.red_shape[k] = rs[k];
    p.red_stride[k] = rst[k];
    p.reduced *= rs[k];
  }
  if (shapeElements(shape) == 0) p.outputs = 0;
  // Reading the innermost dim along the reduction: a block per output keeps
  // the loads coalesced; otherwise neighbouring outputs are adjacent.
  p.block_per_output = innermost != 0 || p.outputs < 1024;
  return p;
}

}  // namespace

LayerOr makeReduceLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  GS_RETURN_IF_ERROR(v.requireInput(0, "data"));
  GS_RETURN_IF_ERROR(v.requireFloat(v.in(0), "data"));
  GS_RETURN_IF_ERROR(v.requireKnown(v.out(0), "output"));
  if (v.out(0).dtype != v.in(0).dtype) return v.invalid("output dtype differs from the input's");
  const std::string& op = v.node.op;
  ReduceOp rop;
  if (op == "ReduceSum") rop = ReduceOp::kSum;
  else if (op == "ReduceMean") rop = ReduceOp::kMean;
  else if (op == "ReduceMax") rop = ReduceOp::kMax;
  else if (op == "ReduceMin") rop = ReduceOp::kMin;
  else if (op == "ReduceProd") rop = ReduceOp::kProd;
  else if (op == "ReduceSumSquare") rop = ReduceOp::kSumSquare;
  else if (op == "ReduceL1") rop = ReduceOp::kL1;
  else if (op == "ReduceL2") rop = ReduceOp::kL2;
  else if (op == "ReduceLogSumExp") rop = ReduceOp::kLogSumExp;
  else return v.invalid("unsupported reduction");
  const Shape& s = v.in(0).shape;
  const int64_t rank = int64_t(s.size());
  std::vector<int64_t> axes;
  if (v.hasInput(1)) {
    GS_ASSIGN_OR_RETURN(axes, v.constInts(1, "axes"));
  } else {
    axes = v.attrs().getInts("axes");
  }
  std::vector<bool> reduced(size_t(rank), false);
  if (axes.empty()) {
    if (v.attrs().getInt("noop_with_empty_axes", 0) == 0) reduced.assign(size_t(rank), true);
  } else {
    for (int64_t a : axes) {
      GS_ASSIGN_OR_RETURN(int64_t n, normalizeAxis(v, a, rank));
      reduced[size_t(n)] = true;
    }
  }
  GS_ASSIGN_OR_RETURN(ReduceParams p, planReduce(v, s, reduced));
  if (p.outputs != v.out(0).elements() && shapeElements(s) != 0)
    return v.invalid(fmt::format("output {} does not hold {} reduced values", shapeText(v.out(0).shape), p.outputs));
  std::string tactic = fmt::format("gpuscope_reduce_{}", p.block_per_output ? "block" : "thread");
  return wrap(std::make_unique<ReduceLayer>(v.where, std::move(tactic), "Reduce", "Reduce", p, rop, v.in(0).dtype));
}

LayerOr makePoolLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  GS_RETURN_IF_ERROR(v.requireInput(0, "X"));
  GS_RETURN_IF_ERROR(v.requireFloat(v.in(0), "X"));
  GS_RETURN_IF_ERROR(v.requireKnown(v.out(0), "Y"));
  if (v.out(0).dtype != v.in(0).dtype) return v.invalid("output dtype differs from the input's");
  const Shape& s = v.in(0).shape;
  const Shape& o = v.out(0).shape;
  if (s.size() < 3 || s.size() > 5 || o.size() != s.size())
    return v.invalid(fmt::format("pooling supports 1-3 spatial dims; input is {}", shapeText(s)));
  const std::string& op = v.node.op;
  const size_t sp = s.size() - 2;
  const std::string layout = v.attrs().getString("layout", "NCHW");
  if (layout != "NCHW" && layout != "NHWC") return v.invalid(fmt::format("unknown layout '{}'", layout));
  // NHWC (set by the layout pass): [N, spatial..., C]; spatial dim k of the
  // input is s[sd + k], the channel count s[cd].
  const bool nhwc = layout == "NHWC";
  const size_t sd = nhwc ? 1 : 2, cd = nhwc ? s.size() - 1 : 1;
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
    std::vector<bool> reduced(s.size(), false);
    for (size_t k = 0; k < sp; ++k) reduced[sd + k] = true;
    GS_ASSIGN_OR_RETURN(ReduceParams p, planReduce(v, s, reduced));
    bool is_max = op == "GlobalMaxPool";
    return wrap(std::make_unique<ReduceLayer>(v.where, is_max ? "gpuscope_global_maxpool" : "gpuscope_global_avgpool",
                                              "TiledPooling", "Pooling", p, is_max ? ReduceOp::kMax : ReduceOp::kMean,
                                              v.in(0).dtype));
  }
  if (v.hasOutput(1)) return v.invalid("MaxPool's Indices output is not supported on the GPU");
  if (v.attrs().getInt("storage_order", 0) != 0) return v.invalid("storage_order=1 is not supported");
  PoolParams p;
  p.max = op == "MaxPool";
  p.count_include_pad = v.attrs().getInt("count_include_pad", 0) != 0;
  p.planes = s[0] * s[cd];
  p.channels = s[cd];
  p.channels_last = nhwc;
  std::vector<int64_t> kernel = v.attrs().getInts("kernel_shape"), strides = v.attrs().getInts("strides"),
                       pads = v.attrs().getInts("pads"), dil = v.attrs().getInts("dilations");
  if (kernel.size() != sp) return v.invalid("kernel_shape rank differs from the spatial rank");
  if (strides.empty()) strides.assign(sp, 1);
  if (dil.empty()) dil.assign(sp, 1);
  if (pads.empty()) pads.assign(2 * sp, 0);
  if (strides.size() != sp || dil.size() != sp || pads.size() != 2 * sp) return v.invalid("strides/dilations/pads rank mismatch");
  std::string auto_pad = v.attrs().getString("auto_pad", "NOTSET");
  const size_t off = 3 - sp;  // right-align spatial dims into D,H,W
  for (size_t k = 0; k < sp; ++k) {
    int64_t in = s[sd + k], out = o[sd + k];
    int64_t begin = pads[k], end = pads[k + sp];
    if (auto_pad == "VALID") begin = end = 0;
    else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      int64_t total = std::max<int64_t>(0, (out - 1) * strides[k] + (kernel[k] - 1) * dil[k] + 1 - in);
      begin = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      end = total - begin;
    }
    p.in[k + off] = in;
    p.out[k + off] = out;
    p.kernel[k + off] = kernel[k];
    p.stride[k + off] = strides[k];
    p.dilation[k + off] = dil[k];
    p.pad[k + off] = begin;
    // ceil_mode windows may run past the end padding; averaging divides by
    // the part inside input + padding, so allow that much.
    p.pad_end[k + off] = end;
  }
  return wrap(std::make_unique<PoolLayer>(v.where, p, v.in(0).dtype));
}

}  // namespace gpuscope::engine::gpu
