// trtexec's report text (sampleReporting.cpp; reference/trtexec.md §5):
// prolog, trace details, the performance summary with its warnings, the
// metric explanations (verbose) and the --dumpProfile table. Numbers are
// formatted like a default std::ostream (6 significant digits).
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "bench/log.h"
#include "bench/options.h"
#include "bench/stats.h"
#include "bench/trace.h"

namespace gpuscope::bench {

// `%g` with 6 significant digits: what `std::ostream << float` prints.
std::string num(double v);

struct ReportSettings {
  float warmup_ms = 200;
  int avg_runs = 10;
  std::vector<float> percentiles{90, 95, 99};
  int streams = 1;
  TrtexecVersion version;
  // --device=cpu: enqueue runs the whole inference, so Enqueue Time equals
  // GPU Compute Time and the enqueue-bound warning would always fire.
  bool host_clock = false;
};
ReportSettings reportSettings(const BenchOptions& o);

// Index of the first trace with computeStart >= warmUp (trace sorted by h2dStart).
size_t firstMeasured(const std::vector<InferenceTrace>& trace, float warmup_ms);

struct Summary {
  size_t warmups = 0, measured = 0;
  float walltime_ms = 0, throughput_qps = 0, gpu_compute_total_s = 0;
  PerformanceResult latency, enqueue, h2d, compute, d2h;
};
// The numbers of the performance summary. InvalidInput when no query was
// measured after the warm-up.
StatusOr<Summary> summarize(const std::vector<InferenceTrace>& trace, const ReportSettings& s);

// Prolog, trace details, summary, warnings, explanations. Returns the summary.
StatusOr<Summary> printPerformanceReport(const std::vector<InferenceTrace>& trace, const ReportSettings& s,
                                         Logger& log);

// The individual blocks (exposed for tests).
void printTraceDetails(const std::vector<InferenceTime>& timings, int avg_runs, Logger& log);
void printSummary(const Summary& sum, const ReportSettings& s, Logger& log);
void printWarnings(const Summary& sum, const ReportSettings& s, Logger& log);
void printMetricExplanations(Logger& log);

// `=== Profile (N iterations ) ===` table.
void printProfile(const Profile& profile, Logger& log);
// Median over iterations of the per-iteration sum over layers.
float medianRuntimeMs(const Profile& profile);

}  // namespace gpuscope::bench
