// Reductions (ReduceOp over any set of axes: one block or one thread per
// output) and pooling (max/average, 1-3 spatial dims), templated on the
// storage type and computing in fp32. Split from nn_kernels.cu.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cfloat>

#include "engine/gpu/nn/float_io.cuh"
#include "engine/gpu/nn/nn_device.cuh"
#include "engine/gpu/nn/nn_kernels.h"

namespace gpuscope::engine::gpu {
namespace {

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

}  // namespace

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

}  // namespace gpuscope::engine::gpu
