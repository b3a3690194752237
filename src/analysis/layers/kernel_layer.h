// Which text names a kernel's layer: the rule layer_table.h describes,
// shared by the Layers table and the report timeline's layer rows so that
// the two always agree.
//   1. the innermost NVTX range around its launch call on the launching
//      thread, wrappers skipped (isWrapperRange), unless the launch call is
//      a graph launch (the range around cudaGraphLaunch is the caller's, not
//      the node's);
//   2. the NVTX range open when its CUDA-graph node was captured;
//   3. the cpu_op with its External id (PyTorch);
//   4. none.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/trace.h"
#include "stats/context.h"

namespace gpuscope::analysis {

// Ranges that wrap layers rather than name one: the iteration range itself
// (or PyTorch's ProfilerStep#N), ExecutionContext::enqueue, myelin-exec.
bool isWrapperRange(std::string_view name, std::string_view domain, const std::string& iteration_name);

enum class LayerSource : uint8_t { kNvtx, kGraphNode, kCpuOp, kNone };

struct KernelLayerText {
  LayerSource source = LayerSource::kNone;
  model::StringId text = model::kEmptyString;  // NVTX text, or the cpu_op's name
};

class KernelLayerResolver {
 public:
  KernelLayerResolver(const model::Trace& t, stats::ReportContext& ctx, const std::string& iteration_name);

  // `launch_api`: the api_calls row that launched kernel row `k`, -1 when
  // unknown.
  KernelLayerText resolve(uint32_t k, int32_t launch_api) const;

 private:
  bool isGraphLaunch(model::StringId api_name) const;

  const model::Trace& t_;
  const stats::NvtxRangeSet* ranges_ = nullptr;
  std::unordered_map<uint32_t, uint32_t> range_of_api_;  // api row -> innermost non-wrapper range
  std::unordered_map<int64_t, model::StringId> node_text_;  // graph node id -> capture-time NVTX text
  std::unordered_map<int64_t, uint32_t> cpu_op_by_ext_;     // External id -> cpu_ops row
  // Per string id: is this API name a graph launch (-1: not classified yet).
  // resolve() runs once per kernel, so each distinct name is classified once.
  mutable std::vector<int8_t> graph_launch_name_;
};

}  // namespace gpuscope::analysis
