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
  const bool base = o.has("base"), mangled = o.has("mangled");  // kernelNameId's choice, once
  NameGroups groups = summarizeByName(
      k.size(), tr.strings.size(), [&](size_t i) { return k.end[i] != kNullI64; },
      [&](size_t i) {
        if (base && k.short_name[i] != model::kEmptyString) return k.short_name[i];
        if (mangled && k.mangled_name[i] != model::kEmptyString) return k.mangled_name[i];
        return k.name[i];
      },
      [&](size_t i) { return k.end[i] - k.start[i]; });
  buildNameSummary(t, tr, groups, SummarySpec{true, "Total Time", "Instances", Unit::kDurNs, {"Name"}},
                   "does not contain CUDA kernel data");
  return t;
}

}  // namespace gpuscope::stats
