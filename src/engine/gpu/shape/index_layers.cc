// Gather, GatherND, Where, Cast / gpuscope.Reformat and Trilu: element-indexed kernels
// (shape_kernels.cu) whose sizes and strides are fixed at construction.
#include <algorithm>

#include <fmt/format.h>

#include "engine/gpu/cuda_check.h"
#include "engine/gpu/nn/layer_base.h"
#include "engine/gpu/shape/shape_kernels.h"
#include "engine/gpu/shape/shape_layers.h"

namespace gpuscope::engine::gpu {
namespace {

class GatherLayer : public SingleTacticLayer {
 public:
  GatherLayer(std::string where, int64_t outer, int64_t axis_dim, int64_t n_idx, int64_t inner, int es, bool i64)
      : SingleTacticLayer(std::move(where), "gpuscope_gather", "Gather", "Gather"),
        outer_(outer), axis_dim_(axis_dim), n_idx_(n_idx), inner_(inner), es_(es), i64_(i64) {}
  Status enqueue(const LayerBindings& b, void* stream) override {
    GS_CUDA_CHECK(launchGather(b.inputs.at(0), b.inputs.at(1), i64_, b.outputs.at(0), outer_, axis_dim_, n_idx_, inner_,
                               es_, static_cast<cudaStream_t>(stream)),
                  where_);
    return OkStatus();
  }

 private:
  int64_t outer_, axis_dim_, n_idx_, inner_;
  int es_;
  bool i64_;
};

class GatherNDLayer : public SingleTacticLayer {
 public:
  GatherNDLayer(std::string where, GatherNDParams p, int es, bool i64)
      : SingleTacticLayer(std::move(where), "gpuscope_gather_nd", "Gather", "Gather"), p_(p), es_(es), i64_(i64) {}
  Status enqueue(const LayerBindings& b, void* stream) override {
    GS_CUDA_CHECK(launchGatherND(p_, b.inputs.at(0), b.inputs.at(1), i64_, b.outputs.at(0), es_,
                                 static_cast<cudaStream_t>(stream)),
                  where_);
    return OkStatus();
  }

 private:
  GatherNDParams p_;
  int es_;
  bool i64_;
};

class WhereLayer : public SingleTacticLayer {
 public:
  WhereLayer(std::string where, WhereParams p, int es)
      : SingleTacticLayer(std::move(where), "gpuscope_where", "Select", "Select"), p_(p), es_(es) {}
  Status enqueue(const LayerBindings& b, void* stream) override {
    GS_CUDA_CHECK(launchWhere(p_, static_cast<const uint8_t*>(b.inputs.at(0)), b.inputs.at(1), b.inputs.at(2),
                              b.outputs.at(0), es_, static_cast<cudaStream_t>(stream)),
                  where_);
    return OkStatus();
  }

 private:
  WhereParams p_;
  int es_;
};

class CastLayer : public SingleTacticLayer {
 public:
  CastLayer(std::string where, std::string tactic, std::string_view type, DType from, DType to, int64_t count)
      : SingleTacticLayer(std::move(where), std::move(tactic), type, type), from_(from), to_(to), count_(count) {}
  Status enqueue(const LayerBindings& b, void* stream) override {
    auto s = static_cast<cudaStream_t>(stream);
    if (from_ == to_)
      GS_CUDA_CHECK(cudaMemcpyAsync(b.outputs.at(0), b.inputs.at(0), size_t(count_) * dtypeSize(from_),
                                    cudaMemcpyDeviceToDevice, s),
                    where_);
    else
      GS_CUDA_CHECK(launchCast(b.inputs.at(0), from_, b.outputs.at(0), to_, count_, s), where_);
    return OkStatus();
  }

 private:
  DType from_, to_;
  int64_t count_;
};

class TriluLayer : public SingleTacticLayer {
 public:
  TriluLayer(std::string where, int64_t batch, int64_t rows, int64_t cols, int64_t k, bool upper, int es)
      : SingleTacticLayer(std::move(where), "gpuscope_trilu", "PointWise", "PointWise"),
        batch_(batch), rows_(rows), cols_(cols), k_(k), upper_(upper), es_(es) {}
  Status enqueue(const LayerBindings& b, void* stream) override {
    GS_CUDA_CHECK(launchTrilu(b.inputs.at(0), b.outputs.at(0), batch_, rows_, cols_, k_, upper_, es_,
                              static_cast<cudaStream_t>(stream)),
                  where_);
    return OkStatus();
  }

 private:
  int64_t batch_, rows_, cols_, k_;
  bool upper_;
  int es_;
};

}  // namespace

LayerOr makeGatherLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  GS_RETURN_IF_ERROR(v.requireInput(0, "data"));
  GS_RETURN_IF_ERROR(v.requireInput(1, "indices"));
  GS_RETURN_IF_ERROR(v.requireKnown(v.in(0), "data"));
  GS_RETURN_IF_ERROR(v.requireKnown(v.in(1), "indices"));
  GS_RETURN_IF_ERROR(v.requireKnown(v.out(0), "output"));
  const TensorDesc& data = v.in(0);
  const TensorDesc& idx = v.in(1);
  if (idx.dtype != DType::kInt64 && idx.dtype != DType::kInt32)
    return v.invalid(fmt::format("indices have dtype {}; expected int64 or int32", dtypeName(idx.dtype)));
  if (v.out(0).dtype != data.dtype) return v.invalid("output dtype differs from data dtype");
  if (data.shape.empty()) return v.invalid("data must have rank >= 1");
  GS_ASSIGN_OR_RETURN(int64_t axis, normalizeAxis(v, v.attrs().getInt("axis", 0), int64_t(data.shape.size())));
  int64_t outer = 1, inner = 1;
  for (size_t k = 0; k < size_t(axis); ++k) outer *= data.shape[k];
  for (size_t k = size_t(axis) + 1; k < data.shape.size(); ++k) inner *= data.shape[k];
  int64_t n_idx = shapeElements(idx.shape);
  if (outer * n_idx * inner != v.out(0).elements())
    return v.invalid(fmt::format("output {} does not hold {}x{}x{} elements", shapeText(v.out(0).shape), outer, n_idx, inner));
  return wrap(std::make_unique<GatherLayer>(v.where, outer, data.shape[size_t(axis)], n_idx, inner,
                                            int(dtypeSize(data.dtype)), idx.dtype == DType::kInt64));
}

LayerOr makeGatherNDLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  GS_RETURN_IF_ERROR(v.requireInput(0, "data"));
  GS_RETURN_IF_ERROR(v.requireInput(1, "indices"));
  GS_RETURN_IF_ERROR(v.requireKnown(v.in(0), "data"));
  GS_RETURN_IF_ERROR(v.requireKnown(v.in(1), "indices"));
  GS_RETURN_IF_ERROR(v.requireKnown(v.out(0), "output"));
  const Shape& ds = v.in(0).shape;
  const Shape& is = v.in(1).shape;
  DType it = v.in(1).dtype;
  if (it != DType::kInt64 && it != DType::kInt32)
    return v.invalid(fmt::format("indices have dtype {}; expected int64 or int32", dtypeName(it)));
  if (v.out(0).dtype != v.in(0).dtype) return v.invalid("output dtype differs from data dtype");
  int64_t r = int64_t(ds.size()), q = int64_t(is.size());
  int64_t b = v.attrs().getInt("batch_dims", 0);
  if (r < 1 || q < 1 || b < 0 || b >= std::min(r, q))
    return v.invalid(fmt::format("batch_dims {} with data rank {} and indices rank {}", b, r, q));
  int64_t m = is.back();
  if (m < 1 || m > r - b || m > kMaxCopyRank)
    return v.invalid(fmt::format("index tuples of length {} for data {} with batch_dims {} (at most {})", m,
                                 shapeText(ds), b, kMaxCopyRank));
  GatherNDParams p;
  p.m = int(m);
  std::vector<int64_t> strides = contiguousStrides(ds);
  int64_t batches = 1;
  for (int64_t d = 0; d < b; ++d) {
    if (ds[size_t(d)] != is[size_t(d)])
      return v.invalid(fmt::format("batch dim {} differs between data {} and indices {}", d, shapeText(ds),
                                   shapeText(is)));
    batches *= ds[size_t(d)];
  }
  for (int64_t k = 0; k < m; ++k) {
    p.dim[k] = ds[size_t(b + k)];
    p.stride[k] = strides[size_t(b + k)];
  }
  for (size_t d = size_t(b); d + 1 < is.size(); ++d) p.tuples_per_batch *= is[d];
  for (size_t d = size_t(b + m); d < ds.size(); ++d) p.slice *= ds[d];
  p.batch_stride = b == 0 ? 0 : strides[size_t(b - 1)];
  p.count = batches * p.tuples_per_batch * p.slice;
  if (p.count != v.out(0).elements())
    return v.invalid(fmt::format("output {} does not hold {}x{}x{} elements", shapeText(v.out(0).shape), batches,
                                 p.tuples_per_batch, p.slice));
  for (int k = 0; k < p.m; ++k)
    if (p.count > 0 && p.dim[k] == 0)
      return v.invalid(fmt::format("indexed data dim {} of {} is empty: every index is out of range", b + k,
                                   shapeText(ds)));
  return wrap(std::make_unique<GatherNDLayer>(v.where, p, int(dtypeSize(v.in(0).dtype)), it == DType::kInt64));
}

LayerOr makeWhereLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  for (size_t i = 0; i < 3; ++i) {
    GS_RETURN_IF_ERROR(v.requireInput(i, i == 0 ? "condition" : "X/Y"));
    GS_RETURN_IF_ERROR(v.requireKnown(v.in(i), "input"));
  }
  GS_RETURN_IF_ERROR(v.requireKnown(v.out(0), "output"));
  if (v.in(0).dtype != DType::kBool) return v.invalid(fmt::format("condition has dtype {}; expected bool", dtypeName(v.in(0).dtype)));
  if (v.in(1).dtype != v.in(2).dtype || v.in(1).dtype != v.out(0).dtype) return v.invalid("X, Y and output dtypes differ");
  const Shape& out = v.out(0).shape;
  if (out.size() > size_t(kMaxCopyRank)) return v.invalid(fmt::format("rank {} > {}", out.size(), kMaxCopyRank));
  WhereParams p;
  p.rank = int(out.size());
  p.count = shapeElements(out);
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> cs, broadcastStrides(v, v.in(0).shape, out));
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> xs, broadcastStrides(v, v.in(1).shape, out));
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> ys, broadcastStrides(v, v.in(2).shape, out));
  for (size_t k = 0; k < out.size(); ++k) {
    p.shape[k] = out[k];
    p.cond_stride[k] = cs[k];
    p.x_stride[k] = xs[k];
    p.y_stride[k] = ys[k];
  }
  return wrap(std::make_unique<WhereLayer>(v.where, p, int(dtypeSize(v.out(0).dtype))));
}

LayerOr makeCastLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  GS_RETURN_IF_ERROR(v.requireInput(0, "input"));
  GS_RETURN_IF_ERROR(v.requireKnown(v.in(0), "input"));
  GS_RETURN_IF_ERROR(v.requireKnown(v.out(0), "output"));
  DType from = v.in(0).dtype, to = v.out(0).dtype;
  if (v.attrs().has("to")) {
    std::optional<DType> attr_to = dtypeFromOnnx(int32_t(v.attrs().getInt("to", 0)));
    if (!attr_to || *attr_to != to)
      return v.invalid(fmt::format("attribute to={} does not match the output dtype {}", v.attrs().getInt("to", 0), dtypeName(to)));
  }
  if (!castSupported(from, to))
    return v.invalid(fmt::format("cast {} -> {} is not supported on the GPU", dtypeName(from), dtypeName(to)));
  if (v.in(0).elements() != v.out(0).elements()) return v.invalid("input and output element counts differ");
  bool reformat = v.node.op == "gpuscope.Reformat";
  std::string tactic = fmt::format("gpuscope_{}_{}_to_{}", reformat ? "reformat" : "cast", dtypeName(from), dtypeName(to));
  return wrap(std::make_unique<CastLayer>(v.where, std::move(tactic), reformat ? "Reformat" : "Cast", from, to,
                                          v.in(0).elements()));
}

LayerOr makeTriluLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  GS_RETURN_IF_ERROR(v.requireInput(0, "input"));
  GS_RETURN_IF_ERROR(v.requireKnown(v.in(0), "input"));
  const Shape& s = v.in(0).shape;
  if (s.size() < 2) return v.invalid("Trilu needs rank >= 2");
  if (v.out(0) != v.in(0)) return v.invalid("output desc differs from the input's");
  int64_t k = 0;
  if (v.hasInput(1)) {
    GS_ASSIGN_OR_RETURN(std::vector<int64_t> kv, v.constInts(1, "k"));
    if (kv.size() != 1) return v.invalid("k must be a scalar");
    k = kv[0];
  }
  int64_t rows = s[s.size() - 2], cols = s[s.size() - 1];
  int64_t batch = rows * cols == 0 ? 0 : shapeElements(s) / (rows * cols);
  return wrap(std::make_unique<TriluLayer>(v.where, batch, rows, cols, k, v.attrs().getInt("upper", 1) != 0,
                                           int(dtypeSize(v.in(0).dtype))));
}

}  // namespace gpuscope::engine::gpu
