// cuda_gpu_kern_sum: kernels grouped by name.
#include "stats/reports/reports.h"
#include "stats/summary_table.h"

namespace gpuscope::stats {

using model::kNullI64;

model::StringId kernelNameId(const model::Trace& trace, size_t i, const ReportOptions& o) {
  const auto& k = trace.kernels;
  if (o.has("base") && k.short_name[i] != model::kEmptyString) return k.short_name[i];
  if (o.has("mangled") && k.mangled_name[i] != model::kEmptyString) return k.mangled_name[i];
  return k.name[i];
}

ReportTable cudaGpuKernSum(ReportContext& ctx, const ReportOptions& o) {
  const model::Trace& tr = ctx.trace();
  const auto& k = tr.kernels;
  ReportTable t("cuda_gpu_kern_sum", "CUDA GPU Kernel Summary");
  std::vector<int64_t> dur;
  std::vector<model::StringId> names;
  dur.reserve(k.size());
  names.reserve(k.size());
  for (size_t i = 0; i < k.size(); ++i) {
    if (k.end[i] == kNullI64) continue;
    dur.push_back(k.end[i] - k.start[i]);
    names.push_back(kernelNameId(tr, i, o));
  }
  if (dur.empty()) {
    t.setSkipped("does not contain CUDA kernel data");
    return t;
  }
  StringGroups groups = groupByString(names, tr.strings.size());
  std::vector<SummaryStats> stats = summarizeGroups(dur, groups.group, groups.keys.size());
  std::vector<uint32_t> texts;
  for (model::StringId id : groups.keys) texts.push_back(t.traceText(tr.strings, id));
  buildSummary(t, SummarySpec{true, "Total Time", "Instances", Unit::kDurNs, {"Name"}}, stats, texts);
  return t;
}

}  // namespace gpuscope::stats
