// Launchers of the hand-written normalization / reduction / pooling /
// activation kernels (nn_kernels.cu). Float tensors only (fp32/fp16/bf16 via
// DType), all math in fp32. Launchers only enqueue (graph-capture safe).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "engine/ir/dtype.h"

namespace gpuscope::engine::gpu {

inline constexpr int kMaxReduceRank = 8;

// Which kernel a launcher runs. kAuto: the vectorised one (vector_kernels.h:
// 16-byte accesses, rows in registers) whenever the width and the addresses
// allow it, else the scalar one. kScalar: always the scalar kernel (the
// fallback, kept reachable so tests and benchmarks compare the two).
// kVector: only the vectorised one; cudaErrorNotSupported, launching nothing,
// where it does not apply (tests use it to check which shapes take it).
enum class KernelPath : int { kAuto, kScalar, kVector };

// Softmax / LogSoftmax over the middle dim of [outer, axis, inner].
cudaError_t launchSoftmax(const void* x, void* y, DType t, int64_t outer, int64_t axis, int64_t inner, bool log,
                          cudaStream_t stream, KernelPath path = KernelPath::kAuto);

// LayerNormalization over the last `cols` elements of each of `rows` rows.
// scale/bias (nullable) have `cols` elements of dtype t; mean/inv_std
// (nullable) get one value per row in dtype `stat_t`.
cudaError_t launchLayerNorm(const void* x, const void* scale, const void* bias, void* y, void* mean, void* inv_std,
                            DType t, DType stat_t, int64_t rows, int64_t cols, float epsilon, cudaStream_t stream,
                            KernelPath path = KernelPath::kAuto);

// Inference BatchNormalization of [n, c, spatial]: y = (x - mean) / sqrt(var + eps) * scale + bias.
cudaError_t launchBatchNorm(const void* x, const void* scale, const void* bias, const void* mean, const void* var,
                            void* y, DType t, int64_t n, int64_t c, int64_t spatial, float epsilon,
                            cudaStream_t stream);

enum class ReduceOp : int { kSum, kMean, kMax, kMin, kProd, kSumSquare, kL1, kL2, kLogSumExp };

// out[o] = reduce over r of in[offset(o) + offset(r)]: kept dims index the
// outputs (row-major), reduced dims the reduction; strides in elements.
struct ReduceParams {
  int kept_rank = 0, red_rank = 0;
  int64_t kept_shape[kMaxReduceRank] = {}, kept_stride[kMaxReduceRank] = {};
  int64_t red_shape[kMaxReduceRank] = {}, red_stride[kMaxReduceRank] = {};
  int64_t outputs = 0, reduced = 0;
  // true: one block per output (the reduced dims include the innermost,
  // contiguous one); false: one thread per output (outputs contiguous).
  bool block_per_output = true;
};
cudaError_t launchReduce(const ReduceParams& p, ReduceOp op, const void* x, void* y, DType t, cudaStream_t stream);

// MaxPool / AveragePool on [n*c, D, H, W] (1-D/2-D pools use D = 1 (and H = 1)),
// or channels-last [n, D, H, W, c] when channels_last (then `channels` = c).
struct PoolParams {
  int64_t planes = 0;                  // n * c
  int64_t channels = 1;                // c; used when channels_last
  bool channels_last = false;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1};
  int64_t kernel[3] = {1, 1, 1}, stride[3] = {1, 1, 1}, pad[3] = {0, 0, 0}, dilation[3] = {1, 1, 1};
  int64_t pad_end[3] = {0, 0, 0};
  bool max = true;
  bool count_include_pad = false;
};
cudaError_t launchPool(const PoolParams& p, const void* x, void* y, DType t, cudaStream_t stream);

// Epilogue of conv/gemm: y[i] = act(y[i] + bias[(i / inner) % channels] + z[i]);
// bias and z nullable. Acts as in fused_ops.h ("", Relu, Clip, Sigmoid, Tanh,
// Gelu (erf), GeluTanh).
enum class Act : int { kNone, kRelu, kClip, kSigmoid, kTanh, kGelu, kGeluTanh };
cudaError_t launchBiasAct(void* y, const void* bias, const void* z, DType t, int64_t count, int64_t channels,
                          int64_t inner, Act act, float clip_min, float clip_max, cudaStream_t stream,
                          KernelPath path = KernelPath::kAuto);

}  // namespace gpuscope::engine::gpu
