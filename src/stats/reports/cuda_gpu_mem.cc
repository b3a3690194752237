// cuda_gpu_mem_time_sum and cuda_gpu_mem_size_sum: memcpy and memset
// grouped by operation ("[CUDA memcpy Host-to-Device]", "[CUDA memset]").
#include "model/enums.h"
#include "stats/reports/reports.h"
#include "stats/summary_table.h"

namespace gpuscope::stats {
namespace {

using model::kNullI64;

constexpr uint32_t kCopyKinds = 14;         // ENUM_CUDA_MEMCPY_OPER 0..13
constexpr uint32_t kMemsetGroup = kCopyKinds;

uint32_t copyGroup(int32_t kind) {
  return (kind >= 0 && static_cast<uint32_t>(kind) < kCopyKinds) ? static_cast<uint32_t>(kind) : 0;
}

}  // namespace

// Collects one value per memop (duration or bytes) with its operation group,
// then keeps only the groups that occur.
MemOpGroups memOpGroups(const model::Trace& tr, bool by_size) {
  const auto& m = tr.memcpys;
  const auto& s = tr.memsets;
  MemOpGroups out;
  std::vector<int64_t> values;
  std::vector<uint32_t> group;
  values.reserve(m.size() + s.size());
  group.reserve(m.size() + s.size());
  for (size_t i = 0; i < m.size(); ++i) {
    if (by_size ? m.bytes[i] == kNullI64 : m.end[i] == kNullI64) continue;
    values.push_back(by_size ? m.bytes[i] : m.end[i] - m.start[i]);
    group.push_back(copyGroup(m.copy_kind[i]));
  }
  for (size_t i = 0; i < s.size(); ++i) {
    if (by_size ? s.bytes[i] == kNullI64 : s.end[i] == kNullI64) continue;
    values.push_back(by_size ? s.bytes[i] : s.end[i] - s.start[i]);
    group.push_back(kMemsetGroup);
  }
  if (values.empty()) return out;
  std::vector<SummaryStats> all = summarizeGroups(values, group, kCopyKinds + 1);
  for (uint32_t g = 0; g <= kCopyKinds; ++g) {
    if (all[g].count == 0) continue;
    out.stats.push_back(all[g]);
    out.labels.push_back(g == kMemsetGroup ? std::string_view("[CUDA memset]")
                                           : model::copyKindLabel(static_cast<int32_t>(g)));
  }
  return out;
}

namespace {

ReportTable memSummary(ReportContext& ctx, bool by_size) {
  ReportTable t(by_size ? "cuda_gpu_mem_size_sum" : "cuda_gpu_mem_time_sum",
                by_size ? "CUDA GPU MemOps Summary (by Size)" : "CUDA GPU MemOps Summary (by Time)");
  MemOpGroups groups = memOpGroups(ctx.trace(), by_size);
  if (groups.stats.empty()) {
    t.setSkipped("does not contain GPU memory data");
    return t;
  }
  const std::vector<SummaryStats>& stats = groups.stats;
  std::vector<uint32_t> texts;
  for (std::string_view label : groups.labels) texts.push_back(t.internText(label));
  if (by_size) {
    buildSummary(t, SummarySpec{false, "Total", "Count", Unit::kMemB, {"Operation"}}, stats, texts);
  } else {
    buildSummary(t, SummarySpec{true, "Total Time", "Count", Unit::kDurNs, {"Operation"}}, stats, texts);
  }
  return t;
}

}  // namespace

ReportTable cudaGpuMemTimeSum(ReportContext& ctx, const ReportOptions&) { return memSummary(ctx, false); }
ReportTable cudaGpuMemSizeSum(ReportContext& ctx, const ReportOptions&) { return memSummary(ctx, true); }

}  // namespace gpuscope::stats
