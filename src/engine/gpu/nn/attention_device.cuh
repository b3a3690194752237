// Device helpers shared by the attention kernels of attention_kernel.cu
// (CUDA-core FMA) and attention_wmma.cu (WMMA): the additive mask read and
// the value of a row whose every score is -inf. Device code only.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "engine/gpu/nn/attention_kernel.h"

namespace gpuscope::engine::gpu::attn {

__device__ __forceinline__ float ldMask(const void* m, DType t, int64_t i) {
  switch (t) {
    case DType::kFloat16: return __half2float(static_cast<const __half*>(m)[i]);
    case DType::kBFloat16: return __bfloat162float(static_cast<const __nv_bfloat16*>(m)[i]);
    default: return static_cast<const float*>(m)[i];
  }
}

// 1/l for a row whose every score is -inf (l == 0): NaN times the zero
// accumulator, as the CPU reference's exp(-inf - -inf); no keys at all: 0.
__device__ __forceinline__ float allMaskedRow(const AttentionParams& p) {
  return p.sk > 0 && !p.nan_to_zero ? __int_as_float(0x7fc00000) : 0.f;
}

}  // namespace gpuscope::engine::gpu::attn
