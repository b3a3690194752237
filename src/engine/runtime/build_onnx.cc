// Engine::buildFromOnnx: import, then the common build.
#include <fmt/format.h>

#include "engine/onnx/onnx_import.h"
#include "engine/runtime/build_internal.h"
#include "engine/runtime/engine_impl.h"

namespace gpuscope::engine {

StatusOr<std::unique_ptr<Engine>> Engine::buildFromOnnx(const std::string& onnx_path, const BuildOptions& options,
                                                        const LogSink& log) {
  int64_t start = monotonicNs();
  GS_ASSIGN_OR_RETURN(Graph graph, importOnnx(onnx_path));
  if (log) log('I', fmt::format("Parsed ONNX model {} ({} nodes, opset {})", onnx_path, graph.liveNodeCount(), graph.opset));
  return buildEngine(std::move(graph), options, log, start);
}

}  // namespace gpuscope::engine
