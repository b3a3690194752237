// nvtx_sum and nvtx_pushpop_trace: NVTX ranges on the CPU timeline.
// Ranges never closed end at the largest NVTX range timestamp (nsys).
#include <algorithm>
#include <numeric>
#include <string>

#include "stats/flat_index.h"
#include "stats/reports/reports.h"
#include "stats/summary_table.h"

namespace gpuscope::stats {
namespace {

using model::kNullI64;
using model::NvtxKind;

bool isRangeKind(int32_t kind) {
  return kind == static_cast<int32_t>(NvtxKind::kPushPop) || kind == static_cast<int32_t>(NvtxKind::kStartEnd);
}

}  // namespace

ReportTable nvtxSum(ReportContext& ctx, const ReportOptions&) {
  const model::Trace& tr = ctx.trace();
  const auto& n = tr.nvtx;
  ReportTable t("nvtx_sum", "NVTX Range Summary");
  int64_t max_ts = ctx.nvtxMaxTimestamp();
  // (style, domain, text) -> group, first-seen order. A flat table: traces
  // can carry millions of distinct range names ("iteration N").
  FlatIndex index;
  std::vector<uint32_t> group_row;                  // a representative nvtx row per group
  std::vector<int64_t> dur;
  std::vector<uint32_t> group;
  dur.reserve(n.size());  // nearly every row is a range: no regrowth copies
  group.reserve(n.size());
  for (size_t i = 0; i < n.size(); ++i) {
    if (!isRangeKind(n.kind[i])) continue;
    uint64_t key = static_cast<uint64_t>(n.domain[i]) << 32 | n.text[i];
    bool fresh = false;
    uint32_t g = index.intern(static_cast<uint64_t>(n.kind[i]), key, &fresh);
    if (fresh) group_row.push_back(static_cast<uint32_t>(i));
    group.push_back(g);
    dur.push_back((n.end[i] == kNullI64 ? max_ts : n.end[i]) - n.start[i]);
  }
  if (dur.empty()) {
    t.setSkipped("does not contain NV Tools Extension (NVTX) data");
    return t;
  }
  std::vector<SummaryStats> stats = summarizeGroups(dur, group, group_row.size());
  std::vector<uint32_t> texts;
  texts.reserve(2 * group_row.size());
  uint32_t style_text[2] = {kNullText, kNullText};  // one hash per style, not per group
  for (uint32_t row : group_row) {
    uint32_t& style = style_text[n.kind[row]];
    if (style == kNullText) style = t.internText(model::nvtxKindName(n.kind[row]));
    texts.push_back(style);
    // Default-domain names are trace strings: no copy, no hashing.
    texts.push_back(tr.str(n.domain[row]).empty() ? t.traceText(tr.strings, n.text[row])
                                                  : t.internText(nvtxRangeName(tr, row)));
  }
  buildSummary(t, SummarySpec{true, "Total Time", "Instances", Unit::kDurNs, {"Style", "Range"}}, stats,
               texts);
  return t;
}

ReportTable nvtxPushPopTrace(ReportContext& ctx, const ReportOptions&) {
  const model::Trace& tr = ctx.trace();
  const auto& n = tr.nvtx;
  ReportTable t("nvtx_pushpop_trace", "NVTX Push/Pop Range Trace");
  int64_t max_ts = ctx.nvtxMaxTimestamp();
  std::vector<uint32_t> rows;
  for (size_t i = 0; i < n.size(); ++i) {
    if (n.kind[i] == static_cast<int32_t>(NvtxKind::kPushPop)) rows.push_back(static_cast<uint32_t>(i));
  }
  if (rows.empty()) {
    t.setSkipped("does not contain NV Tools Extension (NVTX) push/pop data");
    return t;
  }
  size_t m = rows.size();
  std::vector<int64_t> end(m);
  std::vector<uint32_t> thread(m);
  for (size_t j = 0; j < m; ++j) {
    end[j] = n.end[rows[j]] == kNullI64 ? max_ts : n.end[rows[j]];
    thread[j] = ctx.threadId(n.pid[rows[j]], n.tid[rows[j]]);
  }
  // Nesting per thread: push/pop ranges nest properly, so a stack suffices.
  std::vector<uint32_t> order(m);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (thread[a] != thread[b]) return thread[a] < thread[b];
    if (n.start[rows[a]] != n.start[rows[b]]) return n.start[rows[a]] < n.start[rows[b]];
    if (end[a] != end[b]) return end[a] > end[b];
    return a < b;
  });
  std::vector<int32_t> parent(m, -1), level(m, 0), children(m, 0);
  std::vector<int64_t> child_dur(m, 0);
  std::vector<uint32_t> stack;
  for (size_t k = 0; k < m; ++k) {
    uint32_t c = order[k];
    if (k > 0 && thread[order[k - 1]] != thread[c]) stack.clear();
    while (!stack.empty() && end[stack.back()] < end[c]) stack.pop_back();
    if (!stack.empty()) {
      uint32_t p = stack.back();
      parent[c] = static_cast<int32_t>(p);
      level[c] = level[p] + 1;
      ++children[p];
      child_dur[p] += end[c] - n.start[rows[c]];
    }
    stack.push_back(c);
  }
  size_t c_start = t.addColumn("Start", Unit::kTsNs, ValueType::kInt);
  size_t c_end = t.addColumn("End", Unit::kTsNs, ValueType::kInt);
  size_t c_dur = t.addColumn("Duration", Unit::kDurNs, ValueType::kInt);
  size_t c_child = t.addColumn("DurChild", Unit::kDurNs, ValueType::kInt);
  size_t c_nonchild = t.addColumn("DurNonChild", Unit::kDurNs, ValueType::kInt);
  size_t c_name = t.addColumn("Name", Unit::kText, ValueType::kText);
  size_t c_pid = t.addColumn("PID", Unit::kCount, ValueType::kInt);
  size_t c_tid = t.addColumn("TID", Unit::kCount, ValueType::kInt);
  size_t c_lvl = t.addColumn("Lvl", Unit::kCount, ValueType::kInt);
  size_t c_nchild = t.addColumn("NumChild", Unit::kCount, ValueType::kInt);
  size_t c_id = t.addColumn("RangeId", Unit::kCount, ValueType::kInt);
  size_t c_parent = t.addColumn("ParentId", Unit::kCount, ValueType::kInt);
  size_t c_stack = t.addColumn("RangeStack", Unit::kText, ValueType::kText);
  // Output in start order (the nvtx table order), like nsys.
  for (size_t j = 0; j < m; ++j) {
    uint32_t row = rows[j];
    size_t r = t.appendRow();
    int64_t duration = end[j] - n.start[row];
    t.setInt(r, c_start, n.start[row]);
    t.setInt(r, c_end, end[j]);
    t.setInt(r, c_dur, duration);
    t.setInt(r, c_child, child_dur[j]);
    t.setInt(r, c_nonchild, duration - child_dur[j]);
    t.setText(r, c_name, t.internText(nvtxRangeName(tr, row)));
    t.setInt(r, c_pid, n.pid[row]);
    t.setInt(r, c_tid, n.tid[row]);
    t.setInt(r, c_lvl, level[j]);
    t.setInt(r, c_nchild, children[j]);
    t.setInt(r, c_id, static_cast<int64_t>(row) + 1);
    if (parent[j] >= 0) t.setInt(r, c_parent, static_cast<int64_t>(rows[static_cast<size_t>(parent[j])]) + 1);
    std::vector<uint32_t> chain;
    for (int32_t p = static_cast<int32_t>(j); p >= 0; p = parent[static_cast<size_t>(p)]) {
      chain.push_back(rows[static_cast<size_t>(p)] + 1);
    }
    std::string range_stack;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) range_stack.append(":").append(std::to_string(*it));
    t.setText(r, c_stack, t.internText(range_stack));
  }
  return t;
}

}  // namespace gpuscope::stats
