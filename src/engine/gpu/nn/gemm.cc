// MatMul, Gemm and gpuscope.Gemm on cuBLASLt. Row-major tensors are handled
// by computing D^T = B^T A^T in cuBLASLt's column-major terms (our B is its
// A). Batches: a 2-D B shared by a contiguous batched A folds the batch into
// M (one plain GEMM); one broadcast pattern becomes a strided batch (stride 0
// for a broadcast operand); anything else loops over the outer batch dims,
// one strided-batched call each. Bias, ReLU and tanh-GELU run as cuBLASLt
// epilogues; erf-GELU as a small kernel after the matmul. ONNX Gemm's full C
// and gpuscope.Gemm's residual are cuBLASLt's C, laid out exactly like D
// (same leading dimension, batch stride and per-call offsets), so the batch
// fold applies to them too. Tactics are the heuristic's algorithms (up to 8)
// for this exact problem.
#include <fmt/format.h>

#include <algorithm>

#include "engine/gpu/cuda_check.h"
#include "engine/gpu/nn/layer_base.h"
#include "engine/gpu/nn/nn_kernels.h"
#include "engine/gpu/nn/nn_layers.h"

namespace gpuscope::engine::gpu {
namespace {

constexpr size_t kMaxWorkspace = size_t(32) << 20;
constexpr int kMaxAlgos = 8;
constexpr size_t kMaxBatchLoop = 4096;

cudaDataType_t cudaType(DType t) {
  switch (t) {
    case DType::kFloat16: return CUDA_R_16F;
    case DType::kBFloat16: return CUDA_R_16BF;
    default: return CUDA_R_32F;
  }
}

struct BatchCall {
  int64_t a = 0, b = 0, c = 0, d = 0;  // element offsets of our A, B, C and D
};

class GemmLayer : public GpuLayer {
 public:
  explicit GemmLayer(std::string where) : where_(std::move(where)) {}
  ~GemmLayer() override {
    for (auto* l : {la_, lb_, lc_, ld_})
      if (l) cublasLtMatrixLayoutDestroy(l);
    if (desc_) cublasLtMatmulDescDestroy(desc_);
    if (pref_) cublasLtMatmulPreferenceDestroy(pref_);
  }
  Status init(const NodeView& v, GpuContext& ctx);
  Status queryAlgos();  // fills algos_/tactics_ from the heuristic

  std::vector<Tactic> tactics() const override { return tactics_; }
  Status select(uint64_t id) override {
    if (id >= algos_.size())
      return InvalidInput(fmt::format("{}: tactic 0x{:016x} out of range ({} cuBLASLt algorithms)", where_, id, algos_.size()));
    selected_ = int(id);
    return OkStatus();
  }
  size_t workspaceBytes() const override {
    if (selected_ >= 0) return algos_[size_t(selected_)].workspaceSize;
    size_t w = 0;
    for (const auto& a : algos_) w = std::max(w, a.workspaceSize);
    return w;
  }
  Status enqueue(const LayerBindings& b, void* stream) override;
  std::string_view layerType() const override { return has_bias_ ? "CaskGemmMatrixMultiply" : "MatrixMultiply"; }
  std::string_view parameterType() const override { return "MatrixMultiply"; }

 private:
  std::string where_;
  cublasLtHandle_t handle_ = nullptr;
  cublasLtMatmulDesc_t desc_ = nullptr;
  cublasLtMatrixLayout_t la_ = nullptr, lb_ = nullptr, lc_ = nullptr, ld_ = nullptr;
  cublasLtMatmulPreference_t pref_ = nullptr;
  std::vector<cublasLtMatmulHeuristicResult_t> algos_;
  std::vector<Tactic> tactics_;
  int selected_ = -1;
  DType dtype_ = DType::kFloat32;
  float alpha_ = 1.f, beta_ = 0.f;
  int a_in_ = 0, b_in_ = 1, bias_in_ = -1, c_in_ = -1;  // node input indices
  bool has_bias_ = false;
  bool erf_gelu_ = false;  // epilogue kernel after the matmul
  // Fallback when cuBLASLt has no kernel with the epilogue: bias/act by kernel.
  bool post_bias_ = false;
  Act post_act_ = Act::kNone;
  int64_t n_ = 0;
  int64_t out_count_ = 0;
  std::vector<BatchCall> calls_;
};

Status GemmLayer::init(const NodeView& v, GpuContext& ctx) {
  handle_ = static_cast<cublasLtHandle_t>(ctx.cublaslt);
  if (!handle_) return InternalError(where_ + ": GpuContext has no cuBLASLt handle");
  const std::string& op = v.node.op;
  GS_RETURN_IF_ERROR(v.requireInput(0, "A"));
  GS_RETURN_IF_ERROR(v.requireInput(1, "B"));
  const TensorDesc& a = v.in(0);
  const TensorDesc& bt = v.in(1);
  const TensorDesc& y = v.out(0);
  GS_RETURN_IF_ERROR(v.requireFloat(a, "A"));
  GS_RETURN_IF_ERROR(v.requireFloat(bt, "B"));
  GS_RETURN_IF_ERROR(v.requireFloat(y, "Y"));
  dtype_ = a.dtype;
  if (bt.dtype != dtype_ || y.dtype != dtype_) return v.invalid("A, B and Y must share one dtype");
  bool trans_a = false, trans_b = false;
  std::string act;
  if (op == "Gemm") {
    if (a.shape.size() != 2 || bt.shape.size() != 2) return v.invalid("Gemm needs 2-D A and B");
    trans_a = v.attrs().getInt("transA", 0) != 0;
    trans_b = v.attrs().getInt("transB", 0) != 0;
    alpha_ = v.attrs().getFloat("alpha", 1.f);
    float beta = v.attrs().getFloat("beta", 1.f);
    if (v.hasInput(2)) {
      const TensorDesc& c = v.in(2);
      if (c.dtype != dtype_) return v.invalid("C must have A's dtype");
      const int64_t n = y.shape[1];
      if (c.elements() == n && (c.shape.size() == 1 || (c.shape.size() == 2 && c.shape[0] == 1)) && n != 1) {
        if (beta != 1.f) return v.invalid("a bias-vector C with beta != 1 is not supported on the GPU");
        bias_in_ = 2;
      } else if (c.shape == y.shape) {
        c_in_ = 2;
        beta_ = beta;
      } else {
        return v.invalid(fmt::format("C of shape {} is not supported (use [N], [1,N] or [M,N])", shapeText(c.shape)));
      }
    }
  } else if (op == "gpuscope.Gemm") {
    trans_b = v.attrs().getInt("trans_b", 0) != 0;
    alpha_ = v.attrs().getFloat("alpha", 1.f);
    act = v.attrs().getString("activation", "");
    if (v.inputCount() > 4) return v.invalid("gpuscope.Gemm takes at most 4 inputs (A, B, bias, residual)");
    if (v.hasInput(2)) bias_in_ = 2;
    if (v.hasInput(3)) {
      const TensorDesc& r = v.in(3);
      if (r.dtype != dtype_ || r.shape != y.shape)
        return v.invalid(fmt::format("residual {} {} must be Y's {} {}", dtypeName(r.dtype), shapeText(r.shape),
                                     dtypeName(dtype_), shapeText(y.shape)));
      c_in_ = 3;
      beta_ = 1.f;
    }
  } else if (op != "MatMul") {
    return v.invalid("not a matrix multiply");
  }
  has_bias_ = bias_in_ >= 0;
  // Matrix dims; 1-D operands as in numpy (A [K] -> [1,K], B [K] -> [K,1]).
  Shape as = a.shape, bs = bt.shape;
  if (as.empty() || bs.empty()) return v.invalid("MatMul of a scalar");
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t m = trans_a ? as[as.size() - 1] : as[as.size() - 2];
  const int64_t k = trans_a ? as[as.size() - 2] : as[as.size() - 1];
  const int64_t kb = trans_b ? bs[bs.size() - 1] : bs[bs.size() - 2];
  const int64_t n = trans_b ? bs[bs.size() - 2] : bs[bs.size() - 1];
  if (k != kb) return v.invalid(fmt::format("inner dims differ: A {} B {}", shapeText(a.shape), shapeText(bt.shape)));
  if (has_bias_) {
    const TensorDesc& bias = v.in(size_t(bias_in_));
    if (bias.dtype != dtype_ || bias.elements() != n) return v.invalid(fmt::format("bias must have N={} elements of A's dtype", n));
  }
  // Batch dims broadcast numpy-style; strides in elements (0 = broadcast).
  const size_t rank = std::max(as.size(), bs.size());
  std::vector<int64_t> bshape(rank - 2, 1), sa(rank - 2, 0), sb(rank - 2, 0);
  {
    int64_t stride_a = m * k, stride_b = k * n;
    for (size_t i = 0; i + 2 < rank; ++i) {
      size_t d = rank - 3 - i;  // batch dim from the right
      int64_t da = i + 2 < as.size() ? as[as.size() - 3 - i] : 1;
      int64_t db = i + 2 < bs.size() ? bs[bs.size() - 3 - i] : 1;
      if (da != db && da != 1 && db != 1)
        return v.invalid(fmt::format("batch dims of A {} and B {} do not broadcast", shapeText(a.shape), shapeText(bt.shape)));
      bshape[d] = std::max(da, db);
      sa[d] = da == 1 ? 0 : stride_a;
      sb[d] = db == 1 ? 0 : stride_b;
      stride_a *= da;
      stride_b *= db;
    }
  }
  int64_t batch = 1;
  for (int64_t d : bshape) batch *= d;
  out_count_ = batch * m * n;
  if (out_count_ != y.elements())
    return v.invalid(fmt::format("output {} does not hold {}x{}x{} elements", shapeText(y.shape), batch, m, n));
  // Merge batch dims into (outer loop dims..., one strided dim).
  std::vector<int64_t> dims, msa, msb, msd;
  {
    int64_t stride_d = m * n * batch;
    for (size_t d = 0; d < bshape.size(); ++d) {
      stride_d /= bshape[d];
      if (bshape[d] == 1) continue;
      if (!dims.empty() && msa.back() == sa[d] * bshape[d] && msb.back() == sb[d] * bshape[d]) {
        dims.back() *= bshape[d];
        msa.back() = sa[d];
        msb.back() = sb[d];
        msd.back() = stride_d;
      } else {
        dims.push_back(bshape[d]);
        msa.push_back(sa[d]);
        msb.push_back(sb[d]);
        msd.push_back(stride_d);
      }
    }
  }
  int64_t rows_a = m;   // M as cuBLASLt sees it (batch folded in when possible)
  int64_t inner_batch = 1, isa = 0, isb = 0, isd = m * n;
  if (!dims.empty()) {
    inner_batch = dims.back();
    isa = msa.back();
    isb = msb.back();
    isd = msd.back();
    if (dims.size() == 1 && isb == 0 && !trans_a && isa == m * k) {
      // fold: A is [batch*M, K] contiguous, B shared; D (and C, laid out
      // like D) is then one [batch*M, N] matrix.
      rows_a = m * inner_batch;
      inner_batch = 1;
      isa = isd = 0;
    }
  }
  // Outer loop over the remaining batch dims.
  {
    size_t outer = 1;
    for (size_t d = 0; d + 1 < dims.size(); ++d) outer *= size_t(dims[d]);
    if (outer > kMaxBatchLoop) return v.invalid(fmt::format("batch broadcast pattern needs {} cuBLASLt calls", outer));
    for (size_t o = 0; o < outer; ++o) {
      BatchCall c;
      size_t rem = o;
      for (size_t dd = dims.empty() ? 0 : dims.size() - 1; dd-- > 0;) {
        int64_t idx = int64_t(rem % size_t(dims[dd]));
        rem /= size_t(dims[dd]);
        c.a += idx * msa[dd];
        c.b += idx * msb[dd];
        c.d += idx * msd[dd];
      }
      c.c = c.d;
      calls_.push_back(c);
    }
  }
  size_t align = 256;
  const size_t es = dtypeSize(dtype_);
  // Every matrix a call touches (loop offsets and batch strides) must meet
  // the alignment promised to the heuristic; buffers themselves are assumed
  // 256-byte aligned (cudaMalloc, the runtime's planner).
  std::vector<int64_t> offsets = {isa, isb, isd};
  for (const BatchCall& c : calls_) offsets.insert(offsets.end(), {c.a, c.b, c.c, c.d});
  for (int64_t off : offsets) {
    size_t bytes = size_t(off) * es;
    while (align > es && bytes % align != 0) align /= 2;
  }

  // cuBLASLt (column-major): D^T[N x M] = op(B^T) [N x K] * op(A^T) [K x M].
  const cudaDataType_t dt = cudaType(dtype_);
  GS_CUBLAS_CHECK(cublasLtMatmulDescCreate(&desc_, CUBLAS_COMPUTE_32F, CUDA_R_32F), where_);
  cublasOperation_t op_b = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N, op_a = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  GS_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSA, &op_b, sizeof(op_b)), where_);
  GS_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSB, &op_a, sizeof(op_a)), where_);
  cublasLtEpilogue_t epi = CUBLASLT_EPILOGUE_DEFAULT;
  if (act.empty()) epi = has_bias_ ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_DEFAULT;
  else if (act == "Relu") epi = has_bias_ ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_RELU;
  else if (act == "GeluTanh") epi = has_bias_ ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_GELU;
  else if (act == "Gelu") {
    epi = has_bias_ ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_DEFAULT;
    erf_gelu_ = true;
  } else {
    return v.invalid(fmt::format("unsupported activation '{}'", act));
  }
  GS_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof(epi)), where_);
  if (has_bias_) {
    cudaDataType_t bias_t = dt;
    GS_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &bias_t, sizeof(bias_t)), where_);
  }
  auto layout = [&](cublasLtMatrixLayout_t* l, int64_t r, int64_t c, int64_t ld, int64_t stride) -> Status {
    GS_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(l, dt, uint64_t(r), uint64_t(c), ld), where_);
    if (inner_batch > 1) {
      int32_t count = int32_t(inner_batch);
      GS_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(*l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)), where_);
      GS_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(*l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride, sizeof(stride)),
                      where_);
    }
    return OkStatus();
  };
  if (inner_batch > 0x7fffffff) return v.invalid("batch too large");
  // cuBLASLt's A = our B as stored: [K,N] row-major is N x K col-major (ld N); transposed [N,K] is K x N (ld K).
  GS_RETURN_IF_ERROR(trans_b ? layout(&la_, k, n, k, isb) : layout(&la_, n, k, n, isb));
  // cuBLASLt's B = our A as stored: [M,K] row-major is K x M (ld K); transposed [K,M] is M x K (ld M).
  GS_RETURN_IF_ERROR(trans_a ? layout(&lb_, rows_a, k, rows_a, isa) : layout(&lb_, k, rows_a, k, isa));
  GS_RETURN_IF_ERROR(layout(&lc_, n, rows_a, n, isd));
  GS_RETURN_IF_ERROR(layout(&ld_, n, rows_a, n, isd));

  GS_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&pref_), where_);
  size_t max_ws = kMaxWorkspace;
  GS_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(pref_, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &max_ws, sizeof(max_ws)),
                  where_);
  uint32_t align32 = uint32_t(align);
  for (auto attr : {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
                    CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES})
    GS_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(pref_, attr, &align32, sizeof(align32)), where_);
  GS_RETURN_IF_ERROR(queryAlgos());
  if (algos_.empty() && epi != CUBLASLT_EPILOGUE_DEFAULT) {
    // No kernel with this epilogue: plain GEMM, then bias/activation by kernel.
    post_bias_ = has_bias_;
    post_act_ = erf_gelu_ ? Act::kGelu
                          : (epi == CUBLASLT_EPILOGUE_RELU || epi == CUBLASLT_EPILOGUE_RELU_BIAS) ? Act::kRelu
                          : (epi == CUBLASLT_EPILOGUE_GELU || epi == CUBLASLT_EPILOGUE_GELU_BIAS) ? Act::kGeluTanh
                                                                                                  : Act::kNone;
    erf_gelu_ = false;
    epi = CUBLASLT_EPILOGUE_DEFAULT;
    GS_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof(epi)), where_);
    GS_RETURN_IF_ERROR(queryAlgos());
  }
  if (algos_.empty())
    return v.invalid(fmt::format("cuBLASLt has no algorithm for M={} N={} K={} batch={} ({})", m, n, k, batch, dtypeName(dtype_)));
  n_ = n;
  return OkStatus();
}

Status GemmLayer::queryAlgos() {
  cublasLtMatmulHeuristicResult_t results[kMaxAlgos] = {};
  int returned = 0;
  cublasStatus_t st = cublasLtMatmulAlgoGetHeuristic(handle_, desc_, la_, lb_, lc_, ld_, pref_, kMaxAlgos, results, &returned);
  if (st == CUBLAS_STATUS_NOT_SUPPORTED) returned = 0;  // no kernel for this configuration
  else GS_CUBLAS_CHECK(st, where_);
  for (int i = 0; i < returned; ++i) {
    if (results[i].state != CUBLAS_STATUS_SUCCESS) continue;
    int algo_id = -1;
    uint32_t tile = 0, stages = 0;
    size_t written = 0;
    cublasLtMatmulAlgoConfigGetAttribute(&results[i].algo, CUBLASLT_ALGO_CONFIG_ID, &algo_id, sizeof(algo_id), &written);
    cublasLtMatmulAlgoConfigGetAttribute(&results[i].algo, CUBLASLT_ALGO_CONFIG_TILE_ID, &tile, sizeof(tile), &written);
    cublasLtMatmulAlgoConfigGetAttribute(&results[i].algo, CUBLASLT_ALGO_CONFIG_STAGES_ID, &stages, sizeof(stages), &written);
    tactics_.push_back({uint64_t(algos_.size()),
                        fmt::format("cublasLt_{}_algo{}_tile{}_stages{}", algos_.size(), algo_id, tile, stages)});
    algos_.push_back(results[i]);
  }
  return OkStatus();
}

Status GemmLayer::enqueue(const LayerBindings& b, void* stream) {
  auto s = static_cast<cudaStream_t>(stream);
  const auto& algo = algos_[size_t(std::max(selected_, 0))];
  if (algo.workspaceSize > 0 && b.workspace == nullptr)
    return InternalError(fmt::format("{}: {} bytes of workspace needed, none bound", where_, algo.workspaceSize));
  if (b.inputs.size() < 2 || b.outputs.empty()) return InternalError(where_ + ": bindings lack inputs/outputs");
  if (has_bias_ && !post_bias_) {
    const void* bias = b.inputs.at(size_t(bias_in_));
    GS_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)), where_);
  }
  const size_t es = dtypeSize(dtype_);
  const char* a = static_cast<const char*>(b.inputs[size_t(a_in_)]);
  const char* bm = static_cast<const char*>(b.inputs[size_t(b_in_)]);
  char* d = static_cast<char*>(b.outputs[0]);
  const char* c = c_in_ >= 0 ? static_cast<const char*>(b.inputs.at(size_t(c_in_))) : d;
  const float beta = c_in_ >= 0 ? beta_ : 0.f;
  for (const BatchCall& call : calls_) {
    GS_CUBLAS_CHECK(cublasLtMatmul(handle_, desc_, &alpha_, bm + call.b * int64_t(es), la_, a + call.a * int64_t(es), lb_,
                                   &beta, c + call.c * int64_t(es), lc_, d + call.d * int64_t(es), ld_, &algo.algo,
                                   b.workspace, algo.workspaceSize, s),
                    where_);
  }
  if (erf_gelu_)
    GS_CUDA_CHECK(launchBiasAct(b.outputs[0], nullptr, nullptr, dtype_, out_count_, 1, 1, Act::kGelu, 0.f, 0.f, s), where_);
  if (post_bias_ || post_act_ != Act::kNone) {
    const void* bias = post_bias_ ? b.inputs.at(size_t(bias_in_)) : nullptr;
    GS_CUDA_CHECK(launchBiasAct(b.outputs[0], bias, nullptr, dtype_, out_count_, n_, 1, post_act_, 0.f, 0.f, s), where_);
  }
  return OkStatus();
}

}  // namespace

LayerOr makeGemmLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  auto layer = std::make_unique<GemmLayer>(v.where);
  GS_RETURN_IF_ERROR(layer->init(v, args.ctx));
  return wrap(std::move(layer));
}

}  // namespace gpuscope::engine::gpu
