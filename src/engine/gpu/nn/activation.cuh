// The activations of the conv/gemm epilogue (Act in nn_kernels.h), shared by
// the scalar kernel (nn_kernels.cu) and the vectorised one
// (vector_kernels.cu) so that both compute bit-identical values. fp32 math;
// Gelu is the exact erf form (erff), never the tanh approximation.
#pragma once

#include "engine/gpu/nn/nn_kernels.h"

namespace gpuscope::engine::gpu {

__device__ __forceinline__ float activate(Act act, float v, float lo, float hi) {
  switch (act) {
    case Act::kRelu: return fmaxf(v, 0.f);
    case Act::kClip: return fminf(fmaxf(v, lo), hi);
    case Act::kSigmoid: return 1.f / (1.f + __expf(-v));
    case Act::kTanh: return tanhf(v);
    case Act::kGelu: return 0.5f * v * (1.f + erff(v * 0.70710678118654752f));
    case Act::kGeluTanh: return 0.5f * v * (1.f + tanhf(0.7978845608028654f * (v + 0.044715f * v * v * v)));
    default: return v;
  }
}

}  // namespace gpuscope::engine::gpu
