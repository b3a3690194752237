// cuda_gpu_kern_sum: kernels grouped by name; cuda_gpu_kern_gb_sum: by
// name and launch geometry (grid and block dimensions).
#include <cstdio>

#include "stats/flat_index.h"
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

NameGroups kernelNameGroups(const model::Trace& tr, const ReportOptions& o) {
  const auto& k = tr.kernels;
  const bool base = o.has("base"), mangled = o.has("mangled");  // kernelNameId's choice, once
  return summarizeByName(
      k.size(), tr.strings.size(), [&](size_t i) { return k.end[i] != kNullI64; },
      [&](size_t i) {
        if (base && k.short_name[i] != model::kEmptyString) return k.short_name[i];
        if (mangled && k.mangled_name[i] != model::kEmptyString) return k.mangled_name[i];
        return k.name[i];
      },
      [&](size_t i) { return k.end[i] - k.start[i]; });
}

uint32_t launchGeometryText(ReportTable& t, int32_t x, int32_t y, int32_t z) {
  if (x == model::kNullI32 || y == model::kNullI32 || z == model::kNullI32) return kNullText;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%4d %4d %4d", x, y, z);  // nsys: printf('%4d %4d %4d', ...)
  return t.internText(buf);
}

ReportTable cudaGpuKernSum(ReportContext& ctx, const ReportOptions& o) {
  const model::Trace& tr = ctx.trace();
  ReportTable t("cuda_gpu_kern_sum", "CUDA GPU Kernel Summary");
  buildNameSummary(t, tr, kernelNameGroups(tr, o),
                   SummarySpec{true, "Total Time", "Instances", Unit::kDurNs, {"Name"}},
                   "does not contain CUDA kernel data");
  return t;
}

ReportTable cudaGpuKernGbSum(ReportContext& ctx, const ReportOptions& o) {
  const model::Trace& tr = ctx.trace();
  const auto& k = tr.kernels;
  ReportTable t("cuda_gpu_kern_gb_sum", "CUDA GPU Kernel/Grid/Block Summary");
  // The group key (gridX..Z, blockX..Z, name) is 7 x 32 bits, more than a
  // FlatIndex key: (gridX, gridY, gridZ, blockX) get a dense id first, which
  // then keys the groups with (blockY, blockZ, name). Group ids are dense,
  // in first-seen order.
  auto u = [](int32_t v) { return static_cast<uint64_t>(static_cast<uint32_t>(v)); };
  FlatIndex grid_block(64), groups_index(256);
  std::vector<uint32_t> group, first_row;
  std::vector<int64_t> values;
  group.reserve(k.size());
  values.reserve(k.size());
  for (size_t i = 0; i < k.size(); ++i) {
    if (k.end[i] == kNullI64) continue;
    uint64_t gb = grid_block.intern(u(k.grid_x[i]) << 32 | u(k.grid_y[i]), u(k.grid_z[i]) << 32 | u(k.block_x[i]));
    uint64_t name = kernelNameId(tr, i, o);
    bool fresh = false;
    uint32_t g = groups_index.intern(gb << 32 | u(k.block_y[i]), u(k.block_z[i]) << 32 | name, &fresh);
    if (fresh) first_row.push_back(static_cast<uint32_t>(i));
    group.push_back(g);
    values.push_back(k.end[i] - k.start[i]);
  }
  if (values.empty()) {
    t.setSkipped("does not contain CUDA kernel data");
    return t;
  }
  std::vector<SummaryStats> stats = summarizeGroups(values, group, first_row.size());
  std::vector<uint32_t> texts;  // GridXYZ, BlockXYZ, Name per group
  texts.reserve(3 * first_row.size());
  // Unknown dimensions (traces without launch geometry) show empty: the
  // summary's tie-break compares these texts, so they must be real texts.
  const uint32_t empty = t.internText("");
  auto geometry = [&](int32_t x, int32_t y, int32_t z) {
    uint32_t id = launchGeometryText(t, x, y, z);
    return id == kNullText ? empty : id;
  };
  for (uint32_t i : first_row) {
    texts.push_back(geometry(k.grid_x[i], k.grid_y[i], k.grid_z[i]));
    texts.push_back(geometry(k.block_x[i], k.block_y[i], k.block_z[i]));
    texts.push_back(t.traceText(tr.strings, kernelNameId(tr, i, o)));
  }
  buildSummary(t, SummarySpec{true, "Total Time", "Instances", Unit::kDurNs, {"GridXYZ", "BlockXYZ", "Name"}},
               stats, texts);
  return t;
}

}  // namespace gpuscope::stats
