// Softmax, LayerNorm, BatchNorm, reductions, pooling and the conv/gemm
// activation epilogue. Every kernel is templated only on the storage type
// (float, __half, __nv_bfloat16) and computes in fp32. These are the scalar,
// any-shape kernels; LayerNorm, row softmax and bias + activation first try
// the vectorised ones of vector_kernels.cu (KernelPath in nn_kernels.h).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cfloat>

#include "engine/gpu/nn/nn_kernels.h"
#include "engine/gpu/nn/activation.cuh"
#include "engine/gpu/nn/float_io.cuh"
#include "engine/gpu/nn/vector_kernels.h"

namespace gpuscope::engine::gpu {
namespace {

unsigned gridFor(int64_t n, int threads) {
  int64_t b = (n + threads - 1) / threads;
  return unsigned(b < 1 ? 1 : (b > 1048576 ? 1048576 : b));
}


__device__ __forceinline__ float warpSum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ __forceinline__ float warpMax(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Block-wide sum/max (blockDim.x a multiple of 32, <= 1024); every thread gets the result.
template <bool kMax>
__device__ float blockReduce(float v, float* smem) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  v = kMax ? warpMax(v) : warpSum(v);
  __syncthreads();  // smem reuse across calls
  if (lane == 0) smem[warp] = v;
  __syncthreads();
  float r = lane < warps ? smem[lane] : (kMax ? -INFINITY : 0.f);
  r = kMax ? warpMax(r) : warpSum(r);
  return r;
}

// ---------------- softmax
template <typename T>
__global__ void softmaxRowsKernel(const T* __restrict__ x, T* __restrict__ y, int64_t rows, int64_t cols, bool log) {
  const int lane = threadIdx.x & 31;
  const int64_t row = int64_t(blockIdx.x) * (blockDim.x >> 5) + (threadIdx.x >> 5);
  if (row >= rows) return;
  const T* xr = x + row * cols;
  T* yr = y + row * cols;
  float m = -INFINITY;
  for (int64_t c = lane; c < cols; c += 32) m = fmaxf(m, ld(xr, c));
  m = warpMax(m);
  float s = 0.f;
  for (int64_t c = lane; c < cols; c += 32) s += __expf(ld(xr, c) - m);
  s = warpSum(s);
  if (log) {
    float ls = logf(s);
    for (int64_t c = lane; c < cols; c += 32) st(yr, c, ld(xr, c) - m - ls);
  } else {
    float inv = 1.f / s;
    for (int64_t c = lane; c < cols; c += 32) st(yr, c, __expf(ld(xr, c) - m) * inv);
  }
}

template <typename T>
__global__ void softmaxStridedKernel(const T* __restrict__ x, T* __restrict__ y, int64_t outer, int64_t axis,
                                     int64_t inner, bool log) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < outer * inner;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t base = (i / inner) * axis * inner + i % inner;
    float m = -INFINITY;
    for (int64_t a = 0; a < axis; ++a) m = fmaxf(m, ld(x, base + a * inner));
    float s = 0.f;
    for (int64_t a = 0; a < axis; ++a) s += __expf(ld(x, base + a * inner) - m);
    float ls = logf(s), inv = 1.f / s;
    for (int64_t a = 0; a < axis; ++a) {
      float v = ld(x, base + a * inner) - m;
      st(y, base + a * inner, log ? v - ls : __expf(v) * inv);
    }
  }
}

// ---------------- layer norm (two-pass: mean, then mean of squared deviations)
template <typename T, typename S>
__global__ void layerNormKernel(const T* __restrict__ x, const T* __restrict__ scale, const T* __restrict__ bias,
                                T* __restrict__ y, S* __restrict__ mean_out, S* __restrict__ inv_out, int64_t cols,
                                float eps) {
  __shared__ float smem[32];
  const int64_t row = blockIdx.x;
  const T* xr = x + row * cols;
  T* yr = y + row * cols;
  float s = 0.f;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) s += ld(xr, c);
  const float mean = blockReduce<false>(s, smem) / float(cols);
  float q = 0.f;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
    float d = ld(xr, c) - mean;
    q += d * d;
  }
  const float inv = rsqrtf(blockReduce<false>(q, smem) / float(cols) + eps);
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
    float v = (ld(xr, c) - mean) * inv;
    if (scale) v *= ld(scale, c);
    if (bias) v += ld(bias, c);
    st(yr, c, v);
  }
  if (threadIdx.x == 0) {
    if (mean_out) st(mean_out, row, mean);
    if (inv_out) st(inv_out, row, inv);
  }
}

// ---------------- batch norm (inference)
template <typename T>
__global__ void batchNormKernel(const T* __restrict__ x, const T* __restrict__ scale, const T* __restrict__ bias,
                                const T* __restrict__ mean, const T* __restrict__ var, T* __restrict__ y, int64_t c,
                                int64_t spatial, int64_t count, float eps) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t ch = (i / spatial) % c;
    float v = (ld(x, i) - ld(mean, ch)) * rsqrtf(ld(var, ch) + eps);
    st(y, i, v * ld(scale, ch) + ld(bias, ch));
  }
}

// ---------------- reductions
__device__ __forceinline__ int64_t reducedOffset(const ReduceParams& p, int64_t r) {
  if (p.red_rank == 1) return r * p.red_stride[0];  // r < red_shape[0]: skip the 64-bit division
  int64_t off = 0;
  for (int k = p.red_rank - 1; k >= 0; --k) {
    off += (r % p.red_shape[k]) * p.red_stride[k];
    r /= p.red_shape[k];
  }
  return off;
}
__device__ __forceinline__ int64_t keptOffset(const ReduceParams& p, int64_t o) {
  int64_t off = 0;
  for (int k = p.kept_rank - 1; k >= 0; --k) {
    off += (o % p.kept_shape[k]) * p.kept_stride[k];
    o /= p.kept_shape[k];
  }
  return off;
}
__device__ __forceinline__ float reduceInit(ReduceOp op) {
  switch (op) {
    case ReduceOp::kMax: return -INFINITY;
    case ReduceOp::kMin: return INFINITY;
    case ReduceOp::kProd: return 1.f;
    default: return 0.f;
  }
}
// Folds element v into acc; `shift` is the row max for LogSumExp.
__device__ __forceinline__ float reduceStep(ReduceOp op, float acc, float v, float shift) {
  switch (op) {
    case ReduceOp::kMax: return fmaxf(acc, v);
    case ReduceOp::kMin: return fminf(acc, v);
    case ReduceOp::kProd: return acc * v;
    case ReduceOp::kSumSquare:
    case ReduceOp::kL2: return acc + v * v;
    case ReduceOp::kL1: return acc + fabsf(v);
    case ReduceOp::kLogSumExp: return acc + __expf(v - shift);
    default: return acc + v;
  }
}
__device__ __forceinline__ float reduceFinish(ReduceOp op, float acc, int64_t n, float shift) {
  switch (op) {
    case ReduceOp::kMean: return acc / float(n);
    case ReduceOp::kL2: return sqrtf(acc);
    case ReduceOp::kLogSumExp: return shift + logf(acc);
    default: return acc;
  }
}

template <typename T>
__global__ void reduceBlockKernel(ReduceParams p, ReduceOp op, const T* __restrict__ x, T* __restrict__ y) {
  __shared__ float smem[32];
  for (int64_t o = blockIdx.x; o < p.outputs; o += gridDim.x) {
    const T* xo = x + keptOffset(p, o);
    float shift = 0.f;
    if (op == ReduceOp::kLogSumExp) {
      float m = -INFINITY;
      for (int64_t r = threadIdx.x; r < p.reduced; r += blockDim.x) m = fmaxf(m, ld(xo, reducedOffset(p, r)));
      shift = blockReduce<true>(m, smem);
      if (shift == -INFINITY) shift = 0.f;
    }
    float acc = reduceInit(op);
    for (int64_t r = threadIdx.x; r < p.reduced; r += blockDim.x) acc = reduceStep(op, acc, ld(xo, reducedOffset(p, r)), shift);
    // combine partials: max/min/prod need their own combination
    float total;
    if (op == ReduceOp::kMax) {
      total = blockReduce<true>(acc, smem);
    } else if (op == ReduceOp::kMin) {
      total = -blockReduce<true>(-acc, smem);
    } else if (op == ReduceOp::kProd) {
      __syncthreads();  // smem may still be read by a previous output's reduction
      float w = acc;
      for (int off = 16; off > 0; off >>= 1) w *= __shfl_xor_sync(0xffffffffu, w, off);
      if ((threadIdx.x & 31) == 0) smem[threadIdx.x >> 5] = w;
      __syncthreads();
      total = 1.f;
      for (int k = 0; k < int(blockDim.x >> 5); ++k) total *= smem[k];
    } else {
      total = blockReduce<false>(acc, smem);
    }
    if (threadIdx.x == 0) st(y, o, reduceFinish(op, total, p.reduced, shift));
    __syncthreads();
  }
}

template <typename T>
__global__ void reduceThreadKernel(ReduceParams p, ReduceOp op, const T* __restrict__ x, T* __restrict__ y) {
  for (int64_t o = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; o < p.outputs; o += int64_t(gridDim.x) * blockDim.x) {
    const T* xo = x + keptOffset(p, o);
    float shift = 0.f;
    if (op == ReduceOp::kLogSumExp) {
      float m = -INFINITY;
      for (int64_t r = 0; r < p.reduced; ++r) m = fmaxf(m, ld(xo, reducedOffset(p, r)));
      shift = m == -INFINITY ? 0.f : m;
    }
    float acc = reduceInit(op);
    for (int64_t r = 0; r < p.reduced; ++r) acc = reduceStep(op, acc, ld(xo, reducedOffset(p, r)), shift);
    st(y, o, reduceFinish(op, acc, p.reduced, shift));
  }
}

// ---------------- pooling
template <typename T>
__global__ void poolKernel(PoolParams p, const T* __restrict__ x, T* __restrict__ y, int64_t count) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x) {
    // NCHW: i = (plane, od, oh, ow), taps at unit stride. Channels-last:
    // i = (image, od, oh, ow, c), taps `channels` apart; neighbouring threads
    // take neighbouring channels, so loads and stores stay coalesced.
    int64_t c = 0, pos = i, tap = 1;
    if (p.channels_last) {
      c = i % p.channels;
      pos = i / p.channels;
      tap = p.channels;
    }
    int64_t ow = pos % p.out[2], oh = (pos / p.out[2]) % p.out[1], od = (pos / (p.out[2] * p.out[1])) % p.out[0];
    int64_t plane = pos / (p.out[2] * p.out[1] * p.out[0]);
    const T* xp = p.channels_last ? x + plane * p.in[0] * p.in[1] * p.in[2] * p.channels + c
                                  : x + plane * p.in[0] * p.in[1] * p.in[2];
    int64_t o[3] = {od, oh, ow};
    int64_t start[3], end_pad[3];
    for (int k = 0; k < 3; ++k) {
      start[k] = o[k] * p.stride[k] - p.pad[k];
      end_pad[k] = start[k] + (p.kernel[k] - 1) * p.dilation[k] + 1;
      if (end_pad[k] > p.in[k] + p.pad_end[k]) end_pad[k] = p.in[k] + p.pad_end[k];
    }
    float acc = p.max ? -INFINITY : 0.f;
    int64_t valid = 0;
    for (int64_t kd = 0; kd < p.kernel[0]; ++kd) {
      int64_t d = start[0] + kd * p.dilation[0];
      if (d < 0 || d >= p.in[0]) continue;
      for (int64_t kh = 0; kh < p.kernel[1]; ++kh) {
        int64_t h = start[1] + kh * p.dilation[1];
        if (h < 0 || h >= p.in[1]) continue;
        for (int64_t kw = 0; kw < p.kernel[2]; ++kw) {
          int64_t w = start[2] + kw * p.dilation[2];
          if (w < 0 || w >= p.in[2]) continue;
          float v = ld(xp, ((d * p.in[1] + h) * p.in[2] + w) * tap);
          acc = p.max ? fmaxf(acc, v) : acc + v;
          ++valid;
        }
      }
    }
    if (!p.max) {
      int64_t div = valid;
      if (p.count_include_pad) {
        div = 1;
        for (int k = 0; k < 3; ++k) {
          int64_t s = start[k] > -p.pad[k] ? start[k] : -p.pad[k];
          div *= (end_pad[k] - s + p.dilation[k] - 1) / p.dilation[k];
        }
      }
      acc = div > 0 ? acc / float(div) : 0.f;
    }
    st(y, i, acc);
  }
}

// ---------------- activation epilogue (activate() in activation.cuh)
template <typename T>
__global__ void biasActKernel(T* y, const T* __restrict__ bias, const T* __restrict__ z, int64_t count,
                              int64_t channels, int64_t inner, Act act, float lo, float hi) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x) {
    float v = ld(y, i);
    if (bias) v += ld(bias, (i / inner) % channels);
    if (z) v += ld(z, i);
    st(y, i, activate(act, v, lo, hi));
  }
}

// Runs the vectorised launcher unless `path` is kScalar; true when it ran
// (or failed), false when the scalar kernel should run.
template <typename F>
bool tryVector(KernelPath path, cudaError_t* err, F&& vec) {
  if (path == KernelPath::kScalar) return false;
  *err = vec();
  return *err != cudaErrorNotSupported || path == KernelPath::kVector;
}

}  // namespace

cudaError_t launchSoftmax(const void* x, void* y, DType t, int64_t outer, int64_t axis, int64_t inner, bool log,
                          cudaStream_t stream, KernelPath path) {
  if (outer * axis * inner == 0) return cudaSuccess;
  cudaError_t err = cudaSuccess;
  if (inner == 1 && tryVector(path, &err, [&] { return launchSoftmaxRowsVec(x, y, t, outer, axis, log, stream); }))
    return err;
  if (path == KernelPath::kVector) return cudaErrorNotSupported;  // strided softmax has no vectorised kernel
  return byFloatType(t, [&](auto tag) {
    using T = decltype(tag);
    if (inner == 1) {
      constexpr int kRowsPerBlock = 4;
      unsigned grid = unsigned((outer + kRowsPerBlock - 1) / kRowsPerBlock);
      softmaxRowsKernel<T><<<grid, 32 * kRowsPerBlock, 0, stream>>>(static_cast<const T*>(x), static_cast<T*>(y),
                                                                     outer, axis, log);
    } else {
      softmaxStridedKernel<T><<<gridFor(outer * inner, 256), 256, 0, stream>>>(static_cast<const T*>(x),
                                                                              static_cast<T*>(y), outer, axis, inner, log);
    }
    return cudaGetLastError();
  });
}

cudaError_t launchLayerNorm(const void* x, const void* scale, const void* bias, void* y, void* mean, void* inv_std,
                            DType t, DType stat_t, int64_t rows, int64_t cols, float epsilon, cudaStream_t stream,
                            KernelPath path) {
  if (rows * cols == 0) return cudaSuccess;
  cudaError_t err = cudaSuccess;
  if (tryVector(path, &err, [&] {
        return launchLayerNormVec(x, scale, bias, y, mean, inv_std, t, stat_t, rows, cols, epsilon, stream);
      }))
    return err;
  if (rows > 0x7fffffff) return cudaErrorInvalidConfiguration;
  int threads = cols >= 2048 ? 512 : (cols >= 512 ? 256 : 128);
  return byFloatType(t, [&](auto tag) {
    using T = decltype(tag);
    auto run = [&](auto stag) {
      using S = decltype(stag);
      layerNormKernel<T, S><<<unsigned(rows), threads, 0, stream>>>(
          static_cast<const T*>(x), static_cast<const T*>(scale), static_cast<const T*>(bias), static_cast<T*>(y),
          static_cast<S*>(mean), static_cast<S*>(inv_std), cols, epsilon);
      return cudaGetLastError();
    };
    if (mean == nullptr && inv_std == nullptr) return run(T{});
    return byFloatType(stat_t, run);
  });
}

cudaError_t launchBatchNorm(const void* x, const void* scale, const void* bias, const void* mean, const void* var,
                            void* y, DType t, int64_t n, int64_t c, int64_t spatial, float epsilon,
                            cudaStream_t stream) {
  int64_t count = n * c * spatial;
  if (count == 0) return cudaSuccess;
  return byFloatType(t, [&](auto tag) {
    using T = decltype(tag);
    batchNormKernel<T><<<gridFor(count, 256), 256, 0, stream>>>(
        static_cast<const T*>(x), static_cast<const T*>(scale), static_cast<const T*>(bias),
        static_cast<const T*>(mean), static_cast<const T*>(var), static_cast<T*>(y), c, spatial, count, epsilon);
    return cudaGetLastError();
  });
}

cudaError_t launchReduce(const ReduceParams& p, ReduceOp op, const void* x, void* y, DType t, cudaStream_t stream) {
  if (p.outputs == 0) return cudaSuccess;
  return byFloatType(t, [&](auto tag) {
    using T = decltype(tag);
    if (p.block_per_output) {
      int threads = p.reduced >= 1024 ? 256 : (p.reduced >= 128 ? 128 : 32);
      unsigned grid = unsigned(p.outputs < 1048576 ? p.outputs : 1048576);
      reduceBlockKernel<T><<<grid, threads, 0, stream>>>(p, op, static_cast<const T*>(x), static_cast<T*>(y));
    } else {
      reduceThreadKernel<T><<<gridFor(p.outputs, 256), 256, 0, stream>>>(p, op, static_cast<const T*>(x),
                                                                         static_cast<T*>(y));
    }
    return cudaGetLastError();
  });
}

cudaError_t launchPool(const PoolParams& p, const void* x, void* y, DType t, cudaStream_t stream) {
  int64_t count = p.planes * p.out[0] * p.out[1] * p.out[2];
  if (count == 0) return cudaSuccess;
  return byFloatType(t, [&](auto tag) {
    using T = decltype(tag);
    poolKernel<T><<<gridFor(count, 256), 256, 0, stream>>>(p, static_cast<const T*>(x), static_cast<T*>(y), count);
    return cudaGetLastError();
  });
}

cudaError_t launchBiasAct(void* y, const void* bias, const void* z, DType t, int64_t count, int64_t channels,
                          int64_t inner, Act act, float clip_min, float clip_max, cudaStream_t stream,
                          KernelPath path) {
  if (count == 0) return cudaSuccess;
  cudaError_t err = cudaSuccess;
  if (tryVector(path, &err, [&] {
        return launchBiasActVec(y, bias, z, t, count, channels, inner, act, clip_min, clip_max, stream);
      }))
    return err;
  return byFloatType(t, [&](auto tag) {
    using T = decltype(tag);
    biasActKernel<T><<<gridFor(count, 256), 256, 0, stream>>>(static_cast<T*>(y), static_cast<const T*>(bias),
                                                              static_cast<const T*>(z), count, channels < 1 ? 1 : channels,
                                                              inner < 1 ? 1 : inner, act, clip_min, clip_max);
    return cudaGetLastError();
  });
}

}  // namespace gpuscope::engine::gpu
