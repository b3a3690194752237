// Shape binding, shape/type inference and constant folding, run together in
// one topological walk: once input shapes are bound, every Shape op is a
// constant, so the shape arithmetic torch.onnx emits (Shape -> Gather ->
// Concat -> Reshape) folds away and the remaining graph has static shapes.
#pragma once

#include <map>
#include <span>
#include <string>

#include "base/status.h"
#include "engine/ir/graph.h"

namespace gpuscope::engine {

// Gives graph inputs with dynamic dims their concrete shapes (--shapes).
// InvalidInput: unknown input name, rank mismatch, a fixed dim contradicted,
// or a dynamic dim left without a value (names the input and the dim_param).
Status bindInputShapes(Graph& graph, const std::map<std::string, Shape>& shapes);

struct InferOptions {
  bool fold_constants = true;
  // Outputs larger than this are not folded (they would bloat the engine);
  // TensorRT folds weights transforms, so the default is generous.
  int64_t max_fold_bytes = int64_t(256) << 20;
};

// Infers every value's desc in topological order and folds foldable nodes
// whose inputs are all constant (the node is marked dead, its outputs become
// constants). Errors name the node and op, e.g. "node 'Conv_3' (Conv): ...",
// and "unsupported op" for an op the registry does not know.
Status inferShapes(Graph& graph, const InferOptions& options = {});

// Runs one node on the CPU reference ops: outputs allocated from the
// node's inferred output descs.
StatusOr<std::vector<HostTensor>> runNodeOnCpu(const Graph& graph, NodeId n,
                                               std::span<const HostTensor* const> inputs);

}  // namespace gpuscope::engine
