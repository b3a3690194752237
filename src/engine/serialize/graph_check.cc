#include <algorithm>

#include <fmt/format.h>

#include "engine/passes/infer_shapes.h"
#include "engine/serialize/engine_file.h"

namespace gpuscope::engine::serialize {

Status checkEngineGraph(const Graph& graph, const std::string& path) {
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    if (graph.nodes[n].dead)
      return InvalidInput(fmt::format("{}: {} is marked dead in a saved engine", path, graph.describe(NodeId(n))));
  for (ValueId v : graph.outputs)
    if (graph.values[size_t(v)].producer < 0 && !graph.isConstant(v) &&
        std::find(graph.inputs.begin(), graph.inputs.end(), v) == graph.inputs.end())
      return InvalidInput(fmt::format("{}: graph output '{}' is neither computed nor an input", path, graph.values[size_t(v)].name));
  Graph check = graph;
  Status s = inferShapes(check, InferOptions{.fold_constants = false});
  if (!s.ok()) return InvalidInput(fmt::format("{}: saved graph does not check: {}", path, s.message()));
  for (size_t v = 0; v < graph.values.size(); ++v) {
    const TensorDesc& saved = graph.values[v].desc;
    const TensorDesc& inferred = check.values[v].desc;
    if (graph.values[v].producer < 0 || saved == inferred) continue;
    return InvalidInput(fmt::format("{}: value '{}' is saved as {} {} but its op gives {} {}", path, graph.values[v].name,
                                    dtypeName(saved.dtype), shapeText(saved.shape), dtypeName(inferred.dtype),
                                    shapeText(inferred.shape)));
  }
  return OkStatus();
}

}  // namespace gpuscope::engine::serialize
