// The memory layout of a gpuscope.Attention node (contract in ops/fused_ops.h):
// where the logical Q/K/V/Y tensors live in their buffers, from the node's
// optional view attributes. Shared by shape inference, the CPU reference and
// the GPU layer so all three accept exactly the same views.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "base/status.h"
#include "engine/ir/attributes.h"
#include "engine/ir/tensor.h"

namespace gpuscope::engine::fused {

// Logical 4-D tensor (i0..i3) at buffer[offset + sum(i * strides)].
struct AttentionView {
  Shape shape;                      // the logical dims (4)
  std::array<int64_t, 4> strides{};  // element strides
  int64_t offset = 0;
  bool dense = true;                // no view attributes: the buffer itself, row-major
};

struct AttentionLayout {
  int64_t b = 0, h = 0, sq = 0, sk = 0, d = 0, dv = 0;
  bool k_transposed = false;
  AttentionView q, k, v;  // k in the node's form: [B,H,D,Sk] when k_transposed
  std::array<int64_t, 4> y_strides{};  // logical Y [B,H,Sq,Dv] into the output buffer
  Shape out_shape;                     // the output's physical shape
  bool y_dense = true;
};

// Reads the view attributes and checks them against the input buffers'
// shapes: every view inside its buffer, Q/K/V dims agreeing, Y's strides a
// one-to-one map onto out_shape. InvalidInput starting with `where`.
StatusOr<AttentionLayout> attentionLayout(const Attributes& attrs, const Shape& q_buffer, const Shape& k_buffer,
                                          const Shape& v_buffer, const std::string& where);

// Whether `strides` over `shape` address every element of a dense buffer of
// shapeElements(shape) elements exactly once.
bool isPermutedDense(const Shape& shape, const std::array<int64_t, 4>& strides);

}  // namespace gpuscope::engine::fused
