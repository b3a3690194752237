#include "analysis/analysis.h"

#include <algorithm>
#include <map>

#include "analysis/rules/rules.h"
#include "analysis/trace_index.h"

namespace gpuscope::analysis {

AnalysisReport analyzeTrace(const model::Trace& trace, const AnalysisOptions& o) {
  AnalysisReport r;
  if (auto it = trace.meta.find(model::kMetaSourcePath); it != trace.meta.end()) r.source = it->second;
  r.kernels = trace.kernels.size();
  r.memcpys = trace.memcpys.size();
  r.memsets = trace.memsets.size();
  r.api_calls = trace.api_calls.size();
  TraceIndex index(trace);
  r.span_start = index.spanStart();
  r.span_end = index.spanEnd();

  gpuGapsRule(index, o, r.findings);
  gpuTimeUtilRule(index, o, r.findings);
  launchBoundRule(index, o, r.findings);
  memcpyAsyncPageableRule(index, o, r.findings);
  memcpySyncRule(index, o, r.findings);
  memsetSyncRule(index, o, r.findings);
  apiSyncRule(index, o, r.findings);
  copyOverlapRule(index, o, r.findings);
  streamSerializationRule(index, o, r.findings);
  r.graph = adviseCudaGraphs(index, o);
  Finding g;
  if (graphAdviceFinding(index, r.graph, g)) r.findings.push_back(std::move(g));
  std::stable_sort(r.findings.begin(), r.findings.end(), [](const Finding& a, const Finding& b) {
    return a.gain_ns != b.gain_ns ? a.gain_ns > b.gain_ns : a.rule < b.rule;
  });
  std::map<std::string, int> numbers;
  for (Finding& f : r.findings) f.id = f.rule + "/" + std::to_string(++numbers[f.rule]);

  r.temporal = temporalBreakdown(index);
  r.idle = idleBreakdown(index, o);
  r.kernel_breakdown = kernelBreakdown(index, o.top_k);
  r.launch = launchStats(index, o);
  r.sequences = frequentSequences(index, o);
  r.nvtx_projection = nvtxProjection(index, o.rows);
  if (trace.kernel_metrics.size() > 0) r.profiled_kernels = profiledKernels(index, -1);
  if (o.layers) r.layers = buildLayerTable(index, r.graph.iterations);
  return r;
}

}  // namespace gpuscope::analysis
