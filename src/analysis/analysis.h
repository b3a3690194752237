// `gpuscope analyze`: runs every rule and breakdown over one trace and
// returns the results as data; report_text.cc / report_json.cc print them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/breakdowns/breakdowns.h"
#include "analysis/finding.h"
#include "analysis/graph_advice.h"
#include "analysis/layers/layer_table.h"
#include "analysis/options.h"
#include "base/status.h"
#include "model/trace.h"

namespace gpuscope::analysis {

struct AnalysisReport {
  std::string source;  // input path, for the header
  int64_t span_start = 0, span_end = 0;
  size_t kernels = 0, memcpys = 0, memsets = 0, api_calls = 0;
  std::vector<Finding> findings;  // by gain, descending
  GraphAdvice graph;
  std::vector<TemporalRow> temporal;
  std::vector<IdleRow> idle;
  KernelBreakdown kernel_breakdown;
  LaunchStats launch;
  std::vector<SequenceRow> sequences;
  TableView nvtx_projection;
  // Kernels profiled by `gpuscope kernels` (kernel_metrics rows in the
  // trace, or attached with --kernel-metrics); empty without them.
  TableView profiled_kernels;
  std::optional<LayerTable> layers;  // with AnalysisOptions::layers
};

// Never fails on a well-formed Trace; a trace without GPU work gives an
// empty report (no findings) rather than an error.
AnalysisReport analyzeTrace(const model::Trace& trace, const AnalysisOptions& options);

std::string renderText(const AnalysisReport& report, const AnalysisOptions& options);
std::string renderJson(const AnalysisReport& report);

}  // namespace gpuscope::analysis
