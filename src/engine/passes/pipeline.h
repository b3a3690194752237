// The optimizer: shape inference with constant folding, dead code removal,
// BatchNorm folding, LayerNorm / attention / conv / GEMM / pointwise fusion,
// precision assignment, then a final check of every desc. The builder calls
// it once between import and layer creation.
#pragma once

#include "base/status.h"
#include "engine/ir/dtype.h"
#include "engine/ir/graph.h"
#include "engine/passes/pass_log.h"

namespace gpuscope::engine {

struct OptimizeOptions {
  DType compute = DType::kFloat32;  // fp32, fp16 or bf16
  bool fuse = true;                 // false: only folding, dead code removal and precision
};

// Logs the phase checkpoints ("Original: N layers", "After dead-layer removal:
// N layers", ..., "Graph optimization time: X seconds.") and every pass's lines.
Status optimize(Graph& graph, const OptimizeOptions& options, PassLog& log);

}  // namespace gpuscope::engine
