// ONNX Conv and gpuscope.Conv on cuDNN 9's legacy convolution API. Tactics
// are the forward algorithms cudnnGetConvolutionForwardAlgorithm_v7 reports
// as supported for this exact problem. Bias + residual + ReLU/identity run
// fused in cudnnConvolutionBiasActivationForward when cuDNN supports the
// combination (identity only with IMPLICIT_PRECOMP_GEMM); otherwise (other
// activations, or the fused call answers NOT_SUPPORTED) the plain
// convolution is followed by one epilogue kernel (bias + Z + activation).
// gpuscope.Conv with layout = "NHWC" (the layout pass's form for fp16/bf16)
// describes X, Y and Z as NHWC tensors and W as an NHWC (KRSC) filter, which
// is what cuDNN's tensor-core kernels read without internal transposes; the
// epilogue kernel then sees channels as the innermost dim.
#include <fmt/format.h>

#include <algorithm>

#include "engine/gpu/cuda_check.h"
#include "engine/gpu/nn/layer_base.h"
#include "engine/gpu/nn/nn_kernels.h"
#include "engine/gpu/nn/nn_layers.h"

namespace gpuscope::engine::gpu {
namespace {

const char* algoName(cudnnConvolutionFwdAlgo_t a) {
  switch (a) {
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM: return "IMPLICIT_GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM: return "IMPLICIT_PRECOMP_GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_GEMM: return "GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_DIRECT: return "DIRECT";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT: return "FFT";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING: return "FFT_TILING";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD: return "WINOGRAD";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED: return "WINOGRAD_NONFUSED";
    default: return "UNKNOWN";
  }
}

cudnnDataType_t cudnnType(DType t) {
  switch (t) {
    case DType::kFloat16: return CUDNN_DATA_HALF;
    case DType::kBFloat16: return CUDNN_DATA_BFLOAT16;
    default: return CUDNN_DATA_FLOAT;
  }
}

struct ConvAlgo {
  cudnnConvolutionFwdAlgo_t algo;
  cudnnMathType_t math;
  size_t workspace;
};

class ConvLayer : public GpuLayer {
 public:
  explicit ConvLayer(std::string where) : where_(std::move(where)) {}
  ~ConvLayer() override {
    if (x_) cudnnDestroyTensorDescriptor(x_);
    if (y_) cudnnDestroyTensorDescriptor(y_);
    if (b_) cudnnDestroyTensorDescriptor(b_);
    if (w_) cudnnDestroyFilterDescriptor(w_);
    if (conv_) cudnnDestroyConvolutionDescriptor(conv_);
    if (act_desc_) cudnnDestroyActivationDescriptor(act_desc_);
    if (zero_bias_) cudaFree(zero_bias_);
  }

  Status init(const NodeView& v, GpuContext& ctx);

  std::vector<Tactic> tactics() const override {
    std::vector<Tactic> t;
    for (const ConvAlgo& a : algos_) t.push_back({uint64_t(a.algo), fmt::format("cudnn_conv_fwd_{}", algoName(a.algo))});
    return t;
  }
  Status select(uint64_t id) override {
    for (size_t i = 0; i < algos_.size(); ++i)
      if (uint64_t(algos_[i].algo) == id) {
        selected_ = int(i);
        GS_CUDNN_CHECK(cudnnSetConvolutionMathType(conv_, algos_[i].math), where_);
        return OkStatus();
      }
    return InvalidInput(fmt::format("{}: tactic 0x{:016x} is not a supported cuDNN algorithm here", where_, id));
  }
  size_t workspaceBytes() const override {
    if (selected_ >= 0) return algos_[size_t(selected_)].workspace;
    size_t w = 0;
    for (const ConvAlgo& a : algos_) w = std::max(w, a.workspace);
    return w;
  }
  Status enqueue(const LayerBindings& b, void* stream) override;
  std::string_view layerType() const override { return "CaskConvolution"; }
  std::string_view parameterType() const override { return "Convolution"; }

 private:
  Status unfused(const LayerBindings& b, const ConvAlgo& a, cudaStream_t s);

  std::string where_;
  cudnnHandle_t handle_ = nullptr;
  cudnnTensorDescriptor_t x_ = nullptr, y_ = nullptr, b_ = nullptr;
  cudnnFilterDescriptor_t w_ = nullptr;
  cudnnConvolutionDescriptor_t conv_ = nullptr;
  cudnnActivationDescriptor_t act_desc_ = nullptr;
  std::vector<ConvAlgo> algos_;
  int selected_ = -1;
  DType dtype_ = DType::kFloat32;
  Act act_ = Act::kNone;
  float clip_min_ = 0, clip_max_ = 0;
  bool has_bias_ = false, has_z_ = false;
  bool nhwc_ = false;
  void* zero_bias_ = nullptr;  // fused API needs a bias; zeros when the node has none
  int64_t out_count_ = 0, out_channels_ = 0, out_inner_ = 0;
};

Status ConvLayer::init(const NodeView& v, GpuContext& ctx) {
  handle_ = static_cast<cudnnHandle_t>(ctx.cudnn);
  if (!handle_) return InternalError(where_ + ": GpuContext has no cuDNN handle");
  GS_RETURN_IF_ERROR(v.requireInput(0, "X"));
  GS_RETURN_IF_ERROR(v.requireInput(1, "W"));
  GS_RETURN_IF_ERROR(v.requireFloat(v.in(0), "X"));
  GS_RETURN_IF_ERROR(v.requireFloat(v.in(1), "W"));
  GS_RETURN_IF_ERROR(v.requireFloat(v.out(0), "Y"));
  const std::string layout = v.attrs().getString("layout", "NCHW");
  if (layout != "NCHW" && layout != "NHWC") return v.invalid(fmt::format("unknown layout '{}'", layout));
  nhwc_ = layout == "NHWC";
  // Everything below reasons in NCHW order: an NHWC node's X [N,H,W,C],
  // W [M,kH,kW,C/g] and Y [N,OH,OW,M] are viewed as [N,C,H,W] etc.
  TensorDesc x = v.in(0), w = v.in(1), y = v.out(0);
  if (nhwc_) {
    if (x.shape.size() != 4 || w.shape.size() != 4 || y.shape.size() != 4)
      return v.invalid(fmt::format("layout NHWC needs rank-4 X {} W {} Y {}", shapeText(x.shape), shapeText(w.shape),
                                   shapeText(y.shape)));
    for (TensorDesc* d : {&x, &w, &y}) d->shape = Shape{d->shape[0], d->shape[3], d->shape[1], d->shape[2]};
  }
  dtype_ = x.dtype;
  if (w.dtype != dtype_ || y.dtype != dtype_) return v.invalid("X, W and Y must share one dtype");
  const size_t rank = x.shape.size();
  if (rank < 3 || rank > 5 || w.shape.size() != rank || y.shape.size() != rank)
    return v.invalid(fmt::format("convolution supports 1-3 spatial dims; X {} W {}", shapeText(x.shape), shapeText(w.shape)));
  const size_t sp = rank - 2;
  has_bias_ = v.hasInput(2);
  has_z_ = v.hasInput(3);
  if (has_bias_ && (v.in(2).dtype != dtype_ || v.in(2).elements() != w.shape[0]))
    return v.invalid(fmt::format("bias must have {} elements of the input dtype", w.shape[0]));
  if (has_z_ && v.in(3) != v.out(0)) return v.invalid("residual Z must have the output's shape and dtype");

  std::string act = v.attrs().getString("activation", "");
  if (act.empty()) act_ = Act::kNone;
  else if (act == "Relu") act_ = Act::kRelu;
  else if (act == "Clip") {
    act_ = Act::kClip;
    clip_min_ = v.attrs().getFloat("clip_min", -3.4e38f);
    clip_max_ = v.attrs().getFloat("clip_max", 3.4e38f);
  } else if (act == "Sigmoid") act_ = Act::kSigmoid;
  else if (act == "Tanh") act_ = Act::kTanh;
  else return v.invalid(fmt::format("unsupported activation '{}'", act));

  std::vector<int64_t> strides = v.attrs().getInts("strides"), pads = v.attrs().getInts("pads"),
                       dil = v.attrs().getInts("dilations");
  if (strides.empty()) strides.assign(sp, 1);
  if (dil.empty()) dil.assign(sp, 1);
  if (pads.empty()) pads.assign(2 * sp, 0);
  std::string auto_pad = v.attrs().getString("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID") {
    for (size_t k = 0; k < sp; ++k) {
      int64_t total = std::max<int64_t>(0, (y.shape[k + 2] - 1) * strides[k] + (w.shape[k + 2] - 1) * dil[k] + 1 - x.shape[k + 2]);
      pads[k] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pads[k + sp] = total - pads[k];
    }
  } else if (auto_pad == "VALID") {
    pads.assign(2 * sp, 0);
  }
  if (strides.size() != sp || dil.size() != sp || pads.size() != 2 * sp) return v.invalid("strides/dilations/pads rank mismatch");
  for (size_t k = 0; k < sp; ++k)
    if (pads[k] != pads[k + sp])
      return v.invalid(fmt::format("asymmetric padding {}/{} on spatial dim {} is not supported by cuDNN", pads[k], pads[k + sp], k));
  int64_t group = v.attrs().getInt("group", 1);
  if (group < 1 || x.shape[1] != w.shape[1] * group || w.shape[0] % group != 0)
    return v.invalid(fmt::format("channels X {} / W {} do not match group {}", shapeText(x.shape), shapeText(w.shape), group));

  // 1-D convolutions become 2-D with H = 1 (cuDNN needs >= 4-D descriptors).
  auto dims = [&](const Shape& s) {
    std::vector<int> d;
    for (size_t k = 0; k < 2; ++k) d.push_back(int(s[k]));
    if (sp == 1) d.push_back(1);
    for (size_t k = 2; k < s.size(); ++k) d.push_back(int(s[k]));
    return d;
  };
  auto stridesOf = [](const std::vector<int>& d) {
    std::vector<int> s(d.size(), 1);
    for (int k = int(d.size()) - 2; k >= 0; --k) s[size_t(k)] = s[size_t(k) + 1] * d[size_t(k) + 1];
    return s;
  };
  for (const Shape* s : {&x.shape, &w.shape, &y.shape})
    for (int64_t d : *s)
      if (d > 0x7fffffff) return v.invalid("dimension too large for cuDNN");
  std::vector<int> xd = dims(x.shape), wd = dims(w.shape), yd = dims(y.shape);
  std::vector<int> cpad, cstride, cdil;
  if (sp == 1) {
    cpad.push_back(0);
    cstride.push_back(1);
    cdil.push_back(1);
  }
  for (size_t k = 0; k < sp; ++k) {
    cpad.push_back(int(pads[k]));
    cstride.push_back(int(strides[k]));
    cdil.push_back(int(dil[k]));
  }
  const cudnnDataType_t dt = cudnnType(dtype_);
  GS_CUDNN_CHECK(cudnnCreateTensorDescriptor(&x_), where_);
  GS_CUDNN_CHECK(cudnnCreateTensorDescriptor(&y_), where_);
  GS_CUDNN_CHECK(cudnnCreateTensorDescriptor(&b_), where_);
  GS_CUDNN_CHECK(cudnnCreateFilterDescriptor(&w_), where_);
  GS_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&conv_), where_);
  GS_CUDNN_CHECK(cudnnCreateActivationDescriptor(&act_desc_), where_);
  if (nhwc_) {
    // 4-D descriptors take NCHW-ordered dims; the format sets the strides.
    GS_CUDNN_CHECK(cudnnSetTensor4dDescriptor(x_, CUDNN_TENSOR_NHWC, dt, xd[0], xd[1], xd[2], xd[3]), where_);
    GS_CUDNN_CHECK(cudnnSetTensor4dDescriptor(y_, CUDNN_TENSOR_NHWC, dt, yd[0], yd[1], yd[2], yd[3]), where_);
    GS_CUDNN_CHECK(cudnnSetFilter4dDescriptor(w_, dt, CUDNN_TENSOR_NHWC, wd[0], wd[1], wd[2], wd[3]), where_);
  } else {
    GS_CUDNN_CHECK(cudnnSetTensorNdDescriptor(x_, dt, int(xd.size()), xd.data(), stridesOf(xd).data()), where_);
    GS_CUDNN_CHECK(cudnnSetTensorNdDescriptor(y_, dt, int(yd.size()), yd.data(), stridesOf(yd).data()), where_);
    GS_CUDNN_CHECK(cudnnSetFilterNdDescriptor(w_, dt, CUDNN_TENSOR_NCHW, int(wd.size()), wd.data()), where_);
  }
  std::vector<int> bd(yd.size(), 1);
  bd[1] = yd[1];
  GS_CUDNN_CHECK(cudnnSetTensorNdDescriptor(b_, dt, int(bd.size()), bd.data(), stridesOf(bd).data()), where_);
  GS_CUDNN_CHECK(cudnnSetConvolutionNdDescriptor(conv_, int(cpad.size()), cpad.data(), cstride.data(), cdil.data(),
                                                 CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
                 where_);
  GS_CUDNN_CHECK(cudnnSetConvolutionGroupCount(conv_, int(group)), where_);
  // fp32 stays on FMA math (TF32 would miss the 1e-4 tolerance).
  const cudnnMathType_t math = dtype_ == DType::kFloat32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH;
  GS_CUDNN_CHECK(cudnnSetConvolutionMathType(conv_, math), where_);
  GS_CUDNN_CHECK(cudnnSetActivationDescriptor(act_desc_, act_ == Act::kRelu ? CUDNN_ACTIVATION_RELU : CUDNN_ACTIVATION_IDENTITY,
                                              CUDNN_NOT_PROPAGATE_NAN, 0.0),
                 where_);
  std::vector<int> got(yd.size());
  GS_CUDNN_CHECK(cudnnGetConvolutionNdForwardOutputDim(conv_, x_, w_, int(got.size()), got.data()), where_);
  if (got != yd)
    return v.invalid(fmt::format("cuDNN computes an output of {} dims different from the inferred {}", got.size(), shapeText(y.shape)));

  int returned = 0;
  cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
  GS_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(handle_, x_, w_, conv_, y_, CUDNN_CONVOLUTION_FWD_ALGO_COUNT,
                                                        &returned, perf),
                 where_);
  for (int i = 0; i < returned; ++i) {
    const auto& p = perf[i];
    if (p.status != CUDNN_STATUS_SUCCESS) continue;
    // Winograd's transforms lose precision (~1e-4 relative in fp32), which
    // would break the engine's fp32 1e-4 contract; halves keep them.
    if (dtype_ == DType::kFloat32 && (p.algo == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD ||
                                      p.algo == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED))
      continue;
    bool dup = std::any_of(algos_.begin(), algos_.end(), [&](const ConvAlgo& a) { return a.algo == p.algo; });
    if (dup) continue;
    // fp32 always runs with FMA math (DEFAULT would allow TF32); halves use
    // the math type the algorithm was reported for. The workspace is queried
    // with that math type.
    const cudnnMathType_t m = dtype_ == DType::kFloat32 ? CUDNN_FMA_MATH : p.mathType;
    GS_CUDNN_CHECK(cudnnSetConvolutionMathType(conv_, m), where_);
    size_t ws = 0;
    if (cudnnGetConvolutionForwardWorkspaceSize(handle_, x_, w_, conv_, y_, p.algo, &ws) != CUDNN_STATUS_SUCCESS) continue;
    algos_.push_back({p.algo, m, std::max(ws, dtype_ == DType::kFloat32 ? ws : p.memory)});
  }
  if (algos_.empty())
    return v.invalid(fmt::format("cuDNN reports no supported forward algorithm for X {} W {} ({})", shapeText(x.shape),
                                 shapeText(w.shape), dtypeName(dtype_)));
  // Until the builder selects, enqueue runs the first (cuDNN's preferred) one.
  GS_CUDNN_CHECK(cudnnSetConvolutionMathType(conv_, algos_[0].math), where_);

  out_count_ = y.elements();
  out_channels_ = y.shape[1];
  // NCHW: channel of element i is (i / (H*W)) % C; NHWC: i % C.
  out_inner_ = nhwc_ ? 1 : (out_channels_ ? out_count_ / (y.shape[0] * out_channels_) : 1);
  if (!has_bias_ && (act_ == Act::kNone || act_ == Act::kRelu)) {
    size_t bytes = size_t(out_channels_) * dtypeSize(dtype_);
    GS_CUDA_CHECK(cudaMalloc(&zero_bias_, bytes), where_);
    GS_CUDA_CHECK(cudaMemset(zero_bias_, 0, bytes), where_);
  }
  return OkStatus();
}

Status ConvLayer::unfused(const LayerBindings& b, const ConvAlgo& a, cudaStream_t s) {
  const float one = 1.f, zero = 0.f;
  GS_CUDNN_CHECK(cudnnConvolutionForward(handle_, &one, x_, b.inputs[0], w_, b.inputs[1], conv_, a.algo, b.workspace,
                                         a.workspace, &zero, y_, b.outputs[0]),
                 where_);
  const void* bias = has_bias_ ? b.inputs[2] : nullptr;
  const void* z = has_z_ ? b.inputs[3] : nullptr;
  if (bias || z || act_ != Act::kNone)
    GS_CUDA_CHECK(launchBiasAct(b.outputs[0], bias, z, dtype_, out_count_, out_channels_, out_inner_, act_, clip_min_,
                                clip_max_, s),
                  where_);
  return OkStatus();
}

Status ConvLayer::enqueue(const LayerBindings& b, void* stream) {
  if (b.inputs.size() < 2 + size_t(has_bias_) + size_t(has_z_) || b.outputs.empty())
    return InternalError(where_ + ": bindings have fewer inputs/outputs than the node");
  auto s = static_cast<cudaStream_t>(stream);
  const ConvAlgo& a = algos_[size_t(std::max(selected_, 0))];
  if (a.workspace > 0 && b.workspace == nullptr)
    return InternalError(fmt::format("{}: {} bytes of workspace needed, none bound", where_, a.workspace));
  GS_CUDNN_CHECK(cudnnSetStream(handle_, s), where_);
  const bool fusable = act_ == Act::kRelu || (act_ == Act::kNone && a.algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM);
  if (fusable) {
    const float one = 1.f, alpha2 = has_z_ ? 1.f : 0.f;
    const void* z = has_z_ ? b.inputs[3] : b.outputs[0];
    const void* bias = has_bias_ ? b.inputs[2] : zero_bias_;
    cudnnStatus_t st = cudnnConvolutionBiasActivationForward(handle_, &one, x_, b.inputs[0], w_, b.inputs[1], conv_,
                                                             a.algo, b.workspace, a.workspace, &alpha2, y_, z, b_, bias,
                                                             act_desc_, y_, b.outputs[0]);
    if (st == CUDNN_STATUS_SUCCESS) return OkStatus();
    if (st != CUDNN_STATUS_NOT_SUPPORTED)
      return cudacheck::cudnn(st, "cudnnConvolutionBiasActivationForward", __FILE__, __LINE__, where_);
    // not supported for this algo/config: fall through to conv + epilogue
  }
  return unfused(b, a, s);
}

}  // namespace

LayerOr makeConvLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  auto layer = std::make_unique<ConvLayer>(v.where);
  GS_RETURN_IF_ERROR(layer->init(v, args.ctx));
  return wrap(std::move(layer));
}

}  // namespace gpuscope::engine::gpu
