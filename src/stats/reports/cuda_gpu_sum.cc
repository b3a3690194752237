// cuda_gpu_sum and cuda_api_gpu_sum: the kernel, memory-operation and (for
// cuda_api_gpu_sum) CUDA API summaries in one table, each row tagged with
// its Category. The groups are exactly those of cuda_gpu_kern_sum,
// cuda_gpu_mem_time_sum and cuda_api_sum; only Time (%) changes, since it is
// taken over the combined table's total.
#include "stats/reports/reports.h"
#include "stats/summary_table.h"

namespace gpuscope::stats {
namespace {

// nsys's Category labels, as printed by nsys stats (docs/stats.md says where
// each was confirmed).
constexpr std::string_view kCategoryApi = "CUDA_API";
constexpr std::string_view kCategoryKernel = "CUDA_KERNEL";
constexpr std::string_view kCategoryMemory = "MEMORY_OPER";

// Rows of a combined summary: statistics and (Category, Operation) text ids.
class CombinedRows {
 public:
  explicit CombinedRows(ReportTable& t) : t_(t) {}

  void addNames(const model::Trace& tr, const NameGroups& groups, std::string_view category) {
    uint32_t cat = t_.internText(category);
    for (size_t g = 0; g < groups.keys.size(); ++g) {
      stats_.push_back(groups.stats[g]);
      texts_.push_back(cat);
      texts_.push_back(t_.traceText(tr.strings, groups.keys[g]));
    }
  }
  void addMemOps(const MemOpGroups& groups) {
    uint32_t cat = t_.internText(kCategoryMemory);
    for (size_t g = 0; g < groups.stats.size(); ++g) {
      stats_.push_back(groups.stats[g]);
      texts_.push_back(cat);
      texts_.push_back(t_.internText(groups.labels[g]));
    }
  }
  // Time (%), Total Time, Instances, Avg, Med, Min, Max, StdDev, Category,
  // Operation; total desc, instances desc, then Category and Operation.
  void build(const char* skipped_reason) {
    if (stats_.empty()) {
      t_.setSkipped(skipped_reason);
      return;
    }
    buildSummary(t_, SummarySpec{true, "Total Time", "Instances", Unit::kDurNs, {"Category", "Operation"}},
                 stats_, texts_);
  }

 private:
  ReportTable& t_;
  std::vector<SummaryStats> stats_;
  std::vector<uint32_t> texts_;
};

}  // namespace

ReportTable cudaGpuSum(ReportContext& ctx, const ReportOptions& o) {
  const model::Trace& tr = ctx.trace();
  ReportTable t("cuda_gpu_sum", "CUDA GPU Summary (Kernels/MemOps)");
  CombinedRows rows(t);
  rows.addNames(tr, kernelNameGroups(tr, o), kCategoryKernel);
  rows.addMemOps(memOpGroups(tr, /*by_size=*/false));
  rows.build("does not contain CUDA kernel or GPU memory data");
  return t;
}

ReportTable cudaApiGpuSum(ReportContext& ctx, const ReportOptions& o) {
  const model::Trace& tr = ctx.trace();
  ReportTable t("cuda_api_gpu_sum", "CUDA Summary (API/Kernels/MemOps)");
  CombinedRows rows(t);
  rows.addNames(tr, cudaApiGroups(tr), kCategoryApi);
  rows.addNames(tr, kernelNameGroups(tr, o), kCategoryKernel);
  rows.addMemOps(memOpGroups(tr, /*by_size=*/false));
  rows.build("does not contain CUDA API, kernel or GPU memory data");
  return t;
}

}  // namespace gpuscope::stats
