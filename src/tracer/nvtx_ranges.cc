#include "tracer/nvtx_ranges.h"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

namespace gpuscope::tracer {
namespace {

using model::kNullI64;
constexpr int32_t kPushPop = int32_t(model::NvtxKind::kPushPop);
constexpr int32_t kStartEnd = int32_t(model::NvtxKind::kStartEnd);
constexpr int32_t kMark = int32_t(model::NvtxKind::kMark);

// Ranges never closed count as open until the end of time for nesting.
int64_t openEnd(int64_t end) { return end == kNullI64 ? std::numeric_limits<int64_t>::max() : end; }

}  // namespace

void resolveNvtxRanges(Recording* rec) {
  model::NvtxTable& t = rec->rows.nvtx;
  model::Diagnostics& diag = rec->rows.diagnostics;
  std::unordered_map<int64_t, size_t> by_id;
  by_id.reserve(t.size());
  for (size_t i = 0; i < t.size(); ++i)
    if (t.range_id[i] != kNullI64) by_id.emplace(t.range_id[i], i);

  for (const NvtxRangeEnd& e : rec->nvtx_ends) {
    auto it = by_id.find(e.range_id);
    if (it == by_id.end() || t.kind[it->second] == kMark) {
      diag.add("nvtx_end_without_start", model::Severity::kInfo,
               "an NVTX range end whose start was not recorded (lost or before the trace)",
               "range id " + std::to_string(e.range_id));
      continue;
    }
    size_t i = it->second;
    t.end[i] = e.time;
    if (e.tid != kNullI64 && t.tid[i] != kNullI64 && e.tid != t.tid[i]) {
      t.end_tid[i] = e.tid;
      t.kind[i] = kStartEnd;
    }
  }
  for (const NvtxMarkerData& d : rec->marker_data) {
    auto it = by_id.find(d.range_id);
    if (it == by_id.end()) continue;  // data for a sync marker or a lost start
    t.color[it->second] = d.color;
    t.category[it->second] = d.category;
  }
  std::unordered_set<int64_t> started(rec->start_end_range_ids.begin(), rec->start_end_range_ids.end());
  for (size_t i = 0; i < t.size(); ++i)
    if (t.kind[i] == kPushPop && started.count(t.range_id[i])) t.kind[i] = kStartEnd;

  // Nesting per (thread, domain), in start order.
  std::map<std::pair<int64_t, model::StringId>, std::vector<size_t>> groups;
  for (size_t i = 0; i < t.size(); ++i)
    if (t.kind[i] == kPushPop) groups[{t.tid[i], t.domain[i]}].push_back(i);
  for (auto& [key, rows] : groups) {
    std::stable_sort(rows.begin(), rows.end(), [&](size_t a, size_t b) {
      return t.start[a] != t.start[b] ? t.start[a] < t.start[b] : openEnd(t.end[a]) > openEnd(t.end[b]);
    });
    std::vector<size_t> stack;
    for (size_t i : rows) {
      while (!stack.empty() && openEnd(t.end[stack.back()]) <= t.start[i]) stack.pop_back();
      if (!stack.empty() && openEnd(t.end[i]) > openEnd(t.end[stack.back()])) {
        t.kind[i] = kStartEnd;  // overlaps without nesting: cannot be push/pop
        continue;
      }
      t.depth[i] = static_cast<int32_t>(stack.size());
      stack.push_back(i);
    }
  }
  for (size_t i = 0; i < t.size(); ++i)
    if (t.kind[i] != kStartEnd) t.range_id[i] = kNullI64;
  rec->nvtx_ends.clear();
  rec->marker_data.clear();
}

}  // namespace gpuscope::tracer
