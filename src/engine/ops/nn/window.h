// Sliding-window geometry shared by Conv and the pooling ops: kernel,
// strides, dilations and begin/end pads per spatial dim, resolved from the
// ONNX attributes (auto_pad NOTSET/SAME_UPPER/SAME_LOWER/VALID, ceil_mode),
// and the output spatial sizes.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "engine/ir/graph.h"

namespace gpuscope::engine::nn_ops {

struct Window {
  std::vector<int64_t> kernel, strides, dilations, pad_begin, pad_end, out;
};

// `in` = spatial input dims; `kernel` from the weights or kernel_shape.
StatusOr<Window> resolveWindow(const std::string& where, const Node& node, const std::vector<int64_t>& in,
                               std::vector<int64_t> kernel, bool allow_ceil_mode);

// Spatial dims padded to 3 (leading 1s) so the loops are written once.
struct Window3 {
  int64_t in[3], out[3], k[3], s[3], d[3], pb[3], pe[3];
};
Window3 toWindow3(const Window& w, const std::vector<int64_t>& in);

}  // namespace gpuscope::engine::nn_ops
