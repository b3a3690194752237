// Flash-attention style SDPA on CUDA cores (FMA), fp32 accumulation.
// Block: `warps` warps, each owning 16 query rows; per 32-key tile:
//   1. the block stages K and V (as fp32) in shared memory,
//   2. lane j of each warp computes the scores of key j for the warp's 16 rows,
//   3. per row: tile max / sum by warp shuffles, online-softmax rescale,
//      probabilities to shared memory,
//   4. lane l accumulates output dims l, l+32, ... for its 16 rows.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "engine/gpu/nn/attention_device.cuh"
#include "engine/gpu/nn/attention_kernel.h"
#include "engine/gpu/nn/float_io.cuh"

namespace gpuscope::engine::gpu {
namespace {

constexpr int kKeyTile = 32;
constexpr int kRows = kAttnRowsPerWarp;

using attn::allMaskedRow;
using attn::ldMask;

__host__ __device__ constexpr int paddedDim(int64_t d) { return int((d + 3) / 4 * 4); }

size_t smemBytes(int warps, int64_t d) {
  const int dp = paddedDim(d);
  return sizeof(float) * (size_t(warps) * kRows * dp + kKeyTile * (d + 1) + kKeyTile * d + size_t(warps) * kRows * kKeyTile);
}

// NC = output dims per lane / 32 (head dim <= 32 * NC).
template <typename T, int NC>
__global__ void __launch_bounds__(128) attentionKernel(AttentionParams p, const T* __restrict__ q,
                                                       const T* __restrict__ k, const T* __restrict__ v,
                                                       const void* __restrict__ mask, T* __restrict__ y) {
  extern __shared__ float smem[];
  const int D = int(p.d), DP = paddedDim(p.d);
  const int warps = blockDim.x >> 5, warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  float* qs = smem;                                   // [warps*16][DP]
  float* ks = qs + warps * kRows * DP;                // [32][D+1]
  float* vs = ks + kKeyTile * (D + 1);                // [32][D]
  float* ps = vs + kKeyTile * D + warp * kRows * kKeyTile;  // this warp's [16][32]

  const int64_t b = blockIdx.z, h = blockIdx.y;
  const int64_t q0 = int64_t(blockIdx.x) * warps * kRows;
  const T* qb = q + b * p.q_stride[0] + h * p.q_stride[1];
  const T* kb = k + b * p.k_stride[0] + h * p.k_stride[1];
  const T* vb = v + b * p.v_stride[0] + h * p.v_stride[1];
  T* yb = y + b * p.y_stride[0] + h * p.y_stride[1];
  // row (query/key index) and column (head dim) strides
  const int64_t qrs = p.q_stride[2], qcs = p.q_stride[3], krs = p.k_stride[2], kcs = p.k_stride[3];
  const int64_t vrs = p.v_stride[2], vcs = p.v_stride[3], yrs = p.y_stride[2], ycs = p.y_stride[3];

  // Stage this block's query rows (zeros past Sq and past D).
  for (int idx = threadIdx.x; idx < warps * kRows * DP; idx += blockDim.x) {
    int r = idx / DP, d = idx % DP;
    int64_t qi = q0 + r;
    qs[idx] = (qi < p.sq && d < D) ? ld(qb, qi * qrs + d * qcs) : 0.f;
  }

  const int64_t row0 = q0 + warp * kRows;  // first query row of this warp
  float m[kRows], l[kRows], acc[kRows][NC];
#pragma unroll
  for (int r = 0; r < kRows; ++r) {
    m[r] = -INFINITY;
    l[r] = 0.f;
#pragma unroll
    for (int c = 0; c < NC; ++c) acc[r][c] = 0.f;
  }
  int64_t kv_end = p.sk;
  if (p.causal) {
    int64_t last_q = q0 + warps * kRows - 1;
    if (last_q + 1 < kv_end) kv_end = last_q + 1;
  }
  const float* qw = qs + warp * kRows * DP;
  const int64_t mb = b * p.mask_stride[0] + h * p.mask_stride[1];

  for (int64_t kt = 0; kt < kv_end; kt += kKeyTile) {
    __syncthreads();  // previous tile fully consumed (and Q staged on the first pass)
    if (kcs != 1 && krs == 1) {  // K^T layout: consecutive threads read consecutive keys
      for (int idx = threadIdx.x; idx < kKeyTile * D; idx += blockDim.x) {
        int j = idx % kKeyTile, d = idx / kKeyTile;
        int64_t kj = kt + j;
        ks[j * (D + 1) + d] = kj < p.sk ? ld(kb, kj * krs + d * kcs) : 0.f;
      }
    } else {
      for (int idx = threadIdx.x; idx < kKeyTile * D; idx += blockDim.x) {
        int j = idx / D, d = idx % D;
        int64_t kj = kt + j;
        ks[j * (D + 1) + d] = kj < p.sk ? ld(kb, kj * krs + d * kcs) : 0.f;
      }
    }
    for (int idx = threadIdx.x; idx < kKeyTile * D; idx += blockDim.x) {
      int j = idx / D, d = idx % D;
      int64_t kj = kt + j;
      vs[idx] = kj < p.sk ? ld(vb, kj * vrs + d * vcs) : 0.f;
    }
    __syncthreads();
    if (row0 >= p.sq) continue;  // this warp has no live rows (still joins the barriers)

    // 2. scores of key (kt + lane) for the warp's rows
    float sc[kRows];
#pragma unroll
    for (int r = 0; r < kRows; ++r) sc[r] = 0.f;
    const float* kr = ks + lane * (D + 1);
    for (int d = 0; d < DP; d += 4) {
      float k0 = d < D ? kr[d] : 0.f, k1 = d + 1 < D ? kr[d + 1] : 0.f;
      float k2 = d + 2 < D ? kr[d + 2] : 0.f, k3 = d + 3 < D ? kr[d + 3] : 0.f;
#pragma unroll
      for (int r = 0; r < kRows; ++r) {
        float4 qv = *reinterpret_cast<const float4*>(qw + r * DP + d);
        sc[r] += qv.x * k0 + qv.y * k1 + qv.z * k2 + qv.w * k3;
      }
    }
    const int64_t kj = kt + lane;
#pragma unroll
    for (int r = 0; r < kRows; ++r) {
      const int64_t qi = row0 + r;
      float s = sc[r] * p.scale;
      if (kj >= p.sk || (p.causal && kj > qi)) s = -INFINITY;
      else if (mask && qi < p.sq) s += ldMask(mask, p.mask_t, mb + qi * p.mask_stride[2] + kj * p.mask_stride[3]);
      // 3. online softmax
      float tmax = s;
      for (int o = 16; o > 0; o >>= 1) tmax = fmaxf(tmax, __shfl_xor_sync(0xffffffffu, tmax, o));
      const float m_new = fmaxf(m[r], tmax);
      float pr = 0.f, corr = 1.f;
      if (m_new != -INFINITY) {
        pr = __expf(s - m_new);
        corr = __expf(m[r] - m_new);
      }
      float psum = pr;
      for (int o = 16; o > 0; o >>= 1) psum += __shfl_xor_sync(0xffffffffu, psum, o);
      l[r] = l[r] * corr + psum;
      m[r] = m_new;
#pragma unroll
      for (int c = 0; c < NC; ++c) acc[r][c] *= corr;
      ps[r * kKeyTile + lane] = pr;
    }
    __syncwarp();
    // 4. P V
    const int64_t tile_len = (p.sk - kt) < kKeyTile ? (p.sk - kt) : kKeyTile;
    for (int j = 0; j < tile_len; ++j) {
      float vv[NC];
#pragma unroll
      for (int c = 0; c < NC; ++c) {
        int d = lane + 32 * c;
        vv[c] = d < D ? vs[j * D + d] : 0.f;
      }
#pragma unroll
      for (int r = 0; r < kRows; ++r) {
        float pr = ps[r * kKeyTile + j];
#pragma unroll
        for (int c = 0; c < NC; ++c) acc[r][c] += pr * vv[c];
      }
    }
    __syncwarp();
  }
  if (row0 >= p.sq) return;
#pragma unroll
  for (int r = 0; r < kRows; ++r) {
    const int64_t qi = row0 + r;
    if (qi >= p.sq) break;
    const float inv = l[r] > 0.f ? 1.f / l[r] : allMaskedRow(p);
#pragma unroll
    for (int c = 0; c < NC; ++c) {
      int d = lane + 32 * c;
      if (d < D) st(yb, qi * yrs + d * ycs, acc[r][c] * inv);
    }
  }
}

template <typename T, int NC>
cudaError_t launchTyped(const AttentionParams& p, const void* q, const void* k, const void* v, const void* mask,
                        void* y, cudaStream_t stream) {
  const int warps = p.warps;
  const int64_t rows = int64_t(warps) * kRows;
  dim3 grid(unsigned((p.sq + rows - 1) / rows), unsigned(p.heads), unsigned(p.batch));
  attentionKernel<T, NC><<<grid, 32 * warps, smemBytes(warps, p.d), stream>>>(
      p, static_cast<const T*>(q), static_cast<const T*>(k), static_cast<const T*>(v), mask, static_cast<T*>(y));
  return cudaGetLastError();
}

template <typename T>
cudaError_t prepareTyped() {
  cudaError_t e = cudaFuncSetAttribute(attentionKernel<T, 2>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       int(smemBytes(4, 64)));
  if (e != cudaSuccess) return e;
  return cudaFuncSetAttribute(attentionKernel<T, 4>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                              int(smemBytes(4, kAttnMaxHeadDim)));
}

}  // namespace

cudaError_t prepareAttentionFallbackKernels() {
  cudaError_t e = prepareTyped<float>();
  if (e == cudaSuccess) e = prepareTyped<__half>();
  if (e == cudaSuccess) e = prepareTyped<__nv_bfloat16>();
  if (e == cudaSuccess) e = prepareAttentionWmmaKernels();
  return e;
}

cudaError_t launchAttentionFallback(const AttentionParams& p, DType t, const void* q, const void* k, const void* v,
                                    const void* mask, void* y, cudaStream_t stream) {
  if (p.warps != 1 && p.warps != 2 && p.warps != 4) return cudaErrorInvalidValue;
  if (p.tensor_cores) return launchAttentionWmma(p, t, q, k, v, mask, y, stream);
  const bool small = p.d <= 64;
  switch (t) {
    case DType::kFloat32:
      return small ? launchTyped<float, 2>(p, q, k, v, mask, y, stream) : launchTyped<float, 4>(p, q, k, v, mask, y, stream);
    case DType::kFloat16:
      return small ? launchTyped<__half, 2>(p, q, k, v, mask, y, stream) : launchTyped<__half, 4>(p, q, k, v, mask, y, stream);
    case DType::kBFloat16:
      return small ? launchTyped<__nv_bfloat16, 2>(p, q, k, v, mask, y, stream)
                   : launchTyped<__nv_bfloat16, 4>(p, q, k, v, mask, y, stream);
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace gpuscope::engine::gpu
