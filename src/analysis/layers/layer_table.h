// Kernels mapped back to model layers (seed item 5). Each kernel of the
// detected iterations (all kernels when none were found) is given to:
//   1. the innermost NVTX range enclosing its launch call on the launching
//      thread (TensorRT per-layer ranges, default or verbose mode, our
//      engine's ranges), wrappers (the iteration range itself,
//      ExecutionContext::enqueue, myelin-exec ranges) skipped;
//   2. for CUDA-graph replays, the NVTX range recorded for its graph node;
//   3. for PyTorch, the cpu_op with the kernel's External id (innermost op);
//   4. else the row "(no layer)".
// Every kernel lands in exactly one row, so the rows sum to the GPU kernel
// time of the iterations.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/iterations.h"
#include "analysis/layers/layer_name.h"
#include "analysis/trace_index.h"

namespace gpuscope::analysis {

inline constexpr const char* kNoLayer = "(no layer)";

struct LayerRow {
  std::string layer;
  ParsedLayerName parsed;
  std::string source;           // "nvtx", "graph_node", "cpu_op", "none"
  size_t kernels = 0;           // distinct kernel names
  size_t calls = 0;             // kernel executions
  int64_t total = 0, median = 0;
  double avg = 0;
  double pct = 0;               // of the iterations' kernel time
  double per_iteration = 0;     // total / iterations
  std::string top_kernel;       // the kernel with most time in the layer
  std::vector<std::string> patterns;  // decoded from its kernels (LayerNorm, Softmax, ...)
};

struct LayerTable {
  size_t iterations = 1;
  std::string iteration_name;
  int64_t total = 0;            // kernel time of all rows
  std::vector<LayerRow> rows;   // by total, descending
};

LayerTable buildLayerTable(TraceIndex& index, const IterationSet& iterations);

}  // namespace gpuscope::analysis
