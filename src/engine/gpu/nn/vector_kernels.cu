// Vectorised LayerNorm, row softmax and bias + activation (vector_kernels.h).
// Every global access of the bulk of a tensor is one 16-byte load or store
// (4 fp32 or 8 fp16/bf16 values), and a row is read from memory once: the
// scalar kernels re-read it for each pass and issue 2- or 4-byte accesses,
// which is what kept them at 0.9-1.2 TB/s on an H200.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <atomic>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "engine/gpu/nn/activation.cuh"
#include "engine/gpu/nn/float_io.cuh"
#include "engine/gpu/nn/vec_io.cuh"
#include "engine/gpu/nn/vector_kernels.h"

namespace gpuscope::engine::gpu {
namespace {

// Dtypes the vector kernels do not cover report NotSupported (the caller's fallback).
template <typename F>
cudaError_t byType(DType t, F&& f) {
  return byFloatType(t, std::forward<F>(f), cudaErrorNotSupported);
}

bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15u) == 0; }

// ---------------- rows held in registers
// A row of nv vectors is spread over `tpr` threads (a power of two up to 32,
// or 64..512 in steps of 32), kV vectors each: thread `lane` holds vectors
// lane, lane + tpr, ... Rows of one block are consecutive.
constexpr int kMaxVecPerThread = 4;
constexpr int kRowBlock = 256;

// Sum (or max) over the threads of one row; every thread of the row gets the
// same bits (xor butterflies combine the same pairs in every lane). `tpr` is
// uniform over the block, so the __syncthreads branch is too.
template <bool kMax>
__device__ __forceinline__ float rowReduce(float v, int tpr, float* smem) {
  const int width = tpr < 32 ? tpr : 32;
  for (int o = width >> 1; o > 0; o >>= 1) {
    const float w = __shfl_xor_sync(0xffffffffu, v, o);
    v = kMax ? fmaxf(v, w) : v + w;
  }
  if (tpr <= 32) return v;
  const int warps = tpr >> 5, first = ((threadIdx.x >> 5) / warps) * warps;
  __syncthreads();  // smem reuse across calls
  if ((threadIdx.x & 31) == 0) smem[threadIdx.x >> 5] = v;
  __syncthreads();
  float r = smem[first];
  for (int w = 1; w < warps; ++w) r = kMax ? fmaxf(r, smem[first + w]) : r + smem[first + w];
  return r;
}

__device__ __forceinline__ void stStat(void* p, DType t, int64_t i, float v) {
  switch (t) {
    case DType::kFloat16: st(static_cast<__half*>(p), i, v); break;
    case DType::kBFloat16: st(static_cast<__nv_bfloat16*>(p), i, v); break;
    default: st(static_cast<float*>(p), i, v); break;
  }
}

// Two-pass statistics from the registers: mean, then the mean of squared
// deviations (as the scalar kernel and the CPU reference compute them).
template <typename T, int kV>
__global__ void __launch_bounds__(512) layerNormVecKernel(const T* __restrict__ x, const T* __restrict__ scale,
                                                          const T* __restrict__ bias, T* __restrict__ y,
                                                          void* mean_out, void* inv_out, DType stat_t, int64_t rows,
                                                          int nv, int tpr, int cols, float eps) {
  using IO = VecIO<T>;
  constexpr int N = IO::kN;
  __shared__ float smem[16];
  const int lane = int(threadIdx.x) % tpr;
  const int64_t row = int64_t(blockIdx.x) * (blockDim.x / tpr) + threadIdx.x / tpr;
  const bool active = row < rows;  // inactive threads still join the shuffles and barriers
  const uint4* xr = reinterpret_cast<const uint4*>(x) + (active ? row : 0) * nv;
  float v[kV][N];
#pragma unroll
  for (int k = 0; k < kV; ++k) {
    const int j = lane + k * tpr;
    if (active && j < nv) {
      IO::unpack(__ldg(xr + j), v[k]);
    } else {
#pragma unroll
      for (int e = 0; e < N; ++e) v[k][e] = 0.f;
    }
  }
  float s = 0.f;
#pragma unroll
  for (int k = 0; k < kV; ++k)
#pragma unroll
    for (int e = 0; e < N; ++e) s += v[k][e];
  const float mean = rowReduce<false>(s, tpr, smem) / float(cols);
  float q = 0.f;
#pragma unroll
  for (int k = 0; k < kV; ++k) {
    if (lane + k * tpr >= nv) continue;  // padding is not a deviation
#pragma unroll
    for (int e = 0; e < N; ++e) {
      const float d = v[k][e] - mean;
      q += d * d;
    }
  }
  const float inv = rsqrtf(rowReduce<false>(q, tpr, smem) / float(cols) + eps);
  if (!active) return;  // no barrier follows
  uint4* yr = reinterpret_cast<uint4*>(y) + row * nv;
#pragma unroll
  for (int k = 0; k < kV; ++k) {
    const int j = lane + k * tpr;
    if (j >= nv) continue;
    float o[N];
#pragma unroll
    for (int e = 0; e < N; ++e) o[e] = (v[k][e] - mean) * inv;
    if (scale) {
      float sc[N];
      IO::unpack(__ldg(reinterpret_cast<const uint4*>(scale) + j), sc);
#pragma unroll
      for (int e = 0; e < N; ++e) o[e] *= sc[e];
    }
    if (bias) {
      float b[N];
      IO::unpack(__ldg(reinterpret_cast<const uint4*>(bias) + j), b);
#pragma unroll
      for (int e = 0; e < N; ++e) o[e] += b[e];
    }
    yr[j] = IO::pack(o);
  }
  if (lane == 0) {
    if (mean_out) stStat(mean_out, stat_t, row, mean);
    if (inv_out) stStat(inv_out, stat_t, row, inv);
  }
}

template <typename T, int kV>
__global__ void __launch_bounds__(512) softmaxVecKernel(const T* __restrict__ x, T* __restrict__ y, int64_t rows,
                                                        int nv, int tpr, bool log) {
  using IO = VecIO<T>;
  constexpr int N = IO::kN;
  __shared__ float smem[16];
  const int lane = int(threadIdx.x) % tpr;
  const int64_t row = int64_t(blockIdx.x) * (blockDim.x / tpr) + threadIdx.x / tpr;
  const bool active = row < rows;
  const uint4* xr = reinterpret_cast<const uint4*>(x) + (active ? row : 0) * nv;
  float v[kV][N];
  float m = -INFINITY;
#pragma unroll
  for (int k = 0; k < kV; ++k) {
    const int j = lane + k * tpr;
    if (active && j < nv) {
      IO::unpack(__ldg(xr + j), v[k]);
#pragma unroll
      for (int e = 0; e < N; ++e) m = fmaxf(m, v[k][e]);
    }
  }
  m = rowReduce<true>(m, tpr, smem);
  float s = 0.f;
#pragma unroll
  for (int k = 0; k < kV; ++k) {
    if (!active || lane + k * tpr >= nv) continue;
#pragma unroll
    for (int e = 0; e < N; ++e) {
      const float p = __expf(v[k][e] - m);
      s += p;
      if (!log) v[k][e] = p;  // reused below: the scalar kernel recomputes the same __expf
    }
  }
  s = rowReduce<false>(s, tpr, smem);
  if (!active) return;
  const float ls = logf(s), inv = 1.f / s;
  uint4* yr = reinterpret_cast<uint4*>(y) + row * nv;
#pragma unroll
  for (int k = 0; k < kV; ++k) {
    const int j = lane + k * tpr;
    if (j >= nv) continue;
    float o[N];
#pragma unroll
    for (int e = 0; e < N; ++e) o[e] = log ? v[k][e] - m - ls : v[k][e] * inv;
    yr[j] = IO::pack(o);
  }
}

// Threads per row and vectors per thread for rows of `cols` elements; false
// when the row is not a whole number of vectors or too wide.
struct RowPlan {
  int nv = 0, tpr = 0, kv = 0, threads = 0;
  unsigned blocks = 0;
};
bool planRows(int64_t rows, int64_t cols, int elem_bytes, RowPlan* p) {
  const int64_t n = 16 / elem_bytes;
  if (cols % n != 0 || cols * elem_bytes > kMaxVecRowBytes) return false;
  const int nv = int(cols / n);
  int tpr = 1, kv = 1;
  if (nv <= 32) {
    while (tpr < nv) tpr <<= 1;
  } else if (nv <= 32 * kMaxVecPerThread) {
    tpr = 32;
    kv = (nv + 31) / 32;
  } else {
    tpr = ((nv + kMaxVecPerThread - 1) / kMaxVecPerThread + 31) / 32 * 32;
    kv = (nv + tpr - 1) / tpr;
  }
  // Whole rows per block: a block of 96-thread rows has 192 threads, not 256.
  const int64_t rpb = tpr < kRowBlock ? kRowBlock / tpr : 1, blocks = (rows + rpb - 1) / rpb;
  const int threads = int(rpb) * tpr;
  if (blocks > 0x7fffffff) return false;
  *p = RowPlan{nv, tpr, kv, threads, unsigned(blocks)};
  return true;
}

// Runs f(std::integral_constant<int, kV>) for the plan's vectors per thread.
template <typename F>
cudaError_t byVecs(int kv, F&& f) {
  switch (kv) {
    case 1: return f(std::integral_constant<int, 1>{});
    case 2: return f(std::integral_constant<int, 2>{});
    case 3: return f(std::integral_constant<int, 3>{});
    case 4: return f(std::integral_constant<int, 4>{});
    default: return cudaErrorNotSupported;
  }
}

// ---------------- bias + activation, grid-stride over 16-byte vectors
// SMs of the current device, asked once per device. A failed query is not
// cached, its error is cleared (see launchBiasActVecT), and the grid is sized
// for an H200 (132 SMs; a grid-stride loop is correct with any grid).
int smCount() {
  static std::atomic<int> cached[16];
  int dev = 0, n = 0;
  if (cudaGetDevice(&dev) != cudaSuccess || dev < 0 || dev >= 16) {
    (void)cudaGetLastError();
    return 132;
  }
  if ((n = cached[dev].load(std::memory_order_relaxed)) > 0) return n;
  if (cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev) != cudaSuccess || n < 1) {
    (void)cudaGetLastError();
    return 132;
  }
  cached[dev].store(n, std::memory_order_relaxed);
  return n;
}

constexpr int kActBlock = 256;

// kGelu: the act is erf-GELU, fixed at compile time (the GEMM epilogue's hot
// case); otherwise `act` at run time. bias_vec: inner == 1 and channels a
// multiple of the vector, so vector i adds bias vector i % (channels / N);
// that index advances by stride % (channels / N) per step instead of being
// divided out each time. Otherwise each element's channel is
// (e / inner) % channels, divided once per vector and then counted on.
template <typename T, bool kGelu>
__global__ void __launch_bounds__(kActBlock) biasActVecKernel(T* y, const T* __restrict__ bias,
                                                              const T* __restrict__ z, int64_t count,
                                                              int64_t channels, int64_t inner, Act act, float lo,
                                                              float hi, bool bias_vec) {
  using IO = VecIO<T>;
  constexpr int N = IO::kN;
  const Act a = kGelu ? Act::kGelu : act;
  const int64_t nvec = count / N, stride = int64_t(gridDim.x) * blockDim.x;
  const int64_t first = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  uint4* yv = reinterpret_cast<uint4*>(y);
  const int64_t bvecs = bias_vec ? channels / N : 1, step = stride % bvecs;
  auto process = [&](uint4 raw, int64_t i, int64_t bc) {
    float v[N];
    IO::unpack(raw, v);
    if (bias && bias_vec) {
      float b[N];
      IO::unpack(__ldg(reinterpret_cast<const uint4*>(bias) + bc), b);
#pragma unroll
      for (int e = 0; e < N; ++e) v[e] += b[e];
    } else if (bias) {
      int64_t c = (i * N / inner) % channels, r = i * N % inner;
#pragma unroll
      for (int e = 0; e < N; ++e) {
        v[e] += ld(bias, c);
        if (++r == inner) r = 0, c = c + 1 == channels ? 0 : c + 1;
      }
    }
    if (z) {
      float w[N];
      IO::unpack(__ldg(reinterpret_cast<const uint4*>(z) + i), w);
#pragma unroll
      for (int e = 0; e < N; ++e) v[e] += w[e];
    }
#pragma unroll
    for (int e = 0; e < N; ++e) v[e] = activate(a, v[e], lo, hi);
    return IO::pack(v);
  };
  // Two vectors per iteration, both loaded before either is computed, so each
  // thread keeps 32 bytes in flight.
  int64_t bc = first % bvecs;
  for (int64_t i = first; i < nvec; i += 2 * stride) {
    const int64_t i2 = i + stride;
    const bool two = i2 < nvec;
    const uint4 r1 = yv[i];
    const uint4 r2 = two ? yv[i2] : make_uint4(0, 0, 0, 0);
    int64_t bc2 = bc + step;
    if (bc2 >= bvecs) bc2 -= bvecs;
    yv[i] = process(r1, i, bc);
    if (two) yv[i2] = process(r2, i2, bc2);
    bc = bc2 + step;
    if (bc >= bvecs) bc -= bvecs;
  }
  const int64_t e = nvec * N + first;  // the count % N trailing elements
  if (e < count) {
    float v = ld(y, e);
    if (bias) v += ld(bias, (e / inner) % channels);
    if (z) v += ld(z, e);
    st(y, e, activate(a, v, lo, hi));
  }
}

template <typename T, bool kGelu>
cudaError_t launchBiasActVecT(T* y, const T* bias, const T* z, int64_t count, int64_t channels, int64_t inner, Act act,
                              float lo, float hi, bool bias_vec, cudaStream_t stream) {
  // Resident blocks per SM: a host query (no stream work), made until it
  // succeeds once. A failed query must not leave its error for the
  // cudaGetLastError below, which would blame the launch; the grid then
  // assumes a full SM of 2048 threads.
  static std::atomic<int> cached{0};
  int per_sm = cached.load(std::memory_order_relaxed);
  if (per_sm < 1) {
    if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, biasActVecKernel<T, kGelu>, kActBlock, 0) ==
            cudaSuccess &&
        per_sm >= 1) {
      cached.store(per_sm, std::memory_order_relaxed);
    } else {
      (void)cudaGetLastError();
      per_sm = 2048 / kActBlock;
    }
  }
  const int64_t nvec = count / VecIO<T>::kN;
  const int64_t want = (nvec + 2 * kActBlock - 1) / (2 * kActBlock), full = int64_t(per_sm) * smCount();
  const unsigned grid = unsigned(want < 1 ? 1 : (want < full ? want : full));
  biasActVecKernel<T, kGelu><<<grid, kActBlock, 0, stream>>>(y, bias, z, count, channels, inner, act, lo, hi, bias_vec);
  return cudaGetLastError();
}

}  // namespace

cudaError_t launchLayerNormVec(const void* x, const void* scale, const void* bias, void* y, void* mean, void* inv_std,
                               DType t, DType stat_t, int64_t rows, int64_t cols, float epsilon, cudaStream_t stream) {
  if (rows < 1 || cols < 1 || !aligned16(x) || !aligned16(y) || !aligned16(scale) || !aligned16(bias))
    return cudaErrorNotSupported;
  if ((mean || inv_std) && stat_t != DType::kFloat32 && stat_t != DType::kFloat16 && stat_t != DType::kBFloat16)
    return cudaErrorNotSupported;
  return byType(t, [&](auto tag) {
    using T = decltype(tag);
    RowPlan p;
    if (!planRows(rows, cols, int(sizeof(T)), &p)) return cudaErrorNotSupported;
    return byVecs(p.kv, [&](auto kv) {
      layerNormVecKernel<T, decltype(kv)::value><<<p.blocks, p.threads, 0, stream>>>(
          static_cast<const T*>(x), static_cast<const T*>(scale), static_cast<const T*>(bias), static_cast<T*>(y), mean,
          inv_std, stat_t, rows, p.nv, p.tpr, int(cols), epsilon);
      return cudaGetLastError();
    });
  });
}

cudaError_t launchSoftmaxRowsVec(const void* x, void* y, DType t, int64_t rows, int64_t cols, bool log,
                                 cudaStream_t stream) {
  if (rows < 1 || cols < 1 || !aligned16(x) || !aligned16(y)) return cudaErrorNotSupported;
  return byType(t, [&](auto tag) {
    using T = decltype(tag);
    RowPlan p;
    if (!planRows(rows, cols, int(sizeof(T)), &p)) return cudaErrorNotSupported;
    return byVecs(p.kv, [&](auto kv) {
      softmaxVecKernel<T, decltype(kv)::value><<<p.blocks, p.threads, 0, stream>>>(
          static_cast<const T*>(x), static_cast<T*>(y), rows, p.nv, p.tpr, log);
      return cudaGetLastError();
    });
  });
}

cudaError_t launchBiasActVec(void* y, const void* bias, const void* z, DType t, int64_t count, int64_t channels,
                             int64_t inner, Act act, float clip_min, float clip_max, cudaStream_t stream) {
  if (count < 1 || !aligned16(y) || !aligned16(z)) return cudaErrorNotSupported;
  channels = channels < 1 ? 1 : channels;
  inner = inner < 1 ? 1 : inner;
  return byType(t, [&](auto tag) {
    using T = decltype(tag);
    constexpr int N = VecIO<T>::kN;
    const bool bias_vec = bias != nullptr && inner == 1 && channels % N == 0 && aligned16(bias);
    auto* yt = static_cast<T*>(y);
    auto* bt = static_cast<const T*>(bias);
    auto* zt = static_cast<const T*>(z);
    if (act == Act::kGelu)
      return launchBiasActVecT<T, true>(yt, bt, zt, count, channels, inner, act, clip_min, clip_max, bias_vec, stream);
    return launchBiasActVecT<T, false>(yt, bt, zt, count, channels, inner, act, clip_min, clip_max, bias_vec, stream);
  });
}

}  // namespace gpuscope::engine::gpu
