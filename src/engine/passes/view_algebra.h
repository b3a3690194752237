// Strided views through ONNX reshaping ops, composed exactly as torch's
// view() does: the algebra under the attention_views pass. A View is the
// (shape, element strides, offset) of a value inside a source buffer.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/ir/graph.h"

namespace gpuscope::engine::views {

struct View {
  Shape shape;
  std::vector<int64_t> strides;
  int64_t offset = 0;
};

View denseView(const Shape& shape);

// The strides that show `v` with shape `to` (same element count) without a
// copy, or nullopt (dims split or merge only within contiguous runs).
std::optional<View> reshapeView(const View& v, const Shape& to);

// The view of output `out_index` of `n` given the view of its data input
// (Reshape/Squeeze/Unsqueeze/Flatten/Transpose/Slice/Gather/Split), or nullopt.
std::optional<View> stepView(const Graph& graph, const Node& n, size_t out_index, const View& v);

// Reshape (merging runs of dims) -> Transpose (of the merged dims) -> Reshape
// (splitting them back) is a transpose of the original dims even where the
// merged dims are not contiguous with each other (torch's K^T of a head
// slice: [B,H,S,D] -> [B*H,S,D] -> [B*H,D,S] -> [B,H,D,S]). `steps` are the
// three nodes with their output indices; nullopt if they are not that.
std::optional<View> groupedTransposeView(const Graph& graph, const std::vector<std::pair<NodeId, size_t>>& steps,
                                         size_t i, const View& v);

bool isChainOp(const std::string& op);

}  // namespace gpuscope::engine::views
