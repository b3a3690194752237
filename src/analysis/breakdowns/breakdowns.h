// HTA-style breakdowns (reference/kineto_hta.md §2): temporal, idle time,
// kernels by category and top-k, launch statistics, frequent kernel
// sequences, and NVTX ranges projected onto the GPU (stats' projection).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/kernel_category.h"
#include "analysis/options.h"
#include "analysis/trace_index.h"

namespace gpuscope::analysis {

// HTA get_temporal_breakdown, per device: span = last end - first start of
// all GPU ops; idle = span - |union|; compute = |union of COMPUTATION
// kernels|; non_compute = span - compute - idle. Sums to the span exactly.
struct TemporalRow {
  int32_t device = 0;
  int64_t span = 0, idle = 0, compute = 0, non_compute = 0;
};
std::vector<TemporalRow> temporalBreakdown(const TraceIndex& index);

// HTA get_idle_time_breakdown, per (device, stream): each op's gap to the
// previous op on its stream is host wait (its launch call started after
// the previous op ended), kernel wait (else, if shorter than
// kernel_wait_ns) or other.
struct IdleRow {
  int32_t device = 0;
  int64_t stream = 0;
  int64_t host_wait = 0, kernel_wait = 0, other = 0;
  int64_t total() const { return host_wait + kernel_wait + other; }
};
std::vector<IdleRow> idleBreakdown(const TraceIndex& index, const AnalysisOptions& o);

struct CategoryRow {
  KernelCategory category = KernelCategory::kOther;
  size_t count = 0;
  int64_t total = 0;
};
struct KernelRow {
  std::string name;
  KernelCategory category = KernelCategory::kOther;
  size_t count = 0;
  int64_t total = 0, min = 0, max = 0;
  double mean = 0, stddev = 0;
};
struct KernelBreakdown {
  int64_t total = 0;                   // sum of kernel durations
  std::vector<CategoryRow> categories; // by total, descending
  std::vector<KernelRow> top;          // top_k names by total
};
KernelBreakdown kernelBreakdown(const TraceIndex& index, int top_k);

struct Distribution {
  size_t count = 0;
  double mean = 0;
  int64_t median = 0, p95 = 0, max = 0;
};
Distribution distributionOf(std::vector<int64_t>& values);  // reorders values

// HTA get_cuda_kernel_launch_stats: launch calls paired with their GPU op.
struct LaunchStats {
  size_t pairs = 0;
  Distribution cpu_duration, gpu_duration, launch_delay;
  size_t short_kernels = 0;     // gpu < cpu duration, cpu <= runtime cutoff
  size_t runtime_outliers = 0;  // cpu duration > runtime cutoff
  size_t delay_outliers = 0;    // launch delay > delay cutoff
};
LaunchStats launchStats(const TraceIndex& index, const AnalysisOptions& o);

// Kernel sequences launched by one framework op (Kineto External id) or one
// innermost NVTX range instance, counted when identical.
struct SequenceRow {
  std::string launcher;  // cpu_op / range name of the first occurrence
  std::vector<std::string> kernels;
  size_t count = 0;
  int64_t gpu_time = 0;
};
std::vector<SequenceRow> frequentSequences(TraceIndex& index, const AnalysisOptions& o);

// A finished table of text cells, from a stats report (at most `rows` rows;
// -1 = all); empty rows when the report was skipped.
struct TableView {
  std::string name, title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
// nvtx_gpu_proj_sum.
TableView nvtxProjection(TraceIndex& index, int rows);
// kernel_metrics_sum: the kernels `gpuscope kernels` profiled (the trace's
// own kernel_metrics or those attached with --kernel-metrics), with their
// name's share of the timeline's kernel time.
TableView profiledKernels(TraceIndex& index, int rows);

}  // namespace gpuscope::analysis
