// nvtx_sum, nvtx_pushpop_sum, nvtx_startend_sum and nvtx_pushpop_trace:
// NVTX ranges on the CPU timeline. Ranges never closed end at the largest
// NVTX range timestamp (nsys). The three summaries are one implementation
// with a style filter; nvtx_sum alone has the Style column.
#include <algorithm>
#include <array>
#include <numeric>
#include <string>

#include "stats/flat_index.h"
#include "stats/reports/reports.h"
#include "stats/summary_table.h"

namespace gpuscope::stats {
namespace {

using model::kNullI64;
using model::NvtxKind;

// Which range styles a summary covers.
enum class StyleFilter { kBoth, kPushPop, kStartEnd };

bool keepKind(StyleFilter f, int32_t kind) {
  const bool pushpop = kind == static_cast<int32_t>(NvtxKind::kPushPop);
  const bool startend = kind == static_cast<int32_t>(NvtxKind::kStartEnd);
  switch (f) {
    case StyleFilter::kPushPop: return pushpop;
    case StyleFilter::kStartEnd: return startend;
    case StyleFilter::kBoth: break;
  }
  return pushpop || startend;
}

constexpr uint32_t kNoGroup = 0xFFFFFFFFu;

// Dense ids of (kind, domain, text) groups in first-seen order. A trace has
// a handful of (kind, domain) pairs, and text is a StringId, so for those an
// array indexed by StringId is the map: one access into 4 bytes per string,
// where a hash table of millions of keys ("iteration N" ranges) misses the
// cache on nearly every row. Further pairs, and traces with far more strings
// than ranges, use a FlatIndex; both assign ids in row order.
class RangeGrouper {
 public:
  RangeGrouper(size_t string_count, size_t range_rows)
      : string_count_(string_count), dense_(string_count <= 4 * range_rows + 4096) {}

  uint32_t group(int32_t kind, model::StringId domain, model::StringId text, bool* fresh) {
    *fresh = false;
    if (dense_) {
      std::vector<uint32_t>* slots = denseSlots(kind, domain);
      if (slots != nullptr) {
        uint32_t& g = (*slots)[text];
        if (g == kNoGroup) {
          g = next_++;
          *fresh = true;
        }
        return g;
      }
    }
    uint64_t key = static_cast<uint64_t>(domain) << 32 | text;
    bool new_key = false;
    uint32_t id = rest_.intern(static_cast<uint64_t>(kind), key, &new_key);
    if (new_key) {
      rest_ids_.push_back(next_++);
      *fresh = true;
    }
    return rest_ids_[id];
  }

 private:
  static constexpr size_t kDensePairs = 4;
  struct Pair {
    int32_t kind;
    model::StringId domain;
    std::vector<uint32_t> slots;
  };
  std::vector<uint32_t>* denseSlots(int32_t kind, model::StringId domain) {
    if (last_ < pairs_.size() && pairs_[last_].kind == kind && pairs_[last_].domain == domain) {
      return &pairs_[last_].slots;
    }
    for (size_t i = 0; i < pairs_.size(); ++i) {
      if (pairs_[i].kind == kind && pairs_[i].domain == domain) {
        last_ = i;
        return &pairs_[i].slots;
      }
    }
    if (pairs_.size() == kDensePairs) return nullptr;
    pairs_.push_back(Pair{kind, domain, std::vector<uint32_t>(string_count_, kNoGroup)});
    last_ = pairs_.size() - 1;
    return &pairs_.back().slots;
  }

  size_t string_count_;
  bool dense_;
  std::vector<Pair> pairs_;
  size_t last_ = 0;
  FlatIndex rest_;
  std::vector<uint32_t> rest_ids_;  // FlatIndex id -> group id
  uint32_t next_ = 0;
};

struct Key {
  int64_t total;
  uint32_t count;
  uint32_t g;
};

// Sorts keys (in g order) by total, then count, both descending; ties keep
// their order. An LSD radix sort, a byte at a time, skipping bytes that are
// the same in every key: for millions of groups it is a few sequential
// passes where a comparison sort makes ~20 dependent ones.
void sortKeys(std::vector<Key>& keys) {
  // Ascending order of these unsigned digits is the wanted order.
  auto count_digits = [](const Key& k) { return ~k.count; };
  auto total_digits = [](const Key& k) { return ~(static_cast<uint64_t>(k.total) ^ (uint64_t{1} << 63)); };
  constexpr int kPasses = 4 + 8;  // count bytes, then total bytes
  std::vector<std::array<uint32_t, 256>> histogram(kPasses);
  for (auto& h : histogram) h.fill(0);
  for (const Key& k : keys) {
    uint32_t c = count_digits(k);
    uint64_t t = total_digits(k);
    for (int b = 0; b < 4; ++b) ++histogram[b][(c >> (8 * b)) & 0xFF];
    for (int b = 0; b < 8; ++b) ++histogram[4 + b][(t >> (8 * b)) & 0xFF];
  }
  std::vector<Key> other(keys.size());
  for (int pass = 0; pass < kPasses; ++pass) {
    auto& h = histogram[pass];
    if (std::count(h.begin(), h.end(), 0u) == 255) continue;  // one value: order unchanged
    uint32_t at = 0;
    for (uint32_t& n : h) {
      uint32_t c = n;
      n = at;
      at += c;
    }
    for (const Key& k : keys) {
      uint64_t digits = pass < 4 ? count_digits(k) : total_digits(k);
      int shift = 8 * (pass < 4 ? pass : pass - 4);
      other[h[(digits >> shift) & 0xFF]++] = k;
    }
    keys.swap(other);
  }
}

// Traces can carry millions of distinct range names (one per iteration), so
// this report avoids the generic path's per-group copies: durations are
// counted and scattered into one array grouped by (kind, domain, text), rows
// are ordered by (total, count) before any name is read, names are then
// copied once in that order (so that the tie sort and the formatters read
// them sequentially), and each group's statistics are computed as its row is
// written. The order is buildSummary's: total and count descending, then
// style and name bytewise, then first-seen order.
ReportTable nvtxRangeSummary(ReportContext& ctx, StyleFilter filter) {
  const model::Trace& tr = ctx.trace();
  const auto& n = tr.nvtx;
  const bool both = filter == StyleFilter::kBoth;
  ReportTable t = filter == StyleFilter::kPushPop    ? ReportTable("nvtx_pushpop_sum", "NVTX Push/Pop Range Summary")
                  : filter == StyleFilter::kStartEnd ? ReportTable("nvtx_startend_sum", "NVTX Start/End Range Summary")
                                                     : ReportTable("nvtx_sum", "NVTX Range Summary");
  int64_t max_ts = ctx.nvtxMaxTimestamp();
  const size_t rows = n.size();
  auto duration = [&](size_t i) { return (n.end[i] == kNullI64 ? max_ts : n.end[i]) - n.start[i]; };

  // Pass 1: group ids, counts and totals.
  RangeGrouper grouper(tr.strings.size(), rows);
  std::vector<uint32_t> group(rows);
  std::vector<uint32_t> group_row;  // first nvtx row of each group
  std::vector<uint32_t> count;
  std::vector<int64_t> total;
  size_t ranges = 0;
  for (size_t i = 0; i < rows; ++i) {
    if (!keepKind(filter, n.kind[i])) {
      group[i] = kNoGroup;
      continue;
    }
    bool fresh = false;
    uint32_t g = grouper.group(n.kind[i], n.domain[i], n.text[i], &fresh);
    if (fresh) {
      group_row.push_back(static_cast<uint32_t>(i));
      count.push_back(0);
      total.push_back(0);
    }
    group[i] = g;
    ++count[g];
    total[g] += duration(i);
    ++ranges;
  }
  if (ranges == 0) {
    t.setSkipped(filter == StyleFilter::kPushPop    ? "does not contain NV Tools Extension (NVTX) push/pop data"
                 : filter == StyleFilter::kStartEnd ? "does not contain NV Tools Extension (NVTX) start/end data"
                                                    : "does not contain NV Tools Extension (NVTX) data");
    return t;
  }
  const size_t groups = group_row.size();

  // Pass 2: durations grouped, in row order within a group (the statistics
  // sum in that order). After the scatter, end[g] is where group g ends and
  // group g + 1 begins.
  std::vector<uint32_t> end(groups);
  {
    uint32_t at = 0;
    for (size_t g = 0; g < groups; ++g) {
      end[g] = at;
      at += count[g];
    }
  }
  std::vector<int64_t> values(ranges);
  for (size_t i = 0; i < rows; ++i) {
    uint32_t g = group[i];
    if (g != kNoGroup) values[end[g]++] = duration(i);
  }
  group = {};

  // Order by (total, count) descending, first-seen order on ties.
  std::vector<Key> keys(groups);
  for (size_t g = 0; g < groups; ++g) keys[g] = Key{total[g], count[g], static_cast<uint32_t>(g)};
  int64_t grand = 0;
  for (int64_t v : total) grand += v;
  total = {};
  count = {};
  sortKeys(keys);

  // Names in that order, copied once. Views of them are gathered in group
  // order (about row and string-table order) first; the copy then visits
  // them in random order, so it prefetches a view 2 * kAhead groups ahead
  // and its bytes kAhead groups ahead.
  std::vector<std::string_view> domain_of(groups), text_of(groups);
  std::vector<uint8_t> kind_of(groups);
  for (size_t g = 0; g < groups; ++g) {  // first-seen order: about row order
    uint32_t row = group_row[g];
    domain_of[g] = tr.str(n.domain[row]);
    text_of[g] = tr.str(n.text[row]);
    kind_of[g] = static_cast<uint8_t>(n.kind[row]);
  }
  group_row = {};
  std::vector<uint32_t> name(groups);
  std::vector<uint8_t> kind(groups);  // in key order
  t.reserveTexts(groups + 2);
  const uint32_t style_text[2] = {t.internText(model::nvtxKindName(0)), t.internText(model::nvtxKindName(1))};
  constexpr size_t kAhead = 8;
  for (size_t p = 0; p < groups; ++p) {
    if (p + 2 * kAhead < groups) __builtin_prefetch(&text_of[keys[p + 2 * kAhead].g]);
    if (p + kAhead < groups) __builtin_prefetch(text_of[keys[p + kAhead].g].data());
    uint32_t g = keys[p].g;
    name[p] = domain_of[g].empty() ? t.addText(text_of[g]) : t.addText(domain_of[g], ":", text_of[g]);
    kind[p] = kind_of[g];
  }
  domain_of = {};
  text_of = {};
  kind_of = {};
  // Runs tied on (total, count): by style, name, then first-seen order.
  std::vector<uint32_t> pos(groups);
  for (size_t p = 0; p < groups; ++p) pos[p] = static_cast<uint32_t>(p);
  auto by_text = [&](uint32_t a, uint32_t b) {
    if (kind[a] != kind[b]) {
      int c = t.text(style_text[kind[a]]).compare(t.text(style_text[kind[b]]));
      if (c != 0) return c < 0;
    }
    int c = t.text(name[a]).compare(t.text(name[b]));
    if (c != 0) return c < 0;
    return keys[a].g < keys[b].g;
  };
  for (size_t i = 0; i < groups;) {
    size_t e = i + 1;
    while (e < groups && keys[e].total == keys[i].total && keys[e].count == keys[i].count) ++e;
    if (e - i > 1) {
      std::sort(pos.begin() + static_cast<std::ptrdiff_t>(i), pos.begin() + static_cast<std::ptrdiff_t>(e),
                by_text);
    }
    i = e;
  }

  SummarySpec spec{true, "Total Time", "Instances", Unit::kDurNs, {"Style", "Range"}};
  if (!both) spec.text_labels = {"Range"};  // one style: no Style column (nsys)
  SummaryColumns cols = addSummaryColumns(t, spec);
  t.reserveRows(groups);
  auto first = [&](uint32_t g) { return g == 0 ? 0u : end[g - 1]; };
  for (size_t k = 0; k < groups; ++k) {
    if (k + 2 * kAhead < groups) __builtin_prefetch(&end[std::max(keys[pos[k + 2 * kAhead]].g, 1u) - 1]);
    if (k + kAhead < groups) __builtin_prefetch(values.data() + first(keys[pos[k + kAhead]].g));
    uint32_t p = pos[k];
    uint32_t g = keys[p].g;
    SummaryStats s = summarize(std::span<int64_t>(values.data() + first(g), end[g] - first(g)));
    size_t r = t.appendRow();
    setSummaryRow(t, cols, r, s, grand);
    if (both) t.setText(r, cols.text[0], style_text[kind[p]]);
    t.setText(r, cols.text.back(), name[p]);
  }
  return t;
}

}  // namespace

ReportTable nvtxSum(ReportContext& ctx, const ReportOptions&) { return nvtxRangeSummary(ctx, StyleFilter::kBoth); }
ReportTable nvtxPushPopSum(ReportContext& ctx, const ReportOptions&) {
  return nvtxRangeSummary(ctx, StyleFilter::kPushPop);
}
ReportTable nvtxStartEndSum(ReportContext& ctx, const ReportOptions&) {
  return nvtxRangeSummary(ctx, StyleFilter::kStartEnd);
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
