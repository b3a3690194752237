// Vectorised (16-byte loads and stores) versions of the memory-bound kernels
// of nn_kernels.cu: LayerNorm and row softmax with the row held in registers
// (one row per 1..32 lanes, or per 2..16 warps), and the in-place bias +
// activation epilogue with a grid sized to the SM count. Same math as the
// scalar kernels (fp32, two-pass LayerNorm, exact erf GELU).
//
// Each launcher returns cudaErrorNotSupported, having launched nothing, when
// the shape or an address does not allow it (width not a multiple of the
// vector, a pointer not 16-byte aligned, a row too wide for the registers);
// the launchers of nn_kernels.h then run the scalar kernel. A kernel launch
// itself never reports cudaErrorNotSupported.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "engine/gpu/nn/nn_kernels.h"

namespace gpuscope::engine::gpu {

// Widest row the register-resident kernels take: 512 threads x 4 vectors of
// 16 bytes (16384 fp16/bf16 or 8192 fp32 elements).
inline constexpr int64_t kMaxVecRowBytes = 512 * 4 * 16;

cudaError_t launchLayerNormVec(const void* x, const void* scale, const void* bias, void* y, void* mean, void* inv_std,
                               DType t, DType stat_t, int64_t rows, int64_t cols, float epsilon, cudaStream_t stream);

// Softmax / LogSoftmax over contiguous rows ([rows, cols], inner == 1).
cudaError_t launchSoftmaxRowsVec(const void* x, void* y, DType t, int64_t rows, int64_t cols, bool log,
                                 cudaStream_t stream);

cudaError_t launchBiasActVec(void* y, const void* bias, const void* z, DType t, int64_t count, int64_t channels,
                             int64_t inner, Act act, float clip_min, float clip_max, cudaStream_t stream);

}  // namespace gpuscope::engine::gpu
