// Kernels by category and top-k, frequent kernel sequences, and the NVTX
// projection table.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "analysis/breakdowns/breakdowns.h"
#include "stats/reports/reports.h"

namespace gpuscope::analysis {

KernelBreakdown kernelBreakdown(const TraceIndex& index, int top_k) {
  const model::Trace& t = index.trace();
  const auto& k = t.kernels;
  struct Acc {
    size_t n = 0;
    int64_t total = 0, min = INT64_MAX, max = 0;
    double sq = 0;
  };
  std::unordered_map<model::StringId, Acc> by_name;
  KernelBreakdown b;
  std::vector<CategoryRow> cats(kKernelCategoryCount);
  for (size_t i = 0; i < k.size(); ++i) {
    if (k.start[i] <= 0 || k.end[i] < k.start[i]) continue;
    int64_t d = k.end[i] - k.start[i];
    Acc& a = by_name[k.name[i]];
    ++a.n;
    a.total += d;
    a.min = std::min(a.min, d);
    a.max = std::max(a.max, d);
    a.sq += static_cast<double>(d) * static_cast<double>(d);
    b.total += d;
    CategoryRow& c = cats[static_cast<int>(index.kernelCategory(i))];
    ++c.count;
    c.total += d;
  }
  for (int c = 0; c < kKernelCategoryCount; ++c) {
    cats[c].category = static_cast<KernelCategory>(c);
    if (cats[c].count) b.categories.push_back(cats[c]);
  }
  std::sort(b.categories.begin(), b.categories.end(), [](auto& x, auto& y) { return x.total > y.total; });
  std::vector<std::pair<model::StringId, const Acc*>> order;
  for (const auto& [id, a] : by_name) order.push_back({id, &a});
  std::sort(order.begin(), order.end(), [&](auto& x, auto& y) {
    return x.second->total != y.second->total ? x.second->total > y.second->total : x.first < y.first;
  });
  for (size_t i = 0; i < order.size() && static_cast<int>(i) < top_k; ++i) {
    const Acc& a = *order[i].second;
    KernelRow r;
    r.name = t.str(order[i].first);
    r.category = classifyKernelName(r.name);
    r.count = a.n;
    r.total = a.total;
    r.min = a.min;
    r.max = a.max;
    r.mean = static_cast<double>(a.total) / static_cast<double>(a.n);
    // Sample standard deviation (pandas std, as HTA reports; 0 for one sample).
    r.stddev = a.n > 1 ? std::sqrt(std::max(0.0, (a.sq - r.mean * r.mean * a.n) / (a.n - 1))) : 0.0;
    b.top.push_back(std::move(r));
  }
  return b;
}

std::vector<SequenceRow> frequentSequences(TraceIndex& index, const AnalysisOptions& o) {
  const model::Trace& t = index.trace();
  stats::ReportContext& ctx = index.context();
  // Group key -> kernels (ops sorted by start overall, so groups fill in order).
  struct Group {
    std::string launcher;
    std::vector<model::StringId> names;
    int64_t gpu = 0;
  };
  std::unordered_map<uint64_t, Group> groups;
  std::unordered_map<int64_t, uint32_t> cpu_op_by_ext;
  for (size_t i = 0; i < t.cpu_ops.size(); ++i)
    if (t.cpu_ops.external_id[i] != model::kNullI64) cpu_op_by_ext.emplace(t.cpu_ops.external_id[i], i);
  // Innermost NVTX range per API call, for traces without External ids.
  std::unordered_map<uint32_t, uint32_t> range_of_api;
  const stats::NvtxRangeSet* ranges = nullptr;
  bool any_ext = false;
  for (int64_t e : t.kernels.external_id) any_ext = any_ext || e != model::kNullI64;
  if (!any_ext) {
    ranges = &ctx.projectionRanges();
    for (auto [r, a] : ctx.rangeApiPairs()) {
      auto [it, fresh] = range_of_api.try_emplace(a, r);
      if (!fresh && ranges->level[r] > ranges->level[it->second]) it->second = r;
    }
  }
  std::vector<uint32_t> order(t.kernels.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return t.kernels.start[a] < t.kernels.start[b]; });
  for (uint32_t i : order) {
    uint64_t key;
    std::string launcher;
    if (any_ext) {
      int64_t e = t.kernels.external_id[i];
      if (e == model::kNullI64) continue;
      key = static_cast<uint64_t>(e);
      auto c = cpu_op_by_ext.find(e);
      if (c != cpu_op_by_ext.end()) launcher = t.str(t.cpu_ops.name[c->second]);
    } else {
      int32_t a = index.launchApi(stats::packGpuOp(stats::GpuOpTable::kKernel, i));
      if (a < 0) continue;
      auto r = range_of_api.find(static_cast<uint32_t>(a));
      if (r == range_of_api.end()) continue;
      key = r->second;
      launcher = stats::nvtxRangeName(t, ranges->row[r->second]);
    }
    Group& g = groups[key];
    if (g.names.empty()) g.launcher = std::move(launcher);
    g.names.push_back(t.kernels.name[i]);
    g.gpu += t.kernels.end[i] - t.kernels.start[i];
  }
  std::map<std::vector<model::StringId>, SequenceRow> counted;
  for (auto& [key, g] : groups) {
    if (g.names.size() < static_cast<size_t>(o.min_pattern_len)) continue;
    SequenceRow& r = counted[g.names];
    if (r.count++ == 0) r.launcher = g.launcher;
    r.gpu_time += g.gpu;
  }
  std::vector<SequenceRow> rows;
  for (auto& [names, r] : counted) {
    if (r.count < 2) continue;
    for (model::StringId id : names) r.kernels.emplace_back(t.str(id));
    rows.push_back(std::move(r));
  }
  std::sort(rows.begin(), rows.end(), [](auto& x, auto& y) {
    return x.count != y.count ? x.count > y.count : x.gpu_time > y.gpu_time;
  });
  if (rows.size() > static_cast<size_t>(std::max(0, o.top_k))) rows.resize(o.top_k);
  return rows;
}

namespace {

TableView tableView(const stats::ReportTable& rt, int rows) {
  TableView v;
  v.name = rt.name();
  v.title = rt.title();
  if (rt.skipped()) return v;
  for (const auto& c : rt.columns())
    v.header.push_back(c.label + (c.unit == stats::Unit::kDurNs ? " (ns)" : c.unit == stats::Unit::kRatio ? " (%)" : ""));
  for (size_t r = 0; r < rt.rowCount() && (rows < 0 || static_cast<int>(r) < rows); ++r) {
    std::vector<std::string> cells;
    for (size_t c = 0; c < rt.columnCount(); ++c) {
      if (rt.isNull(r, c)) {
        cells.emplace_back();
        continue;
      }
      switch (rt.columns()[c].type) {
        case stats::ValueType::kInt: cells.push_back(std::to_string(rt.intAt(r, c))); break;
        case stats::ValueType::kDouble: {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.1f", rt.doubleAt(r, c));
          cells.emplace_back(buf);
          break;
        }
        case stats::ValueType::kText: cells.emplace_back(rt.textAt(r, c)); break;
      }
    }
    v.rows.push_back(std::move(cells));
  }
  return v;
}

}  // namespace

TableView nvtxProjection(TraceIndex& index, int rows) {
  return tableView(stats::nvtxGpuProjSum(index.context(), {}), rows);
}

TableView profiledKernels(TraceIndex& index, int rows) {
  return tableView(stats::kernelMetricsSum(index.context(), {}), rows);
}

}  // namespace gpuscope::analysis
