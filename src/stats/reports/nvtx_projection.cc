// NVTX ranges projected onto the GPU (nsys nvtx_gpu_proj_trace,
// nvtx_gpu_proj_sum, nvtx_kern_sum). A GPU op belongs to a range when the
// API call that launched it ran on the range's thread and started and
// ended inside the range; only ranges that ended on their own thread count.
#include <algorithm>
#include <numeric>
#include <string>
#include <unordered_map>

#include "stats/flat_index.h"
#include "stats/reports/reports.h"
#include "stats/summary.h"

namespace gpuscope::stats {
namespace {

using model::kNullI64;

struct Projection {
  std::vector<int64_t> start, end;  // projected, over the range's GPU ops
  std::vector<int64_t> ops;         // distinct launching API calls (nsys: count(DISTINCT correlationId))
  std::vector<int32_t> children;    // direct children that were projected too
};

Projection project(ReportContext& ctx) {
  const model::Trace& tr = ctx.trace();
  const NvtxRangeSet& ranges = ctx.projectionRanges();
  const auto& pairs = ctx.rangeApiPairs();
  const std::vector<uint32_t>& begin = ctx.opsBegin();
  const std::vector<uint32_t>& ops = ctx.ops();
  Projection p;
  p.start.assign(ranges.size(), INT64_MAX);
  p.end.assign(ranges.size(), INT64_MIN);
  p.ops.assign(ranges.size(), 0);
  p.children.assign(ranges.size(), 0);
  for (auto [q, a] : pairs) {
    ++p.ops[q];
    for (uint32_t k = begin[a]; k < begin[a + 1]; ++k) {
      uint32_t op = ops[k], row = gpuOpRow(op);
      int64_t s = 0, e = 0;
      switch (gpuOpTable(op)) {
        case GpuOpTable::kKernel: s = tr.kernels.start[row]; e = tr.kernels.end[row]; break;
        case GpuOpTable::kMemcpy: s = tr.memcpys.start[row]; e = tr.memcpys.end[row]; break;
        case GpuOpTable::kMemset: s = tr.memsets.start[row]; e = tr.memsets.end[row]; break;
      }
      p.start[q] = std::min(p.start[q], s);
      p.end[q] = std::max(p.end[q], e == kNullI64 ? s : e);
    }
  }
  for (size_t q = 0; q < ranges.size(); ++q) {
    if (p.ops[q] > 0 && ranges.parent[q] >= 0) ++p.children[static_cast<size_t>(ranges.parent[q])];
  }
  return p;
}

const char* skipPhrase(const model::Trace& tr) {
  if (tr.nvtx.empty()) return "does not contain NV Tools Extension (NVTX) data";
  if (tr.kernels.empty() && tr.memcpys.empty() && tr.memsets.empty()) return "does not contain GPU operation data";
  if (tr.api_calls.empty()) return "does not contain CUDA API data";
  return "has no GPU operation launched inside an NVTX range";
}

}  // namespace

ReportTable nvtxGpuProjTrace(ReportContext& ctx, const ReportOptions&) {
  const model::Trace& tr = ctx.trace();
  ReportTable t("nvtx_gpu_proj_trace", "NVTX GPU Projection Trace");
  const NvtxRangeSet& r = ctx.projectionRanges();
  Projection p = project(ctx);
  std::vector<uint32_t> order;
  for (uint32_t q = 0; q < r.size(); ++q) {
    if (p.ops[q] > 0) order.push_back(q);
  }
  if (order.empty()) {
    t.setSkipped(skipPhrase(tr));
    return t;
  }
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (p.start[a] != p.start[b]) return p.start[a] < p.start[b];
    int64_t da = p.end[a] - p.start[a], db = p.end[b] - p.start[b];
    if (da != db) return da > db;
    return r.row[a] < r.row[b];
  });
  size_t c_name = t.addColumn("Name", Unit::kText, ValueType::kText);
  size_t c_ps = t.addColumn("Projected Start", Unit::kTsNs, ValueType::kInt);
  size_t c_pd = t.addColumn("Projected Duration", Unit::kDurNs, ValueType::kInt);
  size_t c_os = t.addColumn("Orig Start", Unit::kTsNs, ValueType::kInt);
  size_t c_od = t.addColumn("Orig Duration", Unit::kDurNs, ValueType::kInt);
  size_t c_style = t.addColumn("Style", Unit::kText, ValueType::kText);
  size_t c_pid = t.addColumn("PID", Unit::kCount, ValueType::kInt);
  size_t c_tid = t.addColumn("TID", Unit::kCount, ValueType::kInt);
  size_t c_ops = t.addColumn("NumGPUOps", Unit::kCount, ValueType::kInt);
  size_t c_lvl = t.addColumn("Lvl", Unit::kCount, ValueType::kInt);
  size_t c_nchild = t.addColumn("NumChild", Unit::kCount, ValueType::kInt);
  size_t c_id = t.addColumn("RangeId", Unit::kCount, ValueType::kInt);
  size_t c_parent = t.addColumn("ParentId", Unit::kCount, ValueType::kInt);
  size_t c_stack = t.addColumn("RangeStack", Unit::kText, ValueType::kText);
  const auto& n = tr.nvtx;
  for (uint32_t q : order) {
    uint32_t row = r.row[q];
    size_t x = t.appendRow();
    t.setText(x, c_name, t.internText(nvtxRangeName(tr, row)));
    t.setInt(x, c_ps, p.start[q]);
    t.setInt(x, c_pd, p.end[q] - p.start[q]);
    t.setInt(x, c_os, r.start[q]);
    t.setInt(x, c_od, r.end[q] - r.start[q]);
    t.setText(x, c_style, t.internText(model::nvtxKindName(n.kind[row])));
    t.setInt(x, c_pid, n.pid[row]);
    t.setInt(x, c_tid, n.tid[row]);
    t.setInt(x, c_ops, p.ops[q]);
    t.setInt(x, c_lvl, r.level[q]);
    t.setInt(x, c_nchild, p.children[q]);
    t.setInt(x, c_id, static_cast<int64_t>(row) + 1);
    if (r.parent[q] >= 0) t.setInt(x, c_parent, static_cast<int64_t>(r.row[static_cast<size_t>(r.parent[q])]) + 1);
    std::vector<uint32_t> chain;
    for (int32_t a = static_cast<int32_t>(q); a >= 0; a = r.parent[static_cast<size_t>(a)]) {
      chain.push_back(r.row[static_cast<size_t>(a)] + 1);
    }
    std::string stack;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) stack.append(":").append(std::to_string(*it));
    t.setText(x, c_stack, t.internText(stack));
  }
  return t;
}

ReportTable nvtxGpuProjSum(ReportContext& ctx, const ReportOptions&) {
  const model::Trace& tr = ctx.trace();
  const auto& n = tr.nvtx;
  ReportTable t("nvtx_gpu_proj_sum", "NVTX GPU Projection Summary");
  const NvtxRangeSet& r = ctx.projectionRanges();
  Projection p = project(ctx);
  // Group projected ranges by (domain, text, style).
  std::unordered_map<uint64_t, uint32_t> index[2];
  std::vector<uint32_t> group_row, group;
  std::vector<int64_t> proj_dur;
  std::vector<int64_t> range_total, gpu_ops, level_sum, child_sum;
  for (uint32_t q = 0; q < r.size(); ++q) {
    if (p.ops[q] == 0) continue;
    uint32_t row = r.row[q];
    uint64_t key = static_cast<uint64_t>(n.domain[row]) << 32 | n.text[row];
    auto [it, fresh] = index[n.kind[row]].try_emplace(key, static_cast<uint32_t>(group_row.size()));
    if (fresh) {
      group_row.push_back(row);
      range_total.push_back(0);
      gpu_ops.push_back(0);
      level_sum.push_back(0);
      child_sum.push_back(0);
    }
    uint32_t g = it->second;
    group.push_back(g);
    proj_dur.push_back(p.end[q] - p.start[q]);
    range_total[g] += r.end[q] - r.start[q];
    gpu_ops[g] += p.ops[q];
    level_sum[g] += r.level[q];
    child_sum[g] += p.children[q];
  }
  if (group.empty()) {
    t.setSkipped(skipPhrase(tr));
    return t;
  }
  std::vector<SummaryStats> stats = summarizeGroups(proj_dur, group, group_row.size());
  size_t c_range = t.addColumn("Range", Unit::kText, ValueType::kText);
  size_t c_style = t.addColumn("Style", Unit::kText, ValueType::kText);
  size_t c_tp = t.addColumn("Total Proj Time", Unit::kDurNs, ValueType::kInt);
  size_t c_tr = t.addColumn("Total Range Time", Unit::kDurNs, ValueType::kInt);
  size_t c_inst = t.addColumn("Range Instances", Unit::kCount, ValueType::kInt);
  size_t c_avg = t.addColumn("Proj Avg", Unit::kDurNs, ValueType::kDouble);
  size_t c_med = t.addColumn("Proj Med", Unit::kDurNs, ValueType::kDouble);
  size_t c_min = t.addColumn("Proj Min", Unit::kDurNs, ValueType::kInt);
  size_t c_max = t.addColumn("Proj Max", Unit::kDurNs, ValueType::kInt);
  size_t c_sd = t.addColumn("Proj StdDev", Unit::kDurNs, ValueType::kDouble);
  size_t c_ops = t.addColumn("Total GPU Ops", Unit::kCount, ValueType::kInt);
  size_t c_aops = t.addColumn("Avg GPU Ops", Unit::kCount, ValueType::kDouble);
  size_t c_alvl = t.addColumn("Avg Range Lvl", Unit::kCount, ValueType::kDouble);
  size_t c_achild = t.addColumn("Avg Num Child", Unit::kCount, ValueType::kDouble);
  std::vector<uint32_t> names(group_row.size());
  for (size_t g = 0; g < group_row.size(); ++g) names[g] = t.internText(nvtxRangeName(tr, group_row[g]));
  std::vector<uint32_t> order(group_row.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (stats[a].total != stats[b].total) return stats[a].total > stats[b].total;
    if (stats[a].count != stats[b].count) return stats[a].count > stats[b].count;
    if (t.text(names[a]) != t.text(names[b])) return t.text(names[a]) < t.text(names[b]);
    return n.kind[group_row[a]] < n.kind[group_row[b]];
  });
  for (uint32_t g : order) {
    const SummaryStats& s = stats[g];
    double cnt = static_cast<double>(s.count);
    size_t x = t.appendRow();
    t.setText(x, c_range, names[g]);
    t.setText(x, c_style, t.internText(model::nvtxKindName(n.kind[group_row[g]])));
    t.setInt(x, c_tp, s.total);
    t.setInt(x, c_tr, range_total[g]);
    t.setInt(x, c_inst, s.count);
    t.setDouble(x, c_avg, s.mean);
    t.setDouble(x, c_med, s.median);
    t.setInt(x, c_min, s.min);
    t.setInt(x, c_max, s.max);
    t.setDouble(x, c_sd, s.stddev);
    t.setInt(x, c_ops, gpu_ops[g]);
    t.setDouble(x, c_aops, static_cast<double>(gpu_ops[g]) / cnt);
    t.setDouble(x, c_alvl, static_cast<double>(level_sum[g]) / cnt);
    t.setDouble(x, c_achild, static_cast<double>(child_sum[g]) / cnt);
  }
  return t;
}

ReportTable nvtxKernSum(ReportContext& ctx, const ReportOptions& o) {
  const model::Trace& tr = ctx.trace();
  const auto& n = tr.nvtx;
  const auto& k = tr.kernels;
  ReportTable t("nvtx_kern_sum", "NVTX Range Kernel Summary");
  const NvtxRangeSet& r = ctx.projectionRanges();
  const auto& pairs = ctx.rangeApiPairs();
  const std::vector<uint32_t>& begin = ctx.opsBegin();
  const std::vector<uint32_t>& ops = ctx.ops();
  // Group (range name, style, thread, kernel name); a kernel counts once in
  // every enclosing range instance. Ranges first get a dense id for
  // (name, style, thread), then (that id, kernel name) is the group.
  std::vector<uint32_t> range_group(r.size());
  {
    FlatIndex by_name(r.size());
    for (uint32_t q = 0; q < r.size(); ++q) {
      uint32_t row = r.row[q];
      range_group[q] = by_name.intern(static_cast<uint64_t>(n.domain[row]) << 32 | n.text[row],
                                      static_cast<uint64_t>(n.kind[row]) << 32 | r.thread[q]);
    }
  }
  FlatIndex groups(1024);
  std::vector<uint32_t> group_range_row;  // a range row per group (name, style, pid, tid)
  std::vector<model::StringId> group_kernel;
  std::vector<int64_t> nvtx_inst, kern_inst;
  std::vector<uint32_t> last_range;
  std::vector<uint32_t> group;
  std::vector<int64_t> dur;
  group.reserve(pairs.size());
  dur.reserve(pairs.size());
  auto groupOf = [&](uint32_t q, model::StringId kname) {
    bool fresh = false;
    uint32_t g = groups.intern(range_group[q], kname, &fresh);
    if (fresh) {
      group_range_row.push_back(r.row[q]);
      group_kernel.push_back(kname);
      nvtx_inst.push_back(0);
      kern_inst.push_back(0);
      last_range.push_back(kNullText);
    }
    return g;
  };
  // Pass 1, range by range (pairs counting-sorted by range): every
  // (range, kernel) entry, and NVTX Inst by a last-range stamp per group.
  std::vector<uint32_t> by_range(pairs.size());
  {
    std::vector<uint32_t> offset(r.size() + 1, 0);
    for (const auto& pr : pairs) ++offset[pr.first + 1];
    for (size_t q = 0; q < r.size(); ++q) offset[q + 1] += offset[q];
    for (uint32_t i = 0; i < pairs.size(); ++i) by_range[offset[pairs[i].first]++] = i;
  }
  for (uint32_t i : by_range) {
    auto [q, a] = pairs[i];
    for (uint32_t j = begin[a]; j < begin[a + 1]; ++j) {
      if (gpuOpTable(ops[j]) != GpuOpTable::kKernel) continue;
      uint32_t ki = gpuOpRow(ops[j]);
      if (k.end[ki] == kNullI64) continue;
      uint32_t g = groupOf(q, kernelNameId(tr, ki, o));
      group.push_back(g);
      dur.push_back(k.end[ki] - k.start[ki]);
      ++kern_inst[g];
      if (last_range[g] != q) {
        last_range[g] = q;
        ++nvtx_inst[g];
      }
    }
  }
  // Pass 2, call by call (rangeApiPairs() emits one call's pairs
  // contiguously): a kernel inside two nested ranges of the same group was
  // counted twice above; Kern Inst counts distinct kernels.
  for (size_t p0 = 0; p0 < pairs.size();) {
    uint32_t a = pairs[p0].second;
    size_t p1 = p0;
    while (p1 < pairs.size() && pairs[p1].second == a) ++p1;
    for (size_t x = p0 + 1; x < p1; ++x) {
      bool repeat = false;
      for (size_t y = p0; y < x && !repeat; ++y) repeat = range_group[pairs[y].first] == range_group[pairs[x].first];
      if (!repeat) continue;
      for (uint32_t j = begin[a]; j < begin[a + 1]; ++j) {
        if (gpuOpTable(ops[j]) != GpuOpTable::kKernel || k.end[gpuOpRow(ops[j])] == kNullI64) continue;
        --kern_inst[groupOf(pairs[x].first, kernelNameId(tr, gpuOpRow(ops[j]), o))];
      }
    }
    p0 = p1;
  }
  if (group.empty()) {
    t.setSkipped(tr.kernels.empty() ? "does not contain CUDA kernel data" : skipPhrase(tr));
    return t;
  }
  size_t g_count = group_range_row.size();
  std::vector<SummaryStats> stats = summarizeGroups(dur, group, g_count);

  size_t c_range = t.addColumn("NVTX Range", Unit::kText, ValueType::kText);
  size_t c_style = t.addColumn("Style", Unit::kText, ValueType::kText);
  size_t c_pid = t.addColumn("PID", Unit::kCount, ValueType::kInt);
  size_t c_tid = t.addColumn("TID", Unit::kCount, ValueType::kInt);
  size_t c_ninst = t.addColumn("NVTX Inst", Unit::kCount, ValueType::kInt);
  size_t c_kinst = t.addColumn("Kern Inst", Unit::kCount, ValueType::kInt);
  size_t c_total = t.addColumn("Total Time", Unit::kDurNs, ValueType::kInt);
  size_t c_avg = t.addColumn("Avg", Unit::kDurNs, ValueType::kDouble);
  size_t c_med = t.addColumn("Med", Unit::kDurNs, ValueType::kDouble);
  size_t c_min = t.addColumn("Min", Unit::kDurNs, ValueType::kInt);
  size_t c_max = t.addColumn("Max", Unit::kDurNs, ValueType::kInt);
  size_t c_sd = t.addColumn("StdDev", Unit::kDurNs, ValueType::kDouble);
  size_t c_kernel = t.addColumn("Kernel Name", Unit::kText, ValueType::kText);
  std::vector<uint32_t> names(g_count);
  for (size_t g = 0; g < g_count; ++g) names[g] = t.internText(nvtxRangeName(tr, group_range_row[g]));
  std::vector<uint32_t> order(g_count);
  std::iota(order.begin(), order.end(), 0u);
  // nsys: ORDER BY range name, PID, TID, total time desc.
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    std::string_view na = t.text(names[a]), nb = t.text(names[b]);
    if (na != nb) return na < nb;
    uint32_t ra = group_range_row[a], rb = group_range_row[b];
    if (n.pid[ra] != n.pid[rb]) return n.pid[ra] < n.pid[rb];
    if (n.tid[ra] != n.tid[rb]) return n.tid[ra] < n.tid[rb];
    if (stats[a].total != stats[b].total) return stats[a].total > stats[b].total;
    if (n.kind[ra] != n.kind[rb]) return n.kind[ra] < n.kind[rb];
    return tr.str(group_kernel[a]) < tr.str(group_kernel[b]);
  });
  for (uint32_t g : order) {
    const SummaryStats& s = stats[g];
    uint32_t row = group_range_row[g];
    size_t x = t.appendRow();
    t.setText(x, c_range, names[g]);
    t.setText(x, c_style, t.internText(model::nvtxKindName(n.kind[row])));
    t.setInt(x, c_pid, n.pid[row]);
    t.setInt(x, c_tid, n.tid[row]);
    t.setInt(x, c_ninst, nvtx_inst[g]);
    t.setInt(x, c_kinst, kern_inst[g]);
    t.setInt(x, c_total, s.total);
    t.setDouble(x, c_avg, s.mean);
    t.setDouble(x, c_med, s.median);
    t.setInt(x, c_min, s.min);
    t.setInt(x, c_max, s.max);
    t.setDouble(x, c_sd, s.stddev);
    t.setText(x, c_kernel, t.traceText(tr.strings, group_kernel[g]));
  }
  return t;
}

}  // namespace gpuscope::stats
