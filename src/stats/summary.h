// The statistics every nsys summary report shows, with nsys's definitions:
// mean, median (mean of the two middle values for an even count), min, max
// and the sample standard deviation (n-1; 0 for a single value).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace gpuscope::stats {

struct SummaryStats {
  int64_t count = 0;
  int64_t total = 0;
  double mean = 0;
  double median = 0;
  int64_t min = 0;
  int64_t max = 0;
  double stddev = 0;
};

// Summarizes `values`, reordering them (median by nth_element, O(n)).
SummaryStats summarize(std::span<int64_t> values);

// Values grouped by a dense group id: values[i] belongs to group[i] in
// [0, group_count). One counting-sort pass, then O(n) per group.
std::vector<SummaryStats> summarizeGroups(std::span<const int64_t> values,
                                          std::span<const uint32_t> group, size_t group_count);

// Several value arrays grouped by the same group ids: the counting sort of
// row indices is done once and a scratch buffer is reused per array.
class GroupedValues {
 public:
  GroupedValues(std::span<const uint32_t> group, size_t group_count);
  std::vector<SummaryStats> summarize(std::span<const int64_t> values);

 private:
  std::vector<size_t> offset_;
  std::vector<uint32_t> order_;  // row indices, grouped
  std::vector<int64_t> scratch_;
};

// nsys's Time (%) column: round(100 * part / whole, 1); 0 when whole is 0.
double percentOf(int64_t part, int64_t whole);

}  // namespace gpuscope::stats
