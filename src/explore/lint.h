// Engine linters. TREx's four (reference/trex.md §11, same conditions and
// wording, one finding per layer for the convolution linter as TREx merges
// them) and ours for problems TREx misses: reformat chains, point-wise layers
// left unfused after a GEMM/convolution, FP32 islands inside reduced-precision
// engines, and convolution channel counts that waste tensor-core tiles.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "explore/engine_plan.h"
#include "explore/table.h"

namespace gpuscope::explore {

struct LintFinding {
  std::string linter;  // "conv", "reformat", "slice", "qdq", "reformat-chain", ...
  std::string layer;
  std::string hazard;
  std::string mitigation;
  std::string help;
  std::vector<std::pair<std::string, std::string>> details;  // tactic, origin, type conversion, ...
};

struct LintOptions {
  bool trex_only = false;  // only TREx's four linters
  double padding_waste_threshold = 0.25;
};

// Linter names, in the order they run.
const std::vector<std::string>& linterNames();

std::vector<LintFinding> lintPlan(const EnginePlan& plan, const LintOptions& options = {});

Table lintTable(const std::vector<LintFinding>& findings);

}  // namespace gpuscope::explore
