// Thresholds of `gpuscope analyze`. nsys analyze's defaults are kept beside
// ours (docs/analyze.md explains each choice): nsys targets training and HPC
// runs of minutes, where a 500 ms gap is what matters; one inference takes
// 0.1-10 ms, so a 10 us gap there is already several percent of it.
#pragma once

#include <cstdint>

namespace gpuscope::analysis {

// nsys analyze defaults (reference/nsys.md §4), for the record.
inline constexpr int64_t kNsysGapNs = 500'000'000;  // gpu_gaps gap=500 (ms)
inline constexpr double kNsysUtilThresholdPct = 50;  // gpu_time_util threshold=50
inline constexpr int kNsysUtilChunks = 30;           // gpu_time_util chunks=30
inline constexpr int kNsysRows = 50;                 // rows=50
inline constexpr int64_t kNsysSyncHtodSmallBytes = 64 * 1024;  // cuda_memcpy_sync

struct AnalysisOptions {
  // GPU idle gaps at least this long are findings (nsys: > 500 ms).
  int64_t gap_min_ns = 10'000;
  // gpu_time_util: chunks below this utilisation are reported (nsys default).
  double util_threshold_pct = kNsysUtilThresholdPct;
  int util_chunks = kNsysUtilChunks;
  // Instances listed per finding (nsys rows=50; -1 = all).
  int rows = kNsysRows;
  // A launch-bound phase needs this many consecutive kernels that each end
  // before the host has launched the next one.
  int launch_bound_min_kernels = 8;
  // HtoD copies up to this size return before the copy completes (nsys).
  int64_t sync_htod_small_bytes = kNsysSyncHtodSmallBytes;
  // HTA idle breakdown: consecutive_kernel_delay (30 us; HTA compares in us).
  int64_t kernel_wait_ns = 30'000;
  // HTA launch statistics cut-offs (runtime_cutoff 50 us, launch_delay_cutoff 100 us).
  int64_t runtime_cutoff_ns = 50'000;
  int64_t launch_delay_cutoff_ns = 100'000;
  // Gap a CUDA graph still leaves between two dependent kernels (about 1 us
  // on Hopper/Ampere); the graph saving is each gap minus this.
  int64_t graph_residual_gap_ns = 1'000;
  // A gap of CPU work longer than this inside an iteration is real host
  // work (data loading, optimizer, Python logic between phases), which a
  // graph does not remove; shorter ones are per-op framework overhead.
  int64_t graph_max_cpu_gap_ns = 1'000'000;
  // Top-k kernels listed per breakdown, and the shortest frequent sequence.
  int top_k = 10;
  int min_pattern_len = 3;
  bool layers = false;
};

}  // namespace gpuscope::analysis
