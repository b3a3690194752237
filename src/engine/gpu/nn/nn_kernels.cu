// Softmax, LayerNorm, BatchNorm and the conv/gemm
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
#include "engine/gpu/nn/nn_device.cuh"
#include "engine/gpu/nn/vector_kernels.h"

namespace gpuscope::engine::gpu {
namespace {

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
