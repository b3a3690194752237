// Shared by build.cc and build_onnx.cc.
#pragma once

#include <memory>

#include "engine/runtime/engine.h"

namespace gpuscope::engine {

// The build after import; `start_ns` (monotonicNs) is when the build began,
// for "Engine built in X sec.".
StatusOr<std::unique_ptr<Engine>> buildEngine(Graph graph, const BuildOptions& options, const LogSink& log,
                                              int64_t start_ns);
Precision precisionOf(const BuildOptions& options);

}  // namespace gpuscope::engine
