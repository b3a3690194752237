#include "stats/context.h"

#include <algorithm>

namespace gpuscope::stats {

using model::kNullI64;

ApiIndex::ApiIndex(const model::Trace& trace) {
  const auto& api = trace.api_calls;
  // Bucket rows by process, keeping first occurrence of each correlation id.
  std::unordered_map<int64_t, size_t> by_pid;
  std::vector<std::vector<std::pair<int64_t, int32_t>>> rows;
  for (size_t i = 0; i < api.size(); ++i) {
    int64_t corr = api.correlation_id[i];
    if (corr == kNullI64) continue;
    auto [it, fresh] = by_pid.try_emplace(api.pid[i], rows.size());
    if (fresh) rows.emplace_back();
    rows[it->second].emplace_back(corr, static_cast<int32_t>(i));
  }
  processes_.resize(rows.size());
  for (auto& [pid, slot] : by_pid) processes_[slot].pid = pid;
  for (size_t p = 0; p < rows.size(); ++p) {
    auto& list = rows[p];
    PerProcess& out = processes_[p];
    auto [lo, hi] = std::minmax_element(list.begin(), list.end());
    int64_t span = hi->first - lo->first + 1;
    if (span <= static_cast<int64_t>(list.size()) * 4 + 4096) {
      out.base = lo->first;
      out.dense.assign(static_cast<size_t>(span), -1);
      for (auto [corr, row] : list) {
        int32_t& slot = out.dense[static_cast<size_t>(corr - out.base)];
        if (slot < 0) slot = row;
      }
    } else {
      std::stable_sort(list.begin(), list.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      list.erase(std::unique(list.begin(), list.end(),
                             [](const auto& a, const auto& b) { return a.first == b.first; }),
                 list.end());
      out.sparse = std::move(list);
    }
  }
  std::sort(processes_.begin(), processes_.end(),
            [](const PerProcess& a, const PerProcess& b) { return a.pid < b.pid; });
}

int64_t ApiIndex::find(int64_t pid, int64_t corr) const {
  if (corr == kNullI64) return -1;
  auto it = std::lower_bound(processes_.begin(), processes_.end(), pid,
                             [](const PerProcess& p, int64_t v) { return p.pid < v; });
  if (it == processes_.end() || it->pid != pid) return -1;
  if (!it->dense.empty() || it->sparse.empty()) {
    int64_t k = corr - it->base;
    if (k < 0 || k >= static_cast<int64_t>(it->dense.size())) return -1;
    return it->dense[static_cast<size_t>(k)];
  }
  auto s = std::lower_bound(it->sparse.begin(), it->sparse.end(), corr,
                            [](const auto& e, int64_t v) { return e.first < v; });
  return (s != it->sparse.end() && s->first == corr) ? s->second : -1;
}

const ApiIndex& ReportContext::apiIndex() {
  if (!api_index_) api_index_.emplace(trace_);
  return *api_index_;
}

void ReportContext::buildGpuApiJoin() {
  if (gpu_api_built_) return;
  gpu_api_built_ = true;
  const ApiIndex& index = apiIndex();
  auto join = [&](const auto& table, std::vector<int32_t>& out) {
    out.resize(table.size());
    for (size_t i = 0; i < table.size(); ++i) {
      out[i] = static_cast<int32_t>(index.find(table.pid[i], table.correlation_id[i]));
    }
  };
  join(trace_.kernels, kernel_api_);
  join(trace_.memcpys, memcpy_api_);
  join(trace_.memsets, memset_api_);
}

void ReportContext::buildOpJoin() {
  if (op_join_built_) return;
  op_join_built_ = true;
  buildGpuApiJoin();
  size_t n_api = trace_.api_calls.size();
  ops_begin_.assign(n_api + 1, 0);
  auto count = [&](const std::vector<int32_t>& api) {
    for (int32_t a : api) {
      if (a >= 0) ++ops_begin_[static_cast<size_t>(a) + 1];
    }
  };
  count(kernel_api_);
  count(memcpy_api_);
  count(memset_api_);
  for (size_t a = 0; a < n_api; ++a) ops_begin_[a + 1] += ops_begin_[a];
  ops_.resize(ops_begin_[n_api]);
  std::vector<uint32_t> cursor(ops_begin_.begin(), ops_begin_.end() - 1);
  auto fill = [&](const std::vector<int32_t>& api, GpuOpTable t) {
    for (size_t i = 0; i < api.size(); ++i) {
      if (api[i] >= 0) ops_[cursor[static_cast<size_t>(api[i])]++] = packGpuOp(t, static_cast<uint32_t>(i));
    }
  };
  fill(kernel_api_, GpuOpTable::kKernel);
  fill(memcpy_api_, GpuOpTable::kMemcpy);
  fill(memset_api_, GpuOpTable::kMemset);
}

const std::vector<int32_t>& ReportContext::kernelApi() { buildGpuApiJoin(); return kernel_api_; }
const std::vector<int32_t>& ReportContext::memcpyApi() { buildGpuApiJoin(); return memcpy_api_; }
const std::vector<int32_t>& ReportContext::memsetApi() { buildGpuApiJoin(); return memset_api_; }
const std::vector<uint32_t>& ReportContext::opsBegin() { buildOpJoin(); return ops_begin_; }
const std::vector<uint32_t>& ReportContext::ops() { buildOpJoin(); return ops_; }

uint32_t ReportContext::threadId(int64_t pid, int64_t tid) {
  auto [it, fresh] = thread_ids_.try_emplace({pid, tid}, static_cast<uint32_t>(thread_ids_.size()));
  return it->second;
}

static bool isRange(int32_t kind) {
  return kind == static_cast<int32_t>(model::NvtxKind::kPushPop) ||
         kind == static_cast<int32_t>(model::NvtxKind::kStartEnd);
}

int64_t ReportContext::nvtxMaxTimestamp() {
  if (!nvtx_max_ts_) {
    const auto& n = trace_.nvtx;
    int64_t mx = kNullI64;
    for (size_t i = 0; i < n.size(); ++i) {
      if (!isRange(n.kind[i])) continue;
      mx = std::max(mx, n.start[i]);
      if (n.end[i] != kNullI64) mx = std::max(mx, n.end[i]);
    }
    nvtx_max_ts_ = mx;
  }
  return *nvtx_max_ts_;
}

const NvtxRangeSet& ReportContext::projectionRanges() {
  if (ranges_) return *ranges_;
  ranges_.emplace();
  NvtxRangeSet& r = *ranges_;
  const auto& n = trace_.nvtx;
  int64_t max_ts = nvtxMaxTimestamp();
  for (size_t i = 0; i < n.size(); ++i) {
    if (!isRange(n.kind[i])) continue;
    // Only ranges that ended on the thread that started them (nsys:
    // endGlobalTid IS NULL); the model stores end_tid only when different.
    if (n.end_tid[i] != kNullI64 && n.end_tid[i] != n.tid[i]) continue;
    r.row.push_back(static_cast<uint32_t>(i));
    r.start.push_back(n.start[i]);
    r.end.push_back(n.end[i] == kNullI64 ? max_ts : n.end[i]);
    r.thread.push_back(threadId(n.pid[i], n.tid[i]));
  }
  size_t m = r.size();
  r.parent.assign(m, -1);
  r.level.assign(m, 0);
  // Parent = the tightest enclosing range on the same thread (nsys: min of
  // (child.start - parent.start) + (parent.end - child.end)). Ranges are
  // visited by (thread, start asc, end desc, row) so a parent always comes
  // first; that also breaks ties between identical intervals without cycles.
  std::vector<uint32_t> order(m);
  for (uint32_t i = 0; i < m; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (r.thread[a] != r.thread[b]) return r.thread[a] < r.thread[b];
    if (r.start[a] != r.start[b]) return r.start[a] < r.start[b];
    if (r.end[a] != r.end[b]) return r.end[a] > r.end[b];
    return r.row[a] < r.row[b];
  });
  std::vector<uint32_t> active;  // earlier ranges of this thread still open
  for (size_t k = 0; k < m; ++k) {
    uint32_t c = order[k];
    if (k == 0 || r.thread[order[k - 1]] != r.thread[c]) active.clear();
    int32_t best = -1;
    int64_t best_len = 0;
    size_t keep = 0;
    for (uint32_t p : active) {
      if (r.end[p] < r.start[c]) continue;  // closed before c starts: never a parent again
      active[keep++] = p;
      if (r.end[p] >= r.end[c]) {
        int64_t len = r.end[p] - r.start[p];
        // Later-started candidates are tighter or equal; prefer them on ties.
        if (best < 0 || len <= best_len) {
          best = static_cast<int32_t>(p);
          best_len = len;
        }
      }
    }
    active.resize(keep);
    r.parent[c] = best;
    r.level[c] = best < 0 ? 0 : r.level[static_cast<size_t>(best)] + 1;
    active.push_back(c);
  }
  return r;
}

const std::vector<std::pair<uint32_t, uint32_t>>& ReportContext::rangeApiPairs() {
  if (range_api_pairs_) return *range_api_pairs_;
  range_api_pairs_.emplace();
  auto& pairs = *range_api_pairs_;
  const NvtxRangeSet& r = projectionRanges();
  const std::vector<uint32_t>& begin = opsBegin();
  const auto& api = trace_.api_calls;
  size_t n_threads = thread_ids_.size();
  if (r.size() == 0) return pairs;

  // Ranges per thread in start order (the nvtx table is sorted by start).
  std::vector<uint32_t> range_off(n_threads + 1, 0), range_list(r.size());
  for (uint32_t t : r.thread) ++range_off[t + 1];
  for (size_t t = 0; t < n_threads; ++t) range_off[t + 1] += range_off[t];
  {
    std::vector<uint32_t> cur(range_off.begin(), range_off.end() - 1);
    for (uint32_t i = 0; i < r.size(); ++i) range_list[cur[r.thread[i]]++] = i;
  }
  // API calls with GPU ops, on threads that have ranges, in start order.
  std::vector<std::vector<uint32_t>> calls(n_threads);
  for (size_t a = 0; a < api.size(); ++a) {
    if (begin[a + 1] == begin[a]) continue;
    auto it = thread_ids_.find({api.pid[a], api.tid[a]});
    if (it == thread_ids_.end() || it->second >= n_threads) continue;
    calls[it->second].push_back(static_cast<uint32_t>(a));
  }
  std::vector<uint32_t> active;
  for (size_t t = 0; t < n_threads; ++t) {
    active.clear();
    uint32_t next = range_off[t], last = range_off[t + 1];
    for (uint32_t a : calls[t]) {
      int64_t s = api.start[a], e = api.end[a];
      while (next < last && r.start[range_list[next]] <= s) active.push_back(range_list[next++]);
      size_t keep = 0;
      for (uint32_t q : active) {
        if (r.end[q] < s) continue;  // calls come in start order: q can never contain a later one
        active[keep++] = q;
        if (r.end[q] >= e) pairs.emplace_back(q, a);
      }
      active.resize(keep);
    }
  }
  return pairs;
}

std::string nvtxRangeName(const model::Trace& trace, size_t i) {
  std::string_view text = trace.str(trace.nvtx.text[i]);
  std::string_view domain = trace.str(trace.nvtx.domain[i]);
  if (domain.empty()) return std::string(text);
  std::string out;
  out.reserve(domain.size() + 1 + text.size());
  out.append(domain).append(":").append(text);
  return out;
}

}  // namespace gpuscope::stats
