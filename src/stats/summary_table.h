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

// Assigns each element a dense group id by its StringId (first-seen order).
// keys[g] is the StringId of group g.
struct StringGroups {
  std::vector<uint32_t> group;
  std::vector<model::StringId> keys;
};
StringGroups groupByString(std::span<const model::StringId> ids, size_t string_count);

struct SummarySpec {
  bool percent = true;  // leading "Time (%)" column
  std::string total_label = "Total Time";
  std::string count_label = "Num Calls";
  Unit unit = Unit::kDurNs;
  std::vector<std::string> text_labels;  // trailing text columns
};

// texts holds spec.text_labels.size() text ids (of `table`) per group.
void buildSummary(ReportTable& table, const SummarySpec& spec, std::span<const SummaryStats> stats,
                  std::span<const uint32_t> texts);

// The "Time (%) ... Name" summary of timed host calls grouped by name
// (cuda_api_sum, osrt_sum): `dur[i]` belongs to the call named `names[i]`.
// An empty input marks the table skipped with `skipped_reason`.
void buildNameSummary(ReportTable& table, const model::Trace& trace, std::span<const int64_t> dur,
                      std::span<const model::StringId> names, const char* skipped_reason);

}  // namespace gpuscope::stats
