// Which collector a metric needs, by its name. Header-only: used by the
// injection library (which links no gpuscope library) and by tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gpuscope::profiler {

// SASS metrics (`smsp__sass_*`, `sm__sass_*`, `sass__*`) are counted by
// instrumenting the kernel's code, not by hardware counters (CUPTI's
// cuptiProfilerHostGetMaxNumHardwareMetricsPerPass counts only names without
// `_sass_` as hardware metrics). Under gpuscope's user replay they read 0
// (H200 run 4: every smsp__sass_thread_inst_executed_op_* of every kernel,
// where ncu read e.g. 182.64 FFMA per cycle for saxpy), so they are
// collected with CUPTI's kernel replay, in a run of their own
// (collection_plan.h).
// A `.peak_sustained*` value is a rate of the chip, not a count, and reads
// correctly either way (16,896 in run 4 in both tools): it stays with the
// hardware metrics.
inline bool isSassMetric(std::string_view name) {
  const bool sass = name.starts_with("sass__") || name.find("__sass_") != std::string_view::npos;
  return sass && name.find(".peak_sustained") == std::string_view::npos;
}

// The positions of the SASS and of the other metrics in `metrics`, in order.
struct MetricSplit {
  std::vector<size_t> hardware;
  std::vector<size_t> sass;
};

inline MetricSplit splitSassMetrics(const std::vector<std::string>& metrics) {
  MetricSplit s;
  for (size_t i = 0; i < metrics.size(); ++i) (isSassMetric(metrics[i]) ? s.sass : s.hardware).push_back(i);
  return s;
}

// Timing metrics: the kernel's duration and the elapsed cycles of each
// clock domain (with the clock rates derived from them). Measured again in a
// kernel-replay run of one pass (collection_plan.h). Peaks and percentages
// of peak are not: a peak is the chip's, and a percentage is a ratio of
// counters of the main run's own passes.
inline bool isTimingMetric(std::string_view name) {
  if (name.find(".peak_sustained") != std::string_view::npos || name.find(".pct_of_peak") != std::string_view::npos)
    return false;
  return name.starts_with("gpu__time_duration.") || name.find("__cycles_elapsed.") != std::string_view::npos;
}

// What a metric list asks of one run of the program.
enum class CollectionKind { kHardwareOnly, kSassOnly, kMixed };

inline CollectionKind collectionKind(const std::vector<std::string>& metrics) {
  const MetricSplit s = splitSassMetrics(metrics);
  if (s.sass.empty()) return CollectionKind::kHardwareOnly;
  return s.hardware.empty() ? CollectionKind::kSassOnly : CollectionKind::kMixed;
}

}  // namespace gpuscope::profiler
