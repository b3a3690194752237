// Device helpers shared by the scalar nn kernels (nn_kernels.cu,
// reduce_pool_kernels.cu): grid sizing and warp/block reductions.
#pragma once

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

namespace gpuscope::engine::gpu {

inline unsigned gridFor(int64_t n, int threads) {
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

}  // namespace gpuscope::engine::gpu
