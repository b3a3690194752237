// Reads what `ncu --csv` prints (its details page: one row per kernel and
// metric, header "ID","Process ID","Process Name",...,"Metric Name","Metric
// Unit","Metric Value",...) into kernel_metrics rows, the table `gpuscope
// kernels -o FILE.gpuscope` writes, so that an ncu run of a program can be
// set beside its trace (stats/analyze/report --kernel-metrics) just like a
// gpuscope one. Section rows get ncu's metric name from gpuscope's section
// catalogue (sections.h) by their label; --metrics rows ("Command line
// profiler metric(s)") carry it as their label. Rule rows (no metric) and
// lines that are not CSV records (==PROF== progress, program output) are
// skipped. `--page raw` output is not this format and is refused.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "model/trace.h"

namespace gpuscope::profiler {

// True when `head` (the first bytes of a file) holds ncu's details-page CSV
// header line.
bool looksLikeNcuCsv(std::string_view head);

// The kernel_metrics (and processes) of `text`; errors name `path` and the
// line: a record whose field count differs from the header's, an ID or
// process id that is not an integer, a value that is not a number or n/a.
StatusOr<model::Trace> importNcuCsv(std::string_view text, const std::string& path);

}  // namespace gpuscope::profiler
