#include "engine/passes/pipeline.h"

#include <chrono>

#include <fmt/format.h>

#include "engine/passes/fuse_pointwise.h"
#include "engine/passes/infer_shapes.h"
#include "engine/passes/passes.h"

namespace gpuscope::engine {

Status optimize(Graph& graph, const OptimizeOptions& options, PassLog& log) {
  auto start = std::chrono::steady_clock::now();
  auto checkpoint = [&](const char* what) { log.addf("{}: {} layers", what, graph.liveNodeCount()); };
  checkpoint("Original");
  GS_RETURN_IF_ERROR(inferShapes(graph));
  checkpoint("After constant folding");
  GS_RETURN_IF_ERROR(eliminateDeadCode(graph, log));
  checkpoint("After dead-layer removal");
  if (options.fuse) {
    GS_RETURN_IF_ERROR(foldBatchNorm(graph, log));
    checkpoint("After scale fusion");
    GS_RETURN_IF_ERROR(fuseLayerNorm(graph, log));
    GS_RETURN_IF_ERROR(fuseAttention(graph, log));
    GS_RETURN_IF_ERROR(attentionViews(graph, log));
    checkpoint("After LayerNorm and attention fusion");
    GS_RETURN_IF_ERROR(convAsGemm(graph, log));
    GS_RETURN_IF_ERROR(fuseConv(graph, log));
    GS_RETURN_IF_ERROR(fuseGemm(graph, log));
    checkpoint("After vertical fusions");
  }
  // Precision before pointwise fusion: the pass rewrites Cast nodes to the
  // compute type, which it cannot see once they are inside a PWN program.
  GS_RETURN_IF_ERROR(assignPrecision(graph, options.compute, log));
  checkpoint("After reformat insertion");
  if (options.fuse) {
    // Before pointwise fusion: the elementwise ops between convolutions
    // follow the NHWC layout one by one, then fuse in it.
    GS_RETURN_IF_ERROR(convertConvLayout(graph, options.compute, log));
    checkpoint("After layout selection");
    GS_RETURN_IF_ERROR(fusePointwise(graph, &log));
    checkpoint("After pointwise fusion");
  }
  GS_RETURN_IF_ERROR(eliminateDeadCode(graph, log));
  checkpoint("After final dead-layer removal");
  // Every fused node's desc re-derived from its op: catches a pass that
  // produced an inconsistent graph before any kernel is chosen.
  GS_RETURN_IF_ERROR(inferShapes(graph, InferOptions{.fold_constants = false}));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log.addf("Graph optimization time: {:.6g} seconds.", seconds);
  return OkStatus();
}

}  // namespace gpuscope::engine
