// osrt_sum: OS runtime calls grouped by function name.
#include "stats/reports/reports.h"
#include "stats/summary_table.h"

namespace gpuscope::stats {

ReportTable osrtSum(ReportContext& ctx, const ReportOptions&) {
  const model::Trace& tr = ctx.trace();
  const auto& os = tr.os_runtime;
  ReportTable t("osrt_sum", "OS Runtime Summary");
  NameGroups groups = summarizeByName(
      os.size(), tr.strings.size(), [&](size_t i) { return os.end[i] != model::kNullI64; },
      [&](size_t i) { return os.name[i]; }, [&](size_t i) { return os.end[i] - os.start[i]; });
  buildNameSummary(t, tr, groups, SummarySpec{true, "Total Time", "Num Calls", Unit::kDurNs, {"Name"}},
                   "does not contain OS Runtime trace data");
  return t;
}

}  // namespace gpuscope::stats
