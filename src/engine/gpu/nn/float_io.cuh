// Element loads and stores of the float kernels: fp16/bf16 values are read
// into fp32 registers and written back rounded to nearest (the engine
// accumulates in fp32 everywhere); and the host-side dispatch from a float
// DType to its C++ type. Included by .cu files.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "engine/ir/dtype.h"

namespace gpuscope::engine::gpu {

// f(value of t's C++ type: float, __half or __nv_bfloat16); `unsupported`
// for any other dtype.
template <typename F>
cudaError_t byFloatType(DType t, F&& f, cudaError_t unsupported = cudaErrorInvalidValue) {
  switch (t) {
    case DType::kFloat32: return f(float{});
    case DType::kFloat16: return f(__half{});
    case DType::kBFloat16: return f(__nv_bfloat16{});
    default: return unsupported;
  }
}

__device__ __forceinline__ float ld(const float* p, int64_t i) { return p[i]; }
__device__ __forceinline__ float ld(const __half* p, int64_t i) { return __half2float(p[i]); }
__device__ __forceinline__ float ld(const __nv_bfloat16* p, int64_t i) { return __bfloat162float(p[i]); }
__device__ __forceinline__ void st(float* p, int64_t i, float v) { p[i] = v; }
__device__ __forceinline__ void st(__half* p, int64_t i, float v) { p[i] = __float2half_rn(v); }
__device__ __forceinline__ void st(__nv_bfloat16* p, int64_t i, float v) { p[i] = __float2bfloat16_rn(v); }

}  // namespace gpuscope::engine::gpu
