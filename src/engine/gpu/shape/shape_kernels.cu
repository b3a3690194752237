// Data-movement kernels of the shape layers. Elements are moved as opaque
// 1/2/4/8-byte words; index math uses 32-bit integers when the tensor allows
// (divisions dominate these kernels) and 64-bit otherwise.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "engine/gpu/shape/shape_kernels.h"

namespace gpuscope::engine::gpu {
namespace {

constexpr int kThreads = 256;

unsigned blocksFor(int64_t n, int64_t per_block = kThreads) {
  int64_t b = (n + per_block - 1) / per_block;
  return unsigned(b < 1 ? 1 : (b > 1048576 ? 1048576 : b));  // grid-stride loops cover the rest
}

template <typename Word, typename Index>
__global__ void stridedCopyKernel(CopyParams p, const Word* __restrict__ src, Word* __restrict__ dst) {
  const Index count = Index(p.count);
  for (Index i = Index(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += Index(gridDim.x) * blockDim.x) {
    Index rem = i, s = Index(p.src_offset), d = Index(p.dst_offset);
#pragma unroll
    for (int k = kMaxCopyRank - 1; k >= 0; --k) {
      if (k >= p.rank) continue;
      Index dim = Index(p.shape[k]);
      Index idx = rem % dim;
      rem /= dim;
      s += idx * Index(p.src_stride[k]);
      d += idx * Index(p.dst_stride[k]);
    }
    dst[d] = src[s];
  }
}

template <typename Word>
cudaError_t copyWords(const CopyParams& p, const void* src, void* dst, cudaStream_t stream) {
  int64_t max_offset = p.src_offset + p.dst_offset + p.count;
  for (int k = 0; k < p.rank; ++k) max_offset += (p.shape[k] - 1) * (p.src_stride[k] + p.dst_stride[k]);
  if (max_offset < (int64_t(1) << 30))  // headroom for the grid-stride increment
    stridedCopyKernel<Word, int32_t><<<blocksFor(p.count), kThreads, 0, stream>>>(p, static_cast<const Word*>(src),
                                                                                   static_cast<Word*>(dst));
  else
    stridedCopyKernel<Word, int64_t><<<blocksFor(p.count), kThreads, 0, stream>>>(p, static_cast<const Word*>(src),
                                                                                  static_cast<Word*>(dst));
  return cudaGetLastError();
}

// 32x32 tile, 32x8 threads. Tile coordinates: ta along dim a (dst-contiguous),
// tb along dim b (src-contiguous). Reads are coalesced along b, writes along a.
template <typename Word>
__global__ void tiledTransposeKernel(CopyParams p, int a, int b, int64_t tiles_a, const Word* __restrict__ src,
                                     Word* __restrict__ dst) {
  __shared__ Word tile[32][33];
  int64_t tile_id = blockIdx.x;
  int64_t tb = tile_id / tiles_a, ta = tile_id % tiles_a;
  // batch offset from blockIdx.y over the other dims
  int64_t rem = blockIdx.y, s = p.src_offset, d = p.dst_offset;
  for (int k = p.rank - 1; k >= 0; --k) {
    if (k == a || k == b) continue;
    int64_t idx = rem % p.shape[k];
    rem /= p.shape[k];
    s += idx * p.src_stride[k];
    d += idx * p.dst_stride[k];
  }
  const int64_t na = p.shape[a], nb = p.shape[b];
  // load: threadIdx.x runs along b (contiguous in src)
  for (int r = threadIdx.y; r < 32; r += 8) {
    int64_t ia = ta * 32 + r, ib = tb * 32 + threadIdx.x;
    if (ia < na && ib < nb) tile[r][threadIdx.x] = src[s + ia * p.src_stride[a] + ib];
  }
  __syncthreads();
  // store: threadIdx.x runs along a (contiguous in dst)
  for (int r = threadIdx.y; r < 32; r += 8) {
    int64_t ib = tb * 32 + r, ia = ta * 32 + threadIdx.x;
    if (ia < na && ib < nb) dst[d + ib * p.dst_stride[b] + ia] = tile[threadIdx.x][r];
  }
}

template <typename Word>
cudaError_t transposeWords(const CopyParams& p, int a, int b, const void* src, void* dst, cudaStream_t stream) {
  int64_t tiles_a = (p.shape[a] + 31) / 32, tiles_b = (p.shape[b] + 31) / 32;
  int64_t batch = p.count / (p.shape[a] * p.shape[b]);
  if (tiles_a * tiles_b > 0x7fffffff || batch > 65535) return cudaErrorInvalidConfiguration;
  dim3 grid(unsigned(tiles_a * tiles_b), unsigned(batch));
  tiledTransposeKernel<Word><<<grid, dim3(32, 8), 0, stream>>>(p, a, b, tiles_a, static_cast<const Word*>(src),
                                                               static_cast<Word*>(dst));
  return cudaGetLastError();
}

template <typename Word>
__global__ void fillKernel(Word* dst, int64_t count, Word value) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x)
    dst[i] = value;
}

template <typename Word, typename Idx>
__global__ void gatherKernel(const Word* __restrict__ data, const Idx* __restrict__ indices, Word* __restrict__ out,
                             int64_t axis_dim, int64_t n_idx, int64_t inner, int64_t count) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t in_i = i % inner;
    int64_t t = i / inner;
    int64_t j = t % n_idx;
    int64_t o = t / n_idx;
    int64_t idx = int64_t(indices[j]);
    if (idx < 0) idx += axis_dim;
    out[i] = (idx >= 0 && idx < axis_dim) ? data[(o * axis_dim + idx) * inner + in_i] : Word(0);
  }
}

template <typename Word, typename Idx>
__global__ void gatherNDKernel(GatherNDParams p, const Word* __restrict__ data, const Idx* __restrict__ indices,
                               Word* __restrict__ out) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < p.count; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t s = i % p.slice;
    int64_t t = i / p.slice;
    int64_t off = (t / p.tuples_per_batch) * p.batch_stride + s;
    const Idx* tuple = indices + t * p.m;
    for (int k = 0; k < p.m; ++k) {
      int64_t dim = p.dim[k];
      int64_t v = int64_t(tuple[k]);
      if (v < 0) v += dim;
      v = v < 0 ? 0 : (v >= dim ? dim - 1 : v);
      off += v * p.stride[k];
    }
    out[i] = data[off];
  }
}

template <typename Word>
__global__ void whereKernel(WhereParams p, const uint8_t* __restrict__ cond, const Word* __restrict__ x,
                            const Word* __restrict__ y, Word* __restrict__ out) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < p.count;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t rem = i, c = 0, xo = 0, yo = 0;
    for (int k = p.rank - 1; k >= 0; --k) {
      int64_t idx = rem % p.shape[k];
      rem /= p.shape[k];
      c += idx * p.cond_stride[k];
      xo += idx * p.x_stride[k];
      yo += idx * p.y_stride[k];
    }
    out[i] = cond[c] ? x[xo] : y[yo];
  }
}

template <typename Word>
__global__ void triluKernel(const Word* __restrict__ src, Word* __restrict__ dst, int64_t rows, int64_t cols,
                            int64_t k, bool upper, int64_t count) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t col = i % cols, row = (i / cols) % rows;
    bool keep = upper ? (col - row >= k) : (col - row <= k);
    dst[i] = keep ? src[i] : Word(0);
  }
}

// ---- Cast: every value goes through float (float types) or a 64-bit integer.
template <typename T> struct Conv;
template <> struct Conv<float> {
  __device__ static float toF(float v) { return v; }
  __device__ static float fromF(float v) { return v; }
};
template <> struct Conv<__half> {
  __device__ static float toF(__half v) { return __half2float(v); }
  __device__ static __half fromF(float v) { return __float2half_rn(v); }
};
template <> struct Conv<__nv_bfloat16> {
  __device__ static float toF(__nv_bfloat16 v) { return __bfloat162float(v); }
  __device__ static __nv_bfloat16 fromF(float v) { return __float2bfloat16_rn(v); }
};
template <> struct Conv<double> {
  __device__ static double toF(double v) { return v; }
  __device__ static double fromF(double v) { return v; }
};
struct BoolTag { uint8_t v; };

template <typename S, typename D>
__device__ D convertValue(S s) {
  if constexpr (std::is_same_v<D, BoolTag>) {
    if constexpr (std::is_same_v<S, BoolTag>) return s;
    else if constexpr (std::is_integral_v<S>) return BoolTag{uint8_t(s != 0)};
    else return BoolTag{uint8_t(float(Conv<S>::toF(s)) != 0.f)};
  } else if constexpr (std::is_same_v<S, BoolTag>) {
    if constexpr (std::is_integral_v<D>) return D(s.v);
    else return Conv<D>::fromF(s.v ? 1.f : 0.f);
  } else if constexpr (std::is_integral_v<S> && std::is_integral_v<D>) {
    return D(s);
  } else if constexpr (std::is_integral_v<S>) {
    if constexpr (std::is_same_v<D, double>) return double(s);
    else return Conv<D>::fromF(float(s));
  } else if constexpr (std::is_integral_v<D>) {
    return D(double(Conv<S>::toF(s)));  // truncation toward zero
  } else if constexpr (std::is_same_v<D, double>) {
    return double(Conv<S>::toF(s));
  } else {
    return Conv<D>::fromF(float(Conv<S>::toF(s)));
  }
}

template <typename S, typename D>
__global__ void castKernel(const S* __restrict__ src, D* __restrict__ dst, int64_t count) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x)
    dst[i] = convertValue<S, D>(src[i]);
}

template <typename S, typename D>
cudaError_t castTyped(const void* src, void* dst, int64_t count, cudaStream_t stream) {
  castKernel<S, D><<<blocksFor(count), kThreads, 0, stream>>>(static_cast<const S*>(src), static_cast<D*>(dst), count);
  return cudaGetLastError();
}

template <typename F>
bool withType(DType t, F&& f) {
  switch (t) {
    case DType::kFloat32: f(float{}); return true;
    case DType::kFloat16: f(__half{}); return true;
    case DType::kBFloat16: f(__nv_bfloat16{}); return true;
    case DType::kFloat64: f(double{}); return true;
    case DType::kInt64: f(int64_t{}); return true;
    case DType::kInt32: f(int32_t{}); return true;
    case DType::kInt8: f(int8_t{}); return true;
    case DType::kUInt8: f(uint8_t{}); return true;
    case DType::kBool: f(BoolTag{}); return true;
  }
  return false;
}

template <template <typename> class K, typename... Args>
cudaError_t byWordSize(int elem_size, Args&&... args) {
  switch (elem_size) {
    case 1: return K<uint8_t>::run(args...);
    case 2: return K<uint16_t>::run(args...);
    case 4: return K<uint32_t>::run(args...);
    case 8: return K<uint64_t>::run(args...);
    default: return cudaErrorInvalidValue;
  }
}

template <typename W> struct CopyOp {
  static cudaError_t run(const CopyParams& p, const void* s, void* d, cudaStream_t st) { return copyWords<W>(p, s, d, st); }
};
template <typename W> struct TransposeOp {
  static cudaError_t run(const CopyParams& p, int a, int b, const void* s, void* d, cudaStream_t st) {
    return transposeWords<W>(p, a, b, s, d, st);
  }
};
template <typename W> struct FillOp {
  static cudaError_t run(void* dst, int64_t count, uint64_t value, cudaStream_t st) {
    fillKernel<W><<<blocksFor(count), kThreads, 0, st>>>(static_cast<W*>(dst), count, W(value));
    return cudaGetLastError();
  }
};
template <typename W> struct GatherOp {
  static cudaError_t run(const void* data, const void* idx, bool i64, void* out, int64_t outer, int64_t axis_dim,
                         int64_t n_idx, int64_t inner, cudaStream_t st) {
    int64_t count = outer * n_idx * inner;
    if (i64)
      gatherKernel<W, int64_t><<<blocksFor(count), kThreads, 0, st>>>(
          static_cast<const W*>(data), static_cast<const int64_t*>(idx), static_cast<W*>(out), axis_dim, n_idx, inner, count);
    else
      gatherKernel<W, int32_t><<<blocksFor(count), kThreads, 0, st>>>(
          static_cast<const W*>(data), static_cast<const int32_t*>(idx), static_cast<W*>(out), axis_dim, n_idx, inner, count);
    return cudaGetLastError();
  }
};
template <typename W> struct GatherNDOp {
  static cudaError_t run(const GatherNDParams& p, const void* data, const void* idx, bool i64, void* out,
                         cudaStream_t st) {
    if (i64)
      gatherNDKernel<W, int64_t><<<blocksFor(p.count), kThreads, 0, st>>>(
          p, static_cast<const W*>(data), static_cast<const int64_t*>(idx), static_cast<W*>(out));
    else
      gatherNDKernel<W, int32_t><<<blocksFor(p.count), kThreads, 0, st>>>(
          p, static_cast<const W*>(data), static_cast<const int32_t*>(idx), static_cast<W*>(out));
    return cudaGetLastError();
  }
};
template <typename W> struct WhereOp {
  static cudaError_t run(const WhereParams& p, const uint8_t* c, const void* x, const void* y, void* out,
                         cudaStream_t st) {
    whereKernel<W><<<blocksFor(p.count), kThreads, 0, st>>>(p, c, static_cast<const W*>(x), static_cast<const W*>(y),
                                                            static_cast<W*>(out));
    return cudaGetLastError();
  }
};
template <typename W> struct TriluOp {
  static cudaError_t run(const void* s, void* d, int64_t batch, int64_t rows, int64_t cols, int64_t k, bool upper,
                         cudaStream_t st) {
    int64_t count = batch * rows * cols;
    triluKernel<W><<<blocksFor(count), kThreads, 0, st>>>(static_cast<const W*>(s), static_cast<W*>(d), rows, cols, k,
                                                          upper, count);
    return cudaGetLastError();
  }
};

}  // namespace

cudaError_t launchStridedCopy(const CopyParams& p, int elem_size, const void* src, void* dst, cudaStream_t stream) {
  if (p.count == 0) return cudaSuccess;
  if (elem_size == 16) return copyWords<uint4>(p, src, dst, stream);  // vectorized runs (StridedCopy)
  return byWordSize<CopyOp>(elem_size, p, src, dst, stream);
}

cudaError_t launchTiledTranspose(const CopyParams& p, int a, int b, int elem_size, const void* src, void* dst,
                                 cudaStream_t stream) {
  if (p.count == 0) return cudaSuccess;
  return byWordSize<TransposeOp>(elem_size, p, a, b, src, dst, stream);
}

cudaError_t launchFill(void* dst, int64_t count, int elem_size, uint64_t value, cudaStream_t stream) {
  if (count == 0) return cudaSuccess;
  return byWordSize<FillOp>(elem_size, dst, count, value, stream);
}

cudaError_t launchGather(const void* data, const void* indices, bool indices_int64, void* out, int64_t outer,
                         int64_t axis_dim, int64_t n_idx, int64_t inner, int elem_size, cudaStream_t stream) {
  if (outer * n_idx * inner == 0) return cudaSuccess;
  return byWordSize<GatherOp>(elem_size, data, indices, indices_int64, out, outer, axis_dim, n_idx, inner, stream);
}

cudaError_t launchGatherND(const GatherNDParams& p, const void* data, const void* indices, bool indices_int64,
                           void* out, int elem_size, cudaStream_t stream) {
  if (p.count == 0) return cudaSuccess;
  if (p.m < 1 || p.m > kMaxCopyRank || p.slice < 1 || p.tuples_per_batch < 1) return cudaErrorInvalidValue;
  for (int k = 0; k < p.m; ++k)
    if (p.dim[k] < 1) return cudaErrorInvalidValue;  // nothing to clamp into
  return byWordSize<GatherNDOp>(elem_size, p, data, indices, indices_int64, out, stream);
}

cudaError_t launchWhere(const WhereParams& p, const uint8_t* cond, const void* x, const void* y, void* out,
                        int elem_size, cudaStream_t stream) {
  if (p.count == 0) return cudaSuccess;
  return byWordSize<WhereOp>(elem_size, p, cond, x, y, out, stream);
}

cudaError_t launchTrilu(const void* src, void* dst, int64_t batch, int64_t rows, int64_t cols, int64_t k, bool upper,
                        int elem_size, cudaStream_t stream) {
  if (batch * rows * cols == 0) return cudaSuccess;
  return byWordSize<TriluOp>(elem_size, src, dst, batch, rows, cols, k, upper, stream);
}

bool castSupported(DType from, DType to) {
  bool ok_from = false, ok_to = false;
  withType(from, [&](auto) { ok_from = true; });
  withType(to, [&](auto) { ok_to = true; });
  return ok_from && ok_to;
}

cudaError_t launchCast(const void* src, DType from, void* dst, DType to, int64_t count, cudaStream_t stream) {
  if (count == 0) return cudaSuccess;
  cudaError_t err = cudaErrorInvalidValue;
  withType(from, [&](auto s) {
    withType(to, [&](auto d) { err = castTyped<decltype(s), decltype(d)>(src, dst, count, stream); });
  });
  return err;
}

}  // namespace gpuscope::engine::gpu
