// `--kernel-metrics FILE` of stats, analyze and report: the hardware metrics
// a `gpuscope kernels -o FILE.gpuscope` run stored, added to a trace of the
// same program so that the kernel_metrics_sum report (and analyze's and
// report's tables built on it) show them next to the timeline's kernels,
// joined by kernel name.
#pragma once

#include <string>

#include "base/status.h"
#include "model/trace.h"

namespace gpuscope::importers {

// Appends FILE's kernel_metrics rows to `trace` (strings re-interned). A
// file without such rows is InvalidInput naming it; `trace` is then
// unchanged.
Status attachKernelMetrics(model::Trace& trace, const std::string& path, bool quiet);

}  // namespace gpuscope::importers
