// A profiled run as a model::Trace, so that `gpuscope kernels -o X.gpuscope`
// writes the metrics into the store (table kernel_metrics, plus the
// processes and devices they came from) for `analyze`, `report` and SQL.
#pragma once

#include <string>

#include "model/trace.h"
#include "profiler/format.h"
#include "profiler/record.h"

namespace gpuscope::profiler {

// One kernel_metrics row per kernel and report row (the same rows the CSV
// has); a value that was not collected is NaN (NULL in the store).
model::Trace toTrace(const ProfileRun& run, const ReportSpec& spec, const std::string& command_line);

// True when `path` names a store (ends with ".gpuscope").
bool isStorePath(const std::string& path);

}  // namespace gpuscope::profiler
