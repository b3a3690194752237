// osrt_sum: OS runtime calls grouped by function name.
#include "stats/reports/reports.h"
#include "stats/summary_table.h"

namespace gpuscope::stats {

ReportTable osrtSum(ReportContext& ctx, const ReportOptions&) {
  const model::Trace& tr = ctx.trace();
  const auto& os = tr.os_runtime;
  ReportTable t("osrt_sum", "OS Runtime Summary");
  std::vector<int64_t> dur;
  std::vector<model::StringId> names;
  dur.reserve(os.size());
  names.reserve(os.size());
  for (size_t i = 0; i < os.size(); ++i) {
    if (os.end[i] == model::kNullI64) continue;
    dur.push_back(os.end[i] - os.start[i]);
    names.push_back(os.name[i]);
  }
  buildNameSummary(t, tr, dur, names, "does not contain OS Runtime trace data");
  return t;
}

}  // namespace gpuscope::stats
