// Tensor-core variant of the fused attention (attention_kernel.h): fp16/bf16,
// head dim 64 or 128, WMMA. The fallback of launchAttention when the
// mma.sync kernel (attention_mma.cu) cannot run (rows not 16-byte vectors)
// or is switched off.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <mma.h>

#include "engine/gpu/nn/attention_device.cuh"
#include "engine/gpu/nn/attention_kernel.h"

namespace gpuscope::engine::gpu {
namespace {

using attn::allMaskedRow;
using attn::ldMask;

// Tensor-core variant (fp16/bf16, head dim 64 or 128). Per 64-key tile each
// warp computes its 16x64 score block with WMMA into shared memory, does the
// online softmax there (two lanes per row, 32 columns each), writes P in the
// input precision and multiplies P V with WMMA; the output accumulator lives
// in registers (lane owns row lane/2, columns (lane&1)*D/2 ...).
constexpr int kWmmaKeys = 64;

template <int D>
__host__ __device__ constexpr int wmmaTempStride() { return (D > kWmmaKeys ? D : kWmmaKeys) + 4; }

template <int D>
size_t wmmaSmemBytes(int warps) {
  constexpr int LD = D + 8, TS = wmmaTempStride<D>(), PL = kWmmaKeys + 8;
  return size_t(warps) * 16 * LD * 2 + size_t(2) * kWmmaKeys * LD * 2 + size_t(warps) * 16 * TS * 4 +
         size_t(warps) * 16 * PL * 2;
}

template <typename T> __device__ __forceinline__ T fromF(float v);
template <> __device__ __forceinline__ __half fromF<__half>(float v) { return __float2half_rn(v); }
template <> __device__ __forceinline__ __nv_bfloat16 fromF<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

// Copies rows [row0, row0 + rows) of an [n, D] matrix (element (r, c) at
// src[r * rs + c * cs]) into a [rows][LD] tile, zeros past n: 16-byte vectors
// when `vec` (cs == 1, rows 16-byte aligned), else element by element, with
// consecutive threads on consecutive rows when the rows are the contiguous
// dim (a K^T view).
template <typename T, int D>
__device__ __forceinline__ void stageRows(T* tile, const T* src, int64_t rs, int64_t cs, bool vec, int64_t row0,
                                          int rows, int64_t n) {
  constexpr int LD = D + 8, V = D / 8;
  if (vec) {
    // kBatch loads issued before any store: a load-store-load loop has one
    // global load in flight per thread, which left 1-warp blocks waiting
    // on memory latency for every vector. Each idx is still visited once.
    constexpr int kBatch = 4;
    const int total = rows * V, step = int(blockDim.x);
    for (int base = threadIdx.x; base < total; base += step * kBatch) {
      uint4 val[kBatch];
#pragma unroll
      for (int u = 0; u < kBatch; ++u) {
        const int idx = base + u * step;
        val[u] = make_uint4(0u, 0u, 0u, 0u);
        const int64_t gr = row0 + idx / V;
        if (idx < total && gr < n) val[u] = *reinterpret_cast<const uint4*>(src + gr * rs + (idx % V) * 8);
      }
#pragma unroll
      for (int u = 0; u < kBatch; ++u) {
        const int idx = base + u * step;
        if (idx < total) *reinterpret_cast<uint4*>(tile + (idx / V) * LD + (idx % V) * 8) = val[u];
      }
    }
  } else if (rs == 1 && cs != 1) {
    for (int idx = threadIdx.x; idx < rows * D; idx += blockDim.x) {
      int r = idx % rows, c = idx / rows;
      int64_t gr = row0 + r;
      tile[r * LD + c] = gr < n ? src[gr * rs + c * cs] : fromF<T>(0.f);
    }
  } else {
    for (int idx = threadIdx.x; idx < rows * D; idx += blockDim.x) {
      int r = idx / D, c = idx % D;
      int64_t gr = row0 + r;
      tile[r * LD + c] = gr < n ? src[gr * rs + c * cs] : fromF<T>(0.f);
    }
  }
}

__device__ __forceinline__ uint32_t pack2(__half a, __half b) {
  __half2 v = __halves2half2(a, b);
  return *reinterpret_cast<uint32_t*>(&v);
}
__device__ __forceinline__ uint32_t pack2(__nv_bfloat16 a, __nv_bfloat16 b) {
  __nv_bfloat162 v = __halves2bfloat162(a, b);
  return *reinterpret_cast<uint32_t*>(&v);
}

template <typename T, int D>
__global__ void __launch_bounds__(128) attentionWmmaKernel(AttentionParams p, const T* __restrict__ q,
                                                           const T* __restrict__ k, const T* __restrict__ v,
                                                           const void* __restrict__ mask, T* __restrict__ y) {
  using namespace nvcuda;
  constexpr int KT = kWmmaKeys, LD = D + 8, TS = wmmaTempStride<D>(), PL = KT + 8, HALF = D / 2;
  extern __shared__ __align__(128) unsigned char smem_raw[];
  const int warps = blockDim.x >> 5, warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  T* qs = reinterpret_cast<T*>(smem_raw);                                  // [warps*16][LD]
  T* ks = qs + warps * 16 * LD;                                            // [KT][LD]
  T* vs = ks + KT * LD;                                                    // [KT][LD]
  float* temp_all = reinterpret_cast<float*>(vs + KT * LD);                // [warps][16][TS]
  float* temp = temp_all + warp * 16 * TS;
  T* ps = reinterpret_cast<T*>(temp_all + warps * 16 * TS) + warp * 16 * PL;  // this warp's [16][PL]

  const int64_t b = blockIdx.z, h = blockIdx.y;
  const int64_t q0 = int64_t(blockIdx.x) * warps * 16;
  const T* kb = k + b * p.k_stride[0] + h * p.k_stride[1];
  const T* vb = v + b * p.v_stride[0] + h * p.v_stride[1];
  stageRows<T, D>(qs, q + b * p.q_stride[0] + h * p.q_stride[1], p.q_stride[2], p.q_stride[3],
                  (p.vec_flags & kVecQ) != 0, q0, warps * 16, p.sq);

  const int row = lane >> 1, hf = lane & 1;
  const int64_t qi = q0 + warp * 16 + row;
  const bool warp_live = q0 + warp * 16 < p.sq;
  const int64_t mb = b * p.mask_stride[0] + h * p.mask_stride[1];
  float m = -INFINITY, l = 0.f, o[HALF];
#pragma unroll
  for (int i = 0; i < HALF; ++i) o[i] = 0.f;
  int64_t kv_end = p.sk;
  if (p.causal && q0 + warps * 16 < kv_end) kv_end = q0 + warps * 16;

  for (int64_t kt = 0; kt < kv_end; kt += KT) {
    __syncthreads();  // previous tile consumed (and Q staged on the first pass)
    stageRows<T, D>(ks, kb, p.k_stride[2], p.k_stride[3], (p.vec_flags & kVecK) != 0, kt, KT, p.sk);
    stageRows<T, D>(vs, vb, p.v_stride[2], p.v_stride[3], (p.vec_flags & kVecV) != 0, kt, KT, p.sk);
    __syncthreads();
    if (!warp_live) continue;

    // S = Q K^T for this warp's 16 rows and the tile's 64 keys
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> sf[KT / 16];
#pragma unroll
    for (int n = 0; n < KT / 16; ++n) wmma::fill_fragment(sf[n], 0.f);
#pragma unroll
    for (int kc = 0; kc < D; kc += 16) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> af;
      wmma::load_matrix_sync(af, qs + warp * 16 * LD + kc, LD);
#pragma unroll
      for (int n = 0; n < KT / 16; ++n) {
        wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> bf;
        wmma::load_matrix_sync(bf, ks + n * 16 * LD + kc, LD);
        wmma::mma_sync(sf[n], af, bf, sf[n]);
      }
    }
#pragma unroll
    for (int n = 0; n < KT / 16; ++n) wmma::store_matrix_sync(temp + n * 16, sf[n], TS, wmma::mem_row_major);
    __syncwarp();

    // online softmax: this lane's row, columns hf*32 .. hf*32+31
    float sv[32];
    float tmax = -INFINITY;
#pragma unroll
    for (int c = 0; c < 32; ++c) {
      const int col = hf * 32 + c;
      const int64_t j = kt + col;
      float s = temp[row * TS + col] * p.scale;
      if (j >= p.sk || (p.causal && j > qi)) s = -INFINITY;
      else if (mask && qi < p.sq) s += ldMask(mask, p.mask_t, mb + qi * p.mask_stride[2] + j * p.mask_stride[3]);
      sv[c] = s;
      tmax = fmaxf(tmax, s);
    }
    tmax = fmaxf(tmax, __shfl_xor_sync(0xffffffffu, tmax, 1));
    const float m_new = fmaxf(m, tmax);
    const float corr = m_new == -INFINITY ? 1.f : __expf(m - m_new);
    float psum = 0.f;
#pragma unroll
    for (int c = 0; c < 32; ++c) {
      float pv = m_new == -INFINITY ? 0.f : __expf(sv[c] - m_new);
      psum += pv;
      ps[row * PL + hf * 32 + c] = fromF<T>(pv);
    }
    psum += __shfl_xor_sync(0xffffffffu, psum, 1);
    l = l * corr + psum;
    m = m_new;
#pragma unroll
    for (int i = 0; i < HALF; ++i) o[i] *= corr;
    __syncwarp();

    // O += P V
#pragma unroll
    for (int nc = 0; nc < D / 16; ++nc) {
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
      wmma::fill_fragment(acc, 0.f);
#pragma unroll
      for (int kk = 0; kk < KT; kk += 16) {
        wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> pa;
        wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::row_major> vf;
        wmma::load_matrix_sync(pa, ps + kk, PL);
        wmma::load_matrix_sync(vf, vs + kk * LD + nc * 16, LD);
        wmma::mma_sync(acc, pa, vf, acc);
      }
      wmma::store_matrix_sync(temp + nc * 16, acc, TS, wmma::mem_row_major);
    }
    __syncwarp();
#pragma unroll
    for (int i = 0; i < HALF; ++i) o[i] += temp[row * TS + hf * HALF + i];
    __syncwarp();
  }
  if (!warp_live || qi >= p.sq) return;
  const float inv = l > 0.f ? 1.f / l : allMaskedRow(p);
  T* yr = y + b * p.y_stride[0] + h * p.y_stride[1] + qi * p.y_stride[2];
  if (p.vec_flags & kVecY) {  // this lane's HALF consecutive outputs as 16-byte stores
    yr += hf * HALF;
#pragma unroll
    for (int i = 0; i < HALF; i += 8) {
      uint4 w = make_uint4(pack2(fromF<T>(o[i] * inv), fromF<T>(o[i + 1] * inv)),
                           pack2(fromF<T>(o[i + 2] * inv), fromF<T>(o[i + 3] * inv)),
                           pack2(fromF<T>(o[i + 4] * inv), fromF<T>(o[i + 5] * inv)),
                           pack2(fromF<T>(o[i + 6] * inv), fromF<T>(o[i + 7] * inv)));
      *reinterpret_cast<uint4*>(yr + i) = w;
    }
  } else {
#pragma unroll
    for (int i = 0; i < HALF; ++i) yr[(hf * HALF + i) * p.y_stride[3]] = fromF<T>(o[i] * inv);
  }
}

template <typename T, int D>
cudaError_t launchWmma(const AttentionParams& p, const void* q, const void* k, const void* v, const void* mask, void* y,
                       cudaStream_t stream) {
  const int64_t rows = int64_t(p.warps) * 16;
  dim3 grid(unsigned((p.sq + rows - 1) / rows), unsigned(p.heads), unsigned(p.batch));
  attentionWmmaKernel<T, D><<<grid, 32 * p.warps, wmmaSmemBytes<D>(p.warps), stream>>>(
      p, static_cast<const T*>(q), static_cast<const T*>(k), static_cast<const T*>(v), mask, static_cast<T*>(y));
  return cudaGetLastError();
}

template <typename T>
cudaError_t prepareWmma() {
  cudaError_t e = cudaFuncSetAttribute(attentionWmmaKernel<T, 64>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       int(wmmaSmemBytes<64>(4)));
  if (e != cudaSuccess) return e;
  return cudaFuncSetAttribute(attentionWmmaKernel<T, 128>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                              int(wmmaSmemBytes<128>(4)));
}

template <typename T>
cudaError_t launchWmmaTyped(const AttentionParams& p, const void* q, const void* k, const void* v, const void* mask,
                            void* y, cudaStream_t stream) {
  if (p.d == 64) return launchWmma<T, 64>(p, q, k, v, mask, y, stream);
  if (p.d == 128) return launchWmma<T, 128>(p, q, k, v, mask, y, stream);
  return cudaErrorInvalidValue;
}
}  // namespace

bool attentionWmmaSupported(DType t, int64_t head_dim) {
  return (t == DType::kFloat16 || t == DType::kBFloat16) && (head_dim == 64 || head_dim == 128);
}

cudaError_t prepareAttentionWmmaKernels() {
  cudaError_t e = prepareWmma<__half>();
  return e == cudaSuccess ? prepareWmma<__nv_bfloat16>() : e;
}

cudaError_t launchAttentionWmma(const AttentionParams& p, DType t, const void* q, const void* k, const void* v,
                                const void* mask, void* y, cudaStream_t stream) {
  if (!attentionWmmaSupported(t, p.d)) return cudaErrorInvalidValue;
  AttentionParams vp = p;
  vp.vec_flags = (attentionRowsVectorizable(q, p.q_stride) ? kVecQ : 0) |
                 (attentionRowsVectorizable(k, p.k_stride) ? kVecK : 0) |
                 (attentionRowsVectorizable(v, p.v_stride) ? kVecV : 0) |
                 (attentionRowsVectorizable(y, p.y_stride) ? kVecY : 0);
  return t == DType::kFloat16 ? launchWmmaTyped<__half>(vp, q, k, v, mask, y, stream)
                              : launchWmmaTyped<__nv_bfloat16>(vp, q, k, v, mask, y, stream);
}

}  // namespace gpuscope::engine::gpu
