// A strided copy planned once at layer construction: the iteration space is
// simplified (size-1 dims dropped, dims that are contiguous on both sides
// merged) and the kernel is picked — a plain cudaMemcpyAsync when both sides
// are one dense run, the tiled transpose when the innermost source and
// destination dims differ, else the generic strided kernel. Transpose, Slice,
// Expand, Tile, Concat, Split and Pad are all such copies.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/gpu/shape/shape_kernels.h"

namespace gpuscope::engine::gpu {

class StridedCopy {
 public:
  // shape/strides in elements, any rank up to 2*kMaxCopyRank before
  // simplification; InvalidInput (prefixed by `where`) when the simplified
  // rank still exceeds kMaxCopyRank.
  static StatusOr<StridedCopy> make(const std::vector<int64_t>& shape, const std::vector<int64_t>& src_strides,
                                    const std::vector<int64_t>& dst_strides, int64_t src_offset, int64_t dst_offset,
                                    int elem_size, const std::string& where);
  cudaError_t launch(const void* src, void* dst, cudaStream_t stream) const;

  // "memcpy", "tiled_transpose" or "strided_copy" (for tactic names and tests).
  const char* kernelKind() const;
  const CopyParams& params() const { return p_; }
  // Bytes moved per element of params() (the dtype size, or a wider word
  // when contiguous runs are vectorized).
  int wordSize() const { return elem_size_; }

 private:
  CopyParams p_;
  int elem_size_ = 0;
  bool dense_ = false;
  int tile_a_ = -1, tile_b_ = -1;
};

}  // namespace gpuscope::engine::gpu
