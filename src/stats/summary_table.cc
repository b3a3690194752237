#include "stats/summary_table.h"

#include <algorithm>
#include <numeric>

namespace gpuscope::stats {

SummaryColumns addSummaryColumns(ReportTable& t, const SummarySpec& spec) {
  SummaryColumns c;
  c.percent = spec.percent;
  if (spec.percent) c.pct = t.addColumn("Time", Unit::kRatio, ValueType::kDouble);
  c.total = t.addColumn(spec.total_label, spec.unit, ValueType::kInt);
  c.count = t.addColumn(spec.count_label, Unit::kCount, ValueType::kInt);
  c.avg = t.addColumn("Avg", spec.unit, ValueType::kDouble);
  c.med = t.addColumn("Med", spec.unit, ValueType::kDouble);
  c.min = t.addColumn("Min", spec.unit, ValueType::kInt);
  c.max = t.addColumn("Max", spec.unit, ValueType::kInt);
  c.stddev = t.addColumn("StdDev", spec.unit, ValueType::kDouble);
  for (const auto& label : spec.text_labels) c.text.push_back(t.addColumn(label, Unit::kText, ValueType::kText));
  return c;
}

void setSummaryRow(ReportTable& t, const SummaryColumns& c, size_t r, const SummaryStats& s, int64_t grand) {
  if (c.percent) t.setDouble(r, c.pct, percentOf(s.total, grand));
  t.setInt(r, c.total, s.total);
  t.setInt(r, c.count, s.count);
  t.setDouble(r, c.avg, s.mean);
  t.setDouble(r, c.med, s.median);
  t.setInt(r, c.min, s.min);
  t.setInt(r, c.max, s.max);
  t.setDouble(r, c.stddev, s.stddev);
}

void buildSummary(ReportTable& t, const SummarySpec& spec, std::span<const SummaryStats> stats,
                  std::span<const uint32_t> texts) {
  size_t k = spec.text_labels.size();
  SummaryColumns cols = addSummaryColumns(t, spec);

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
    size_t r = t.appendRow();
    setSummaryRow(t, cols, r, stats[g], grand);
    for (size_t j = 0; j < k; ++j) t.setText(r, cols.text[j], texts[g * k + j]);
  }
}

void buildNameSummary(ReportTable& t, const model::Trace& tr, const NameGroups& groups,
                      const SummarySpec& spec, const char* skipped_reason) {
  if (groups.keys.empty()) {
    t.setSkipped(skipped_reason);
    return;
  }
  std::vector<uint32_t> texts;
  texts.reserve(groups.keys.size());
  for (model::StringId id : groups.keys) texts.push_back(t.traceText(tr.strings, id));
  buildSummary(t, spec, groups.stats, texts);
}

}  // namespace gpuscope::stats
