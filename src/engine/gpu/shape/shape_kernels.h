// Launchers of the data-movement kernels behind the shape layers
// (shape_kernels.cu). Element types are opaque here: copies move 1/2/4/8-byte
// words, so one kernel serves every dtype. All launchers only enqueue work on
// `stream` and return the launch status (graph-capture safe).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "engine/ir/dtype.h"

namespace gpuscope::engine::gpu {

inline constexpr int kMaxCopyRank = 8;

// dst[dst_offset + sum(i_d * dst_stride_d)] = src[src_offset + sum(i_d * src_stride_d)]
// for every multi-index i of `shape` (offsets and strides in elements; a
// source stride of 0 broadcasts). Built and simplified by StridedCopy.
struct CopyParams {
  int rank = 0;
  int64_t shape[kMaxCopyRank] = {};
  int64_t src_stride[kMaxCopyRank] = {};
  int64_t dst_stride[kMaxCopyRank] = {};
  int64_t src_offset = 0, dst_offset = 0;
  int64_t count = 0;  // product of shape
};
// elem_size 1, 2, 4, 8 or 16 (16: vectorized runs; pointers 16-byte aligned).
cudaError_t launchStridedCopy(const CopyParams& p, int elem_size, const void* src, void* dst, cudaStream_t stream);
// Batched 2-D transpose through shared-memory tiles: dims `a` and `b` of p
// satisfy p.dst_stride[a] == 1 and p.src_stride[b] == 1 (both contiguous on
// one side only); other dims (at most 6) index the batch.
cudaError_t launchTiledTranspose(const CopyParams& p, int a, int b, int elem_size, const void* src, void* dst,
                                 cudaStream_t stream);

// Fills `count` elements of `elem_size` bytes with the bit pattern `value`.
cudaError_t launchFill(void* dst, int64_t count, int elem_size, uint64_t value, cudaStream_t stream);

// out[o, j, i] = data[o, idx[j], i]; data is [outer, axis_dim, inner], out is
// [outer, n_idx, inner]. Negative indices count from the end; an index out of
// range yields zeros (kernels cannot report errors).
cudaError_t launchGather(const void* data, const void* indices, bool indices_int64, void* out, int64_t outer,
                         int64_t axis_dim, int64_t n_idx, int64_t inner, int elem_size, cudaStream_t stream);

// GatherND: output element i = slice element s of tuple t (i = t * slice + s),
// tuple t of batch t / tuples_per_batch reads indices[t * m .. t * m + m) and
// data[batch * batch_stride + sum_k idx_k * stride[k] + s]. Negative indices
// count from the end; out-of-range indices are clamped into range (never read
// out of bounds; the CPU op rejects them). Every dim[k] must be >= 1.
struct GatherNDParams {
  int m = 0;  // tuple length, <= kMaxCopyRank
  int64_t dim[kMaxCopyRank] = {};
  int64_t stride[kMaxCopyRank] = {};  // data strides (elements) of the indexed dims
  int64_t batch_stride = 0;           // data elements per batch (0 without batch dims)
  int64_t tuples_per_batch = 1;
  int64_t slice = 1;                  // elements copied per tuple
  int64_t count = 0;                  // output elements
};
cudaError_t launchGatherND(const GatherNDParams& p, const void* data, const void* indices, bool indices_int64,
                           void* out, int elem_size, cudaStream_t stream);

// out[i] = cond[i] ? x[i] : y[i] with broadcast strides over the output shape
// (`p.src_stride` is unused; strides per operand below).
struct WhereParams {
  int rank = 0;
  int64_t shape[kMaxCopyRank] = {};
  int64_t cond_stride[kMaxCopyRank] = {};
  int64_t x_stride[kMaxCopyRank] = {};
  int64_t y_stride[kMaxCopyRank] = {};
  int64_t count = 0;
};
cudaError_t launchWhere(const WhereParams& p, const uint8_t* cond, const void* x, const void* y, void* out,
                        int elem_size, cudaStream_t stream);

// Element type conversion with ONNX Cast semantics (float->int truncates,
// anything->bool is != 0). Returns cudaErrorInvalidValue for unsupported pairs.
bool castSupported(DType from, DType to);
cudaError_t launchCast(const void* src, DType from, void* dst, DType to, int64_t count, cudaStream_t stream);

// Trilu on the last two dims [batch, rows, cols]: keeps j - i >= k (upper) or
// j - i <= k (lower), zeroes the rest.
cudaError_t launchTrilu(const void* src, void* dst, int64_t batch, int64_t rows, int64_t cols, int64_t k,
                        bool upper, int elem_size, cudaStream_t stream);

}  // namespace gpuscope::engine::gpu
