#include "stats/summary_table.h"

#include <algorithm>
#include <numeric>

namespace gpuscope::stats {

StringGroups groupByString(std::span<const model::StringId> ids, size_t string_count) {
  StringGroups out;
  std::vector<uint32_t> slot(string_count, kNullText);
  out.group.resize(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    uint32_t& g = slot[ids[i]];
    if (g == kNullText) {
      g = static_cast<uint32_t>(out.keys.size());
      out.keys.push_back(ids[i]);
    }
    out.group[i] = g;
  }
  return out;
}

void buildSummary(ReportTable& t, const SummarySpec& spec, std::span<const SummaryStats> stats,
                  std::span<const uint32_t> texts) {
  size_t k = spec.text_labels.size();
  size_t c_pct = spec.percent ? t.addColumn("Time", Unit::kRatio, ValueType::kDouble) : 0;
  size_t c_total = t.addColumn(spec.total_label, spec.unit, ValueType::kInt);
  size_t c_count = t.addColumn(spec.count_label, Unit::kCount, ValueType::kInt);
  size_t c_avg = t.addColumn("Avg", spec.unit, ValueType::kDouble);
  size_t c_med = t.addColumn("Med", spec.unit, ValueType::kDouble);
  size_t c_min = t.addColumn("Min", spec.unit, ValueType::kInt);
  size_t c_max = t.addColumn("Max", spec.unit, ValueType::kInt);
  size_t c_sd = t.addColumn("StdDev", spec.unit, ValueType::kDouble);
  std::vector<size_t> c_text;
  for (const auto& label : spec.text_labels) c_text.push_back(t.addColumn(label, Unit::kText, ValueType::kText));

  // Sort by (total, count) on a compact copy of the keys first; names are
  // compared only inside runs that tie on both (the full comparator is a
  // strict total order, so the result equals one sort with it). Comparing
  // names for every pair made the sort memcmp-bound on millions of groups.
  struct Key {
    int64_t total, count;
    uint32_t g;
  };
  std::vector<Key> keys(stats.size());
  for (size_t g = 0; g < stats.size(); ++g) keys[g] = Key{stats[g].total, stats[g].count, static_cast<uint32_t>(g)};
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.total != b.total) return a.total > b.total;
    if (a.count != b.count) return a.count > b.count;
    return a.g < b.g;
  });
  std::vector<uint32_t> order(stats.size());
  for (size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].g;
  if (k > 0) {
    auto by_text = [&](uint32_t a, uint32_t b) {
      for (size_t j = 0; j < k; ++j) {
        uint32_t x = texts[a * k + j], y = texts[b * k + j];
        if (x == y) continue;  // same text id, same text (e.g. the Style column)
        int c = t.text(x).compare(t.text(y));  // one memcmp, not two
        if (c != 0) return c < 0;
      }
      return a < b;
    };
    for (size_t i = 0; i < keys.size();) {
      size_t e = i + 1;
      while (e < keys.size() && keys[e].total == keys[i].total && keys[e].count == keys[i].count) ++e;
      if (e - i > 1) std::sort(order.begin() + static_cast<std::ptrdiff_t>(i), order.begin() + static_cast<std::ptrdiff_t>(e), by_text);
      i = e;
    }
  }
  keys = {};
  int64_t grand = 0;
  for (const auto& s : stats) grand += s.total;
  t.reserveRows(stats.size());
  for (uint32_t g : order) {
    const SummaryStats& s = stats[g];
    size_t r = t.appendRow();
    if (spec.percent) t.setDouble(r, c_pct, percentOf(s.total, grand));
    t.setInt(r, c_total, s.total);
    t.setInt(r, c_count, s.count);
    t.setDouble(r, c_avg, s.mean);
    t.setDouble(r, c_med, s.median);
    t.setInt(r, c_min, s.min);
    t.setInt(r, c_max, s.max);
    t.setDouble(r, c_sd, s.stddev);
    for (size_t j = 0; j < k; ++j) t.setText(r, c_text[j], texts[g * k + j]);
  }
}

void buildNameSummary(ReportTable& t, const model::Trace& tr, std::span<const int64_t> dur,
                      std::span<const model::StringId> names, const char* skipped_reason) {
  if (dur.empty()) {
    t.setSkipped(skipped_reason);
    return;
  }
  StringGroups groups = groupByString(names, tr.strings.size());
  std::vector<SummaryStats> stats = summarizeGroups(dur, groups.group, groups.keys.size());
  std::vector<uint32_t> texts;
  for (model::StringId id : groups.keys) texts.push_back(t.traceText(tr.strings, id));
  buildSummary(t, SummarySpec{true, "Total Time", "Num Calls", Unit::kDurNs, {"Name"}}, stats, texts);
}

}  // namespace gpuscope::stats
