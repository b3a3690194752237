// Fused scaled-dot-product attention: Y = softmax(Q K^T * scale + mask) V,
// flash-attention style (online softmax over key tiles held in shared
// memory; the score matrix never reaches global memory). One block per
// (query tile, head, batch); each warp owns 16 query rows; fp32 math.
// Kernels: attention_mma.cu (mma.sync m16n8k16, fp16/bf16, head dim 64/128,
// 16-byte Q/K/V rows; also the dispatcher launchAttention) and, as the
// fallback for everything else, attention_kernel.cu (CUDA-core FMA kernel,
// head dim <= 128, any dtype/stride) and attention_wmma.cu (WMMA
// tensor-core kernel).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "engine/ir/dtype.h"

namespace gpuscope::engine::gpu {

inline constexpr int kAttnRowsPerWarp = 16;
inline constexpr int kAttnMaxHeadDim = 128;
inline constexpr int kVecQ = 1, kVecK = 2, kVecV = 4, kVecY = 8;

struct AttentionParams {
  int64_t batch = 0, heads = 0, sq = 0, sk = 0, d = 0;
  float scale = 1.f;
  bool causal = false;       // key j > query i is masked out
  bool nan_to_zero = false;  // a row whose every score is -inf gives 0 (torch's NaN guard), else NaN
  // Element strides of the logical tensors in the buffers passed to
  // launchAttention (which already point at the views' first elements):
  // Q [B,H,Sq,D], K as [B,H,Sk,D] (a K^T input is the same with its last two
  // strides swapped), V [B,H,Sk,D], Y [B,H,Sq,D]. The caller must set all of
  // them (row-major for plain tensors); the attention_views pass makes them
  // read a qkv Gemm output and write [B,S,H,D] directly.
  int64_t q_stride[4] = {0, 0, 0, 0}, k_stride[4] = {0, 0, 0, 0}, v_stride[4] = {0, 0, 0, 0},
          y_stride[4] = {0, 0, 0, 0};
  // Additive mask (nullable at launch) of dtype mask_t, element (b,h,i,j) at
  // b*mask_stride[0] + h*mask_stride[1] + i*mask_stride[2] + j*mask_stride[3].
  DType mask_t = DType::kFloat32;
  int64_t mask_stride[4] = {0, 0, 0, 0};
  // Set by launchAttention (callers leave it 0): which of Q/K/V/Y the
  // tensor-core kernel moves in 16-byte vectors (kVec* bits).
  int vec_flags = 0;
  // warps per block (1, 2 or 4; 8 for the mma.sync kernel): query tile = 16 * warps rows
  int warps = 4;
  // fp16/bf16 with head dim 64 or 128 only (attentionWmmaSupported): Q K^T
  // and P V on tensor cores, fp32 accumulation.
  bool tensor_cores = false;
  // With tensor_cores: the mma.sync kernel (attention_mma.cu) whenever Q, K
  // and V rows can be moved in 16-byte vectors (attentionRowsVectorizable),
  // else the WMMA kernel (warps 8 then runs as 4). false: always WMMA.
  bool mma = true;
};

bool attentionWmmaSupported(DType t, int64_t head_dim);
// Same dtypes and head dims as WMMA; rows must also be 16-byte vectors.
bool attentionMmaSupported(DType t, int64_t head_dim);

// Whether a [rows, D] view of 2-byte elements at `ptr` (all rows for every
// (b, h), element strides `stride`) can be read or written in 16-byte vectors.
inline bool attentionRowsVectorizable(const void* ptr, const int64_t (&stride)[4]) {
  return reinterpret_cast<uintptr_t>(ptr) % 16 == 0 && stride[3] == 1 && stride[0] % 8 == 0 && stride[1] % 8 == 0 &&
         stride[2] % 8 == 0;
}

// Raises the kernels' dynamic shared-memory limit; call once before
// launching (not a stream operation, so never during capture).
cudaError_t prepareAttentionKernels();
// Validates p and picks the kernel (see tensor_cores / mma above).
cudaError_t launchAttention(const AttentionParams& p, DType t, const void* q, const void* k, const void* v,
                            const void* mask, void* y, cudaStream_t stream);

// The fallback kernels of attention_kernel.cu (FMA, or WMMA when
// p.tensor_cores), for launchAttention; p already validated.
cudaError_t prepareAttentionFallbackKernels();
cudaError_t launchAttentionFallback(const AttentionParams& p, DType t, const void* q, const void* k, const void* v,
                                    const void* mask, void* y, cudaStream_t stream);
// attention_wmma.cu: the WMMA kernels (p.tensor_cores), for the fallback.
cudaError_t prepareAttentionWmmaKernels();
cudaError_t launchAttentionWmma(const AttentionParams& p, DType t, const void* q, const void* k, const void* v,
                                const void* mask, void* y, cudaStream_t stream);

}  // namespace gpuscope::engine::gpu
