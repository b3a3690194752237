// Device building blocks of the mma.sync attention kernel (attention_mma.cu),
// sm_80+: inline PTX (cp.async, ldmatrix, mma.sync, ex2), tile copies and
// the mask reads. Fragment layouts (PTX ISA, "Matrix Fragments
// for mma.m16n8k16 with floating point type"; g = lane / 4, t = lane % 4):
//   A 16x16 row-major, 4 regs of 2 elements (low half = lower column):
//     r0 (row g, cols 2t..2t+1), r1 (row g+8, cols 2t..), r2 (row g, cols 2t+8..),
//     r3 (row g+8, cols 2t+8..)
//   B 16x8 "col": r0 (k 2t..2t+1, n g), r1 (k 2t+8..2t+9, n g)
//   C/D 16x8 fp32: c0,c1 (row g, cols 2t, 2t+1), c2,c3 (row g+8, same cols)
// ldmatrix.x4: lanes 8m..8m+7 give the row addresses of 8x8 matrix m; lane l
// receives in reg m the elements (row l/4, cols 2(l%4), 2(l%4)+1) of matrix m,
// or with .trans (rows 2(l%4), 2(l%4)+1, col l/4).
// Device code only; included by .cu files.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "engine/gpu/nn/attention_kernel.h"

namespace gpuscope::engine::gpu::mma {

constexpr float kLog2e = 1.4426950408889634f;

__device__ __forceinline__ uint32_t smemAddr(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

// 16-byte global -> shared copy; `bytes` 0 writes zeros without reading src.
__device__ __forceinline__ void cpAsync16(uint32_t dst, const void* src, int bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(bytes) : "memory");
}
__device__ __forceinline__ void cpAsyncCommit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
__device__ __forceinline__ void cpAsyncWaitAll() { asm volatile("cp.async.wait_all;\n" ::: "memory"); }

__device__ __forceinline__ void ldsm4(uint32_t (&r)[4], uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr)
               : "memory");
}
__device__ __forceinline__ void ldsm4Trans(uint32_t (&r)[4], uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr)
               : "memory");
}

// d += a * b (m16n8k16, fp32 accumulation).
template <typename T>
__device__ __forceinline__ void mma16816(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1);
template <>
__device__ __forceinline__ void mma16816<__half>(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  asm("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
template <>
__device__ __forceinline__ void mma16816<__nv_bfloat16>(float (&d)[4], const uint32_t (&a)[4], uint32_t b0,
                                                        uint32_t b1) {
  asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// 2^x; -inf gives +0 (the online softmax relies on it).
__device__ __forceinline__ float ex2(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
  return y;
}

// Two floats rounded to T, `lo` in the low 16 bits (the lower column of a fragment pair).
template <typename T>
__device__ __forceinline__ uint32_t pack2(float lo, float hi);
template <>
__device__ __forceinline__ uint32_t pack2<__half>(float lo, float hi) {
  __half2 v = __floats2half2_rn(lo, hi);
  return *reinterpret_cast<uint32_t*>(&v);
}
template <>
__device__ __forceinline__ uint32_t pack2<__nv_bfloat16>(float lo, float hi) {
  __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
  return *reinterpret_cast<uint32_t*>(&v);
}

// Copies rows [row0, row0 + rows) of an [n, D] view (row r at src + r * rs,
// 16-byte aligned, contiguous) into a [rows][D+8] tile at shared address
// `dst`; rows >= n are zero-filled (a tail tile's V must hold no garbage:
// 0 * NaN would poison the P V product).
template <typename T, int D>
__device__ __forceinline__ void copyRows(uint32_t dst, const T* src, int64_t rs, int64_t row0, int rows, int64_t n) {
  constexpr int C = D / 8;  // 16-byte chunks per row
  for (int idx = threadIdx.x; idx < rows * C; idx += blockDim.x) {
    const int r = idx / C, c = idx % C;
    const bool in = row0 + r < n;
    const T* g = in ? src + (row0 + r) * rs + c * 8 : src;
    cpAsync16(dst + uint32_t((r * (D + 8) + c * 8) * 2), g, in ? 16 : 0);
  }
}

// Mask element in log2 units. Finite values below -2.3e38 are clamped so
// that * log2(e) cannot overflow to -inf (HF's bf16/fp32 "lowest" masks: a
// row masked that way everywhere must stay a uniform softmax, not become a
// fully masked one); -inf and NaN pass through.
template <typename M>
__device__ __forceinline__ float maskLog2(const void* m, int64_t i) {
  float x;
  if constexpr (std::is_same_v<M, __half>) x = __half2float(static_cast<const __half*>(m)[i]);
  else if constexpr (std::is_same_v<M, __nv_bfloat16>) x = __bfloat162float(static_cast<const __nv_bfloat16*>(m)[i]);
  else x = static_cast<const float*>(m)[i];
  if (x < -2.3e38f && x != -INFINITY) x = -2.3e38f;
  return x * kLog2e;
}

// Adds the mask (log2 units) to the scaled scores s of one key tile (s[n][e]:
// row qi0, key kt+8n+2t4+e; s[n][2+e]: row qi0+8). `full` (every key < Sk,
// all 16 rows < Sq: BERT's case) reads the lane's mask values in one
// straight-line batch, which lets them all be in flight at once; otherwise
// each read is bounds-checked (rows past Sq are never written: no read).
template <typename M, int NT>
__device__ __forceinline__ void addMask(float (&s)[NT][4], const void* mask, const AttentionParams& p, int64_t mb,
                                        int64_t kt, int64_t qi0, int t4, bool full) {
  const int64_t ms2 = p.mask_stride[2], ms3 = p.mask_stride[3], qi1 = qi0 + 8;
  const int64_t r0 = mb + qi0 * ms2 + (kt + 2 * t4) * ms3, r1 = r0 + 8 * ms2;
  if (full) {
    float mk[NT][2];
#pragma unroll
    for (int n = 0; n < NT; ++n) {
      mk[n][0] = maskLog2<M>(mask, r0 + n * 8 * ms3);
      mk[n][1] = maskLog2<M>(mask, r0 + (n * 8 + 1) * ms3);
    }
#pragma unroll
    for (int n = 0; n < NT; ++n) s[n][0] += mk[n][0], s[n][1] += mk[n][1];
    if (ms2 != 0) {
#pragma unroll
      for (int n = 0; n < NT; ++n) {
        mk[n][0] = maskLog2<M>(mask, r1 + n * 8 * ms3);
        mk[n][1] = maskLog2<M>(mask, r1 + (n * 8 + 1) * ms3);
      }
    }
#pragma unroll
    for (int n = 0; n < NT; ++n) s[n][2] += mk[n][0], s[n][3] += mk[n][1];
    return;
  }
#pragma unroll
  for (int n = 0; n < NT; ++n) {
#pragma unroll
    for (int e = 0; e < 2; ++e) {
      if (kt + n * 8 + 2 * t4 + e >= p.sk) continue;
      const int64_t dj = (n * 8 + e) * ms3;
      if (qi0 < p.sq) s[n][e] += maskLog2<M>(mask, r0 + dj);
      if (qi1 < p.sq) s[n][2 + e] += maskLog2<M>(mask, r1 + dj);
    }
  }
}

}  // namespace gpuscope::engine::gpu::mma
