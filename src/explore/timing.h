// trtexec's performance summary recomputed from an --exportTimes file, with
// trtexec's statistics (float values, its median and percentile rules, but
// double sums: see computeStats;
// reference/trtexec.md §4) and TREx's warm-up cutoff (reference/trex.md §13).
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace gpuscope::explore {

struct MetricStats {
  float min = 0, max = 0, mean = 0, median = 0;
  std::vector<float> percentiles;  // one per TimingOptions::percentiles
  float cov_percent = 0;           // population σ / mean · 100
};

struct TimingOptions {
  double warmup_ms = 200;  // records with startComputeMs < warmup_ms are warm-up
  std::vector<float> percentiles{90, 95, 99};
  int batch = 1;
};

struct TimingSummary {
  size_t records = 0, warmup = 0, measured = 0;
  float throughput_qps = 0;
  float walltime_s = 0;
  float gpu_compute_total_s = 0;
  MetricStats latency, enqueue, h2d, gpu_compute, d2h;
  std::vector<float> percentile_levels;
};

// One query of the export (ms from run start). Enqueue time can only be
// recomputed from timestamps, so it is quantised to 0.01 ms past 1 s.
struct TimingRecord {
  float start_enq, end_enq, start_h2d, end_h2d, start_compute, end_compute, start_d2h, end_d2h;
  float h2d, compute, d2h, latency;
};

StatusOr<std::vector<TimingRecord>> readTimingJson(const std::string& path);

// `values` is sorted in place.
MetricStats computeStats(std::vector<float>& values, const std::vector<float>& percentiles);

StatusOr<TimingSummary> summarizeTiming(const std::vector<TimingRecord>& records,
                                        const TimingOptions& options);

// Warm-up from trtexec's "Duration" option text: "3s (+ 200ms warm up)" -> 200.
// Returns `fallback` when the text has no warm-up part.
double warmupFromDuration(const std::string& duration, double fallback);

// The "=== Performance summary ===" block as trtexec prints it (6 significant digits).
std::string formatPerformanceSummary(const TimingSummary& s);

}  // namespace gpuscope::explore
