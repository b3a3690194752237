// Softmax / LogSoftmax, LayerNormalization and inference BatchNormalization
// on the hand-written kernels of nn_kernels.cu.
#include <fmt/format.h>

#include "engine/gpu/cuda_check.h"
#include "engine/gpu/nn/layer_base.h"
#include "engine/gpu/nn/nn_kernels.h"
#include "engine/gpu/nn/nn_layers.h"

namespace gpuscope::engine::gpu {
namespace {

class SoftmaxLayer : public SingleTacticLayer {
 public:
  SoftmaxLayer(std::string where, DType t, int64_t outer, int64_t axis, int64_t inner, bool log)
      : SingleTacticLayer(std::move(where), inner == 1 ? "gpuscope_softmax_rows" : "gpuscope_softmax_strided",
                          "CudaSoftMax", "SoftMax"),
        t_(t), outer_(outer), axis_(axis), inner_(inner), log_(log) {}
  Status enqueue(const LayerBindings& b, void* stream) override {
    GS_CUDA_CHECK(launchSoftmax(b.inputs.at(0), b.outputs.at(0), t_, outer_, axis_, inner_, log_,
                                static_cast<cudaStream_t>(stream)),
                  where_);
    return OkStatus();
  }

 private:
  DType t_;
  int64_t outer_, axis_, inner_;
  bool log_;
};

class LayerNormLayer : public SingleTacticLayer {
 public:
  LayerNormLayer(std::string where, DType t, DType stat_t, int64_t rows, int64_t cols, float eps)
      : SingleTacticLayer(std::move(where), "gpuscope_layernorm", "LayerNorm", "Normalization"),
        t_(t), stat_t_(stat_t), rows_(rows), cols_(cols), eps_(eps) {}
  Status enqueue(const LayerBindings& b, void* stream) override {
    const void* scale = b.inputs.size() > 1 ? b.inputs[1] : nullptr;
    const void* bias = b.inputs.size() > 2 ? b.inputs[2] : nullptr;
    void* mean = b.outputs.size() > 1 ? b.outputs[1] : nullptr;
    void* inv = b.outputs.size() > 2 ? b.outputs[2] : nullptr;
    GS_CUDA_CHECK(launchLayerNorm(b.inputs.at(0), scale, bias, b.outputs.at(0), mean, inv, t_, stat_t_, rows_, cols_,
                                  eps_, static_cast<cudaStream_t>(stream)),
                  where_);
    return OkStatus();
  }

 private:
  DType t_, stat_t_;
  int64_t rows_, cols_;
  float eps_;
};

class BatchNormLayer : public SingleTacticLayer {
 public:
  BatchNormLayer(std::string where, DType t, int64_t n, int64_t c, int64_t spatial, float eps)
      : SingleTacticLayer(std::move(where), "gpuscope_batchnorm", "Scale", "Scale"),
        t_(t), n_(n), c_(c), spatial_(spatial), eps_(eps) {}
  Status enqueue(const LayerBindings& b, void* stream) override {
    GS_CUDA_CHECK(launchBatchNorm(b.inputs.at(0), b.inputs.at(1), b.inputs.at(2), b.inputs.at(3), b.inputs.at(4),
                                  b.outputs.at(0), t_, n_, c_, spatial_, eps_, static_cast<cudaStream_t>(stream)),
                  where_);
    return OkStatus();
  }

 private:
  DType t_;
  int64_t n_, c_, spatial_;
  float eps_;
};

}  // namespace

LayerOr makeSoftmaxLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  GS_RETURN_IF_ERROR(v.requireInput(0, "input"));
  GS_RETURN_IF_ERROR(v.requireFloat(v.in(0), "input"));
  if (v.out(0) != v.in(0)) return v.invalid("output desc differs from the input's");
  const Shape& s = v.in(0).shape;
  const int64_t rank = int64_t(s.size());
  if (rank == 0) return v.invalid("Softmax of a scalar");
  const bool legacy = args.graph.opset > 0 && args.graph.opset < 13;  // 2-D coercion before opset 13
  GS_ASSIGN_OR_RETURN(int64_t axis, normalizeAxis(v, v.attrs().getInt("axis", legacy ? 1 : -1), rank));
  int64_t outer = 1, mid = 1, inner = 1;
  for (int64_t k = 0; k < rank; ++k) {
    if (k < axis) outer *= s[size_t(k)];
    else if (k == axis || legacy) mid *= s[size_t(k)];
    else inner *= s[size_t(k)];
  }
  return wrap(std::make_unique<SoftmaxLayer>(v.where, v.in(0).dtype, outer, mid, inner, v.node.op == "LogSoftmax"));
}

LayerOr makeLayerNormLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  GS_RETURN_IF_ERROR(v.requireInput(0, "X"));
  GS_RETURN_IF_ERROR(v.requireFloat(v.in(0), "X"));
  const TensorDesc& x = v.in(0);
  if (v.out(0) != x) return v.invalid("output desc differs from the input's");
  const int64_t rank = int64_t(x.shape.size());
  if (rank == 0) return v.invalid("LayerNormalization of a scalar");
  GS_ASSIGN_OR_RETURN(int64_t axis, normalizeAxis(v, v.attrs().getInt("axis", -1), rank));
  int64_t rows = 1, cols = 1;
  for (int64_t k = 0; k < rank; ++k) (k < axis ? rows : cols) *= x.shape[size_t(k)];
  for (size_t i = 1; i < 3; ++i) {
    if (!v.hasInput(i)) continue;
    if (v.in(i).dtype != x.dtype) return v.invalid(fmt::format("input {} dtype differs from X's", i));
    if (v.in(i).elements() != cols)
      return v.invalid(fmt::format("input {} has {} elements; expected {} (the normalized dims)", i, v.in(i).elements(), cols));
  }
  DType stat = DType::kFloat32;
  for (size_t o = 1; o < 3; ++o) {
    if (!v.hasOutput(o)) continue;
    GS_RETURN_IF_ERROR(v.requireFloat(v.out(o), "mean/inv_std output"));
    if (v.out(o).elements() != rows) return v.invalid("mean/inv_std output size differs from the row count");
    stat = v.out(o).dtype;
  }
  if (v.hasOutput(1) && v.hasOutput(2) && v.out(1).dtype != v.out(2).dtype) return v.invalid("mean and inv_std dtypes differ");
  return wrap(std::make_unique<LayerNormLayer>(v.where, x.dtype, stat, rows, cols, v.attrs().getFloat("epsilon", 1e-5f)));
}

LayerOr makeBatchNormLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  for (size_t i = 0; i < 5; ++i) {
    GS_RETURN_IF_ERROR(v.requireInput(i, "X/scale/B/mean/var"));
    GS_RETURN_IF_ERROR(v.requireFloat(v.in(i), "input"));
    if (v.in(i).dtype != v.in(0).dtype) return v.invalid("inputs of different dtypes");
  }
  if (v.attrs().getInt("training_mode", 0) != 0) return v.invalid("training_mode=1 is not supported on the GPU");
  for (size_t o = 1; o < v.node.outputs.size(); ++o)
    if (v.hasOutput(o)) return v.invalid("running mean/var outputs (training) are not supported on the GPU");
  const Shape& s = v.in(0).shape;
  if (s.size() < 2) return v.invalid("X must have rank >= 2");
  int64_t c = s[1], spatial = 1;
  for (size_t k = 2; k < s.size(); ++k) spatial *= s[k];
  for (size_t i = 1; i < 5; ++i)
    if (v.in(i).elements() != c) return v.invalid(fmt::format("input {} must have C={} elements", i, c));
  return wrap(std::make_unique<BatchNormLayer>(v.where, v.in(0).dtype, s[0], c, spatial,
                                               v.attrs().getFloat("epsilon", 1e-5f)));
}

}  // namespace gpuscope::engine::gpu
