// Builders shared by the nsys "summary" reports: dense grouping by an
// interned string, and the common column block
//   [Time (%)], Total, Count, Avg, Med, Min, Max, StdDev, <text columns>
// sorted by total descending, then count descending, then the text columns.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "model/string_table.h"
#include "model/trace.h"
#include "stats/report_table.h"
#include "stats/summary.h"

namespace gpuscope::stats {

struct SummarySpec {
  bool percent = true;  // leading "Time (%)" column
  std::string total_label = "Total Time";
  std::string count_label = "Num Calls";
  Unit unit = Unit::kDurNs;
  std::vector<std::string> text_labels;  // trailing text columns
};

// The summary's columns, added to a table by addSummaryColumns; setSummaryRow
// fills one row of them (the text columns are left to the caller). For
// reports that order and name their groups themselves (nvtx_sum).
struct SummaryColumns {
  bool percent = true;
  size_t pct = 0, total = 0, count = 0, avg = 0, med = 0, min = 0, max = 0, stddev = 0;
  std::vector<size_t> text;
};
SummaryColumns addSummaryColumns(ReportTable& table, const SummarySpec& spec);
void setSummaryRow(ReportTable& table, const SummaryColumns& columns, size_t row, const SummaryStats& s,
                   int64_t grand_total);

// texts holds spec.text_labels.size() text ids (of `table`) per group.
void buildSummary(ReportTable& table, const SummarySpec& spec, std::span<const SummaryStats> stats,
                  std::span<const uint32_t> texts);

// Values grouped by the name of their row, for summaries over tens of
// millions of rows: rows i in [0, rows) with keep(i) give value(i) to the
// group of name(i), a StringId. Groups are numbered in first-seen order and
// hold their values in row order, as summarizeGroups over arrays of the kept
// rows' group ids and values would have them, but without those arrays: two
// passes over the table's columns, the second finding each row's group
// again by its name.
struct NameGroups {
  std::vector<model::StringId> keys;  // name of each group
  std::vector<SummaryStats> stats;
};
template <typename Keep, typename Name, typename Value>
NameGroups summarizeByName(size_t rows, size_t string_count, Keep keep, Name name, Value value) {
  constexpr uint32_t kNone = 0xFFFFFFFFu;
  NameGroups out;
  std::vector<uint32_t> slot(string_count, kNone);  // StringId -> group
  std::vector<size_t> end;  // counts, then each group's end in `values`
  for (size_t i = 0; i < rows; ++i) {
    if (!keep(i)) continue;
    model::StringId id = name(i);
    uint32_t& g = slot[id];
    if (g == kNone) {
      g = static_cast<uint32_t>(out.keys.size());
      out.keys.push_back(id);
      end.push_back(0);
    }
    ++end[g];
  }
  size_t at = 0;
  for (size_t& e : end) {  // to each group's start
    size_t n = e;
    e = at;
    at += n;
  }
  std::vector<int64_t> values(at);
  for (size_t i = 0; i < rows; ++i) {
    if (keep(i)) values[end[slot[name(i)]]++] = value(i);
  }
  slot = {};
  out.stats.resize(out.keys.size());
  size_t begin = 0;
  for (size_t g = 0; g < out.keys.size(); ++g) {
    out.stats[g] = summarize(std::span<int64_t>(values.data() + begin, end[g] - begin));
    begin = end[g];
  }
  return out;
}

// The "Time (%) ... <text>" summary of summarizeByName's groups, one text
// column: the group's name (cuda_api_sum, cuda_gpu_kern_sum, osrt_sum). No
// group marks the table skipped with `skipped_reason`.
void buildNameSummary(ReportTable& table, const model::Trace& trace, const NameGroups& groups,
                      const SummarySpec& spec, const char* skipped_reason);

}  // namespace gpuscope::stats
