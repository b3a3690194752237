// Factories of the two ExecutionContext implementations (context.cc picks).
#pragma once

#include <memory>

#include "engine/runtime/engine_impl.h"

namespace gpuscope::engine {

StatusOr<std::unique_ptr<ExecutionContext>> createCpuContext(const EngineImpl& engine, const ContextOptions& options);
StatusOr<std::unique_ptr<ExecutionContext>> createGpuContext(const EngineImpl& engine, const ContextOptions& options);

}  // namespace gpuscope::engine
