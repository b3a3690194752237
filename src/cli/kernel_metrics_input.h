// `--kernel-metrics FILE` of stats, analyze and report: per-kernel hardware
// metrics of the same program, added to the trace so that the
// kernel_metrics_sum report (and analyze's and report's tables built on it)
// show them next to the timeline's kernels, joined by kernel name. FILE is a
// store written by `gpuscope kernels -o FILE.gpuscope` or what `ncu --csv`
// printed (profiler/ncu_csv.h).
#pragma once

#include <string>

#include "base/status.h"
#include "model/trace.h"

namespace gpuscope::cli {

// Appends FILE's kernel metrics to `trace` (strings re-interned). A file
// with none is InvalidInput naming it; `trace` is then unchanged.
Status attachKernelMetrics(model::Trace& trace, const std::string& path, bool quiet);

}  // namespace gpuscope::cli
