// CUDA-graph advice: per detected iteration, the gaps between its GPU ops
// that launch overhead explains (host launch latency, CPU work between
// launches), what replaying the iteration as one CUDA graph would save, and
// the API calls inside the iteration that would break stream capture.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/finding.h"
#include "analysis/iterations.h"
#include "analysis/options.h"
#include "analysis/trace_index.h"

namespace gpuscope::analysis {

struct CaptureBlocker {
  std::string api;          // e.g. "cudaStreamSynchronize"
  std::string reason;       // why capture fails
  size_t calls = 0;         // over all iterations
  int64_t first_start = 0;  // first occurrence
};

struct GraphAdvice {
  IterationSet iterations;
  bool uses_graphs = false;          // the iteration already replays a graph
  double launches_per_iteration = 0; // host launch calls (kernels, copies, sets)
  double ops_per_iteration = 0;
  int64_t median_gpu_span = 0;       // first op start .. last op end
  int64_t median_busy = 0;
  int64_t mean_gap_total = 0;        // all gaps inside an iteration
  int64_t mean_launch_gaps = 0;      // gaps explained by launch overhead
  size_t mean_launch_gap_count = 0;
  int64_t mean_host_work_gaps = 0;   // CPU-work gaps longer than graph_max_cpu_gap_ns
  int64_t saving_per_iteration = 0;  // sum(max(0, gap - residual)) over launch gaps
  double saving_pct = 0;             // of median_gpu_span
  std::vector<CaptureBlocker> blockers;
  std::string verdict;
};

GraphAdvice adviseCudaGraphs(TraceIndex& index, const AnalysisOptions& o);
// The advice as a finding (rule "cuda_graph"), when it saves anything.
bool graphAdviceFinding(const TraceIndex& index, const GraphAdvice& a, Finding& f);

}  // namespace gpuscope::analysis
