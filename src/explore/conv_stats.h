// TREx's convolution annotation (reference/trex.md §5), as an implicit GEMM:
// N,C,H,W from input 0, K,P,Q from output 0, R,S = Kernel, G = Groups, and
// every operand sized with input 0's element size (TREx's choice, kept so
// the figures compare).
#pragma once

#include <optional>
#include <vector>

#include "explore/engine_plan.h"
#include "explore/table.h"

namespace gpuscope::explore {

struct ConvStats {
  size_t layer = 0;  // index in plan.layers
  double macs = 0, bytes = 0;
  double arithmetic_intensity = 0;  // macs / bytes
  double compute_efficiency = 0;    // macs / avg ms (0 without latency)
  double memory_efficiency = 0;     // bytes / avg ms
  double gemm_m = 0, gemm_n = 0, gemm_k = 0;  // N·P·Q, K, C·R·S
};

// Empty for layers that are not 4-D convolutions with a Kernel attribute.
std::optional<ConvStats> convolutionStats(const Layer& layer);
std::vector<ConvStats> convolutionStats(const EnginePlan& plan);
Table convolutionTable(const EnginePlan& plan, const std::vector<ConvStats>& stats);

}  // namespace gpuscope::explore
