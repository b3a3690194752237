// Reductions: ReduceSum/Mean/Max/Min/Prod/L1/L2/SumSquare/LogSumExp (axes as
// an attribute before opset 18 — 13 for ReduceSum — and as an input after;
// keepdims; noop_with_empty_axes), ArgMax/ArgMin and CumSum. Accumulation in
// double, so int64 sums are exact up to 2^53.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "engine/ops/nn/nn_ops.h"
#include "engine/ops/shape/op_util.h"

namespace gpuscope::engine::nn_ops {
namespace {

enum class Kind { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kSumSquare, kLogSumExp };

struct ReducePlan {
  Shape out;
  std::vector<bool> reduced;  // per input dim
  bool noop = false;          // empty axes with noop_with_empty_axes = 1
};

ReducePlan planReduce(const Shape& in, const std::optional<std::vector<int64_t>>& axes, bool keepdims, bool noop_empty) {
  ReducePlan p;
  p.reduced.assign(in.size(), false);
  if (!axes || axes->empty()) {
    if (noop_empty) {
      p.noop = true;
      p.out = in;
      return p;
    }
    p.reduced.assign(in.size(), true);
  } else {
    for (int64_t a : *axes) p.reduced[size_t(a)] = true;
  }
  for (size_t d = 0; d < in.size(); ++d) {
    if (!p.reduced[d]) p.out.push_back(in[d]);
    else if (keepdims) p.out.push_back(1);
  }
  return p;
}

StatusOr<std::optional<std::vector<int64_t>>> normalizedAxes(const std::string& where,
                                                             std::optional<std::vector<int64_t>> axes, size_t rank) {
  if (axes && !axes->empty()) {
    GS_ASSIGN_OR_RETURN(*axes, opu::normAxes(where, *axes, int64_t(rank)));
  }
  return axes;
}

Status inferReduce(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 2));
  GS_ASSIGN_OR_RETURN(auto axes, opu::axesArg(ctx, 1));
  const Shape& in = ctx.inputs[0]->shape;
  GS_ASSIGN_OR_RETURN(axes, normalizedAxes(ctx.where(), axes, in.size()));
  ReducePlan p = planReduce(in, axes, ctx.node.attrs.getInt("keepdims", 1) != 0,
                            ctx.node.attrs.getInt("noop_with_empty_axes", 0) != 0);
  outs = opu::one(ctx.inputs[0]->dtype, p.out);
  return OkStatus();
}

template <Kind kKind>
Status cpuReduce(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const Shape& s = in[0]->shape();
  GS_ASSIGN_OR_RETURN(auto axes, normalizedAxes(opu::where(node), opu::axesArgCpu(node, in, 1), s.size()));
  ReducePlan p = planReduce(s, axes, true, node.attrs.getInt("noop_with_empty_axes", 0) != 0);
  HostTensor& o = out[0];
  int64_t n_in = in[0]->elements();
  if (p.noop) {
    std::memcpy(o.raw(), in[0]->raw(), in[0]->byteSize());
    return OkStatus();
  }
  // Output (keepdims layout, same element order as any keepdims=0 shape)
  // index of every input element via strides that are 0 on reduced dims.
  Shape kept = p.out;
  std::vector<int64_t> ostr = contiguousStrides(kept);
  for (size_t d = 0; d < s.size(); ++d)
    if (p.reduced[d]) ostr[d] = 0;
  int64_t n_out = shapeElements(kept);
  int64_t group = n_out ? n_in / n_out : 0;
  double init = kKind == Kind::kProd ? 1.0
                : kKind == Kind::kMax ? -std::numeric_limits<double>::infinity()
                : kKind == Kind::kMin ? std::numeric_limits<double>::infinity()
                                      : 0.0;
  std::vector<double> acc(size_t(n_out), init);
  std::vector<double> shift;  // LogSumExp: per-output max for stability
  if (kKind == Kind::kLogSumExp) shift.assign(size_t(n_out), -std::numeric_limits<double>::infinity());
  std::vector<int64_t> pos(s.size(), 0);
  for (int pass = kKind == Kind::kLogSumExp ? 0 : 1; pass < 2; ++pass) {
    std::fill(pos.begin(), pos.end(), 0);
    int64_t oi = 0;
    for (int64_t i = 0; i < n_in; ++i) {
      double v = in[0]->getDouble(i);
      double& a = acc[size_t(oi)];
      if (pass == 0) {
        shift[size_t(oi)] = std::max(shift[size_t(oi)], v);
      } else {
        switch (kKind) {
          case Kind::kSum: case Kind::kMean: a += v; break;
          case Kind::kMax: a = std::max(a, v); break;
          case Kind::kMin: a = std::min(a, v); break;
          case Kind::kProd: a *= v; break;
          case Kind::kL1: a += std::abs(v); break;
          case Kind::kL2: case Kind::kSumSquare: a += v * v; break;
          case Kind::kLogSumExp: a += std::exp(v - shift[size_t(oi)]); break;
        }
      }
      for (int64_t d = int64_t(s.size()) - 1; d >= 0; --d) {
        oi += ostr[size_t(d)];
        if (++pos[size_t(d)] < s[size_t(d)]) break;
        oi -= ostr[size_t(d)] * s[size_t(d)];
        pos[size_t(d)] = 0;
      }
    }
  }
  for (int64_t i = 0; i < n_out; ++i) {
    double a = acc[size_t(i)];
    if (kKind == Kind::kMean) a = group ? a / double(group) : std::nan("");
    if (kKind == Kind::kL2) a = std::sqrt(a);
    if (kKind == Kind::kLogSumExp) a = std::log(a) + shift[size_t(i)];
    if (o.dtype() == DType::kInt64 && kKind != Kind::kMean) {
      o.data<int64_t>()[i] = int64_t(a);
    } else {
      o.setDouble(i, a);
    }
  }
  return OkStatus();
}

Status inferArg(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 1, 1));
  Shape s = ctx.inputs[0]->shape;
  GS_ASSIGN_OR_RETURN(int64_t axis, opu::normAxis(ctx.where(), ctx.node.attrs.getInt("axis", 0), int64_t(s.size())));
  if (ctx.node.attrs.getInt("keepdims", 1) != 0) s[size_t(axis)] = 1;
  else s.erase(s.begin() + axis);
  outs = opu::one(DType::kInt64, s);
  return OkStatus();
}

template <bool kMax>
Status cpuArg(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const Shape& s = in[0]->shape();
  GS_ASSIGN_OR_RETURN(int64_t axis, opu::normAxis(opu::where(node), node.attrs.getInt("axis", 0), int64_t(s.size())));
  bool last = node.attrs.getInt("select_last_index", 0) != 0;
  int64_t dim = s[size_t(axis)], outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= s[size_t(i)];
  for (size_t i = size_t(axis) + 1; i < s.size(); ++i) inner *= s[i];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      double bv = in[0]->getDouble(o * dim * inner + i);
      for (int64_t d = 1; d < dim; ++d) {
        double v = in[0]->getDouble((o * dim + d) * inner + i);
        bool better = kMax ? (v > bv || (last && v == bv)) : (v < bv || (last && v == bv));
        if (better) {
          best = d;
          bv = v;
        }
      }
      out[0].data<int64_t>()[o * inner + i] = best;
    }
  return OkStatus();
}

Status inferCumSum(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 2, 2));
  if (ctx.inputs[1]->elements() != 1) return InvalidInput(ctx.where() + ": axis must be a scalar");
  if (ctx.constants[1]) {
    GS_RETURN_IF_ERROR(opu::normAxis(ctx.where(), ctx.constants[1]->getInt(0),
                                     int64_t(ctx.inputs[0]->shape.size())).status());
  }
  outs = {*ctx.inputs[0]};
  return OkStatus();
}

Status cpuCumSum(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  const Shape& s = in[0]->shape();
  GS_ASSIGN_OR_RETURN(int64_t axis, opu::normAxis(opu::where(node), in[1]->getInt(0), int64_t(s.size())));
  bool exclusive = node.attrs.getInt("exclusive", 0) != 0, reverse = node.attrs.getInt("reverse", 0) != 0;
  int64_t dim = s[size_t(axis)], outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= s[size_t(i)];
  for (size_t i = size_t(axis) + 1; i < s.size(); ++i) inner *= s[i];
  bool is_int = !isFloat(in[0]->dtype());
  // Integers accumulate in int64 (exact); floats in double.
  auto put = [&](int64_t at, double f, int64_t iv) {
    if (!is_int) out[0].setDouble(at, f);
    else if (out[0].dtype() == DType::kInt64) out[0].data<int64_t>()[at] = iv;
    else out[0].setDouble(at, double(iv));
  };
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double acc = 0;
      int64_t iacc = 0;
      for (int64_t step = 0; step < dim; ++step) {
        int64_t d = reverse ? dim - 1 - step : step;
        int64_t at = (o * dim + d) * inner + i;
        if (exclusive) put(at, acc, iacc);
        if (is_int) iacc += in[0]->getInt(at);
        else acc += in[0]->getDouble(at);
        if (!exclusive) put(at, acc, iacc);
      }
    }
  return OkStatus();
}

}  // namespace

void addReduce(OpRegistry& r) {
  r.add({"ReduceSum", inferReduce, cpuReduce<Kind::kSum>});
  r.add({"ReduceMean", inferReduce, cpuReduce<Kind::kMean>});
  r.add({"ReduceMax", inferReduce, cpuReduce<Kind::kMax>});
  r.add({"ReduceMin", inferReduce, cpuReduce<Kind::kMin>});
  r.add({"ReduceProd", inferReduce, cpuReduce<Kind::kProd>});
  r.add({"ReduceL1", inferReduce, cpuReduce<Kind::kL1>});
  r.add({"ReduceL2", inferReduce, cpuReduce<Kind::kL2>});
  r.add({"ReduceSumSquare", inferReduce, cpuReduce<Kind::kSumSquare>});
  r.add({"ReduceLogSumExp", inferReduce, cpuReduce<Kind::kLogSumExp>});
  r.add({"ArgMax", inferArg, cpuArg<true>});
  r.add({"ArgMin", inferArg, cpuArg<false>});
  r.add({"CumSum", inferCumSum, cpuCumSum});
}

}  // namespace gpuscope::engine::nn_ops
