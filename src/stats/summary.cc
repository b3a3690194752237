#include "stats/summary.h"

#include <algorithm>
#include <cmath>

namespace gpuscope::stats {

SummaryStats summarize(std::span<int64_t> values) {
  SummaryStats s;
  size_t n = values.size();
  if (n == 0) return s;
  if (n == 1) {  // the general path's results, without its loops (millions of one-off ranges)
    int64_t v = values[0];
    s.count = 1;
    s.total = s.min = s.max = v;
    s.mean = s.median = static_cast<double>(v);
    return s;
  }
  s.count = static_cast<int64_t>(n);
  int64_t lo = values[0], hi = values[0], total = 0;
  for (int64_t v : values) {
    total += v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  s.total = total;
  s.min = lo;
  s.max = hi;
  s.mean = static_cast<double>(total) / static_cast<double>(n);
  // Two-pass variance: exact sums of squared deviations of integers stay
  // accurate where the one-pass formula would cancel catastrophically.
  if (n > 1) {
    double ss = 0;
    for (int64_t v : values) {
      double d = static_cast<double>(v) - s.mean;
      ss += d * d;
    }
    s.stddev = std::sqrt(ss / static_cast<double>(n - 1));
  }
  size_t mid = n / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  int64_t upper = values[mid];
  if (n % 2 == 1) {
    s.median = static_cast<double>(upper);
  } else {
    // The lower middle is the largest value left of the nth_element pivot.
    int64_t lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
    s.median = (static_cast<double>(lower) + static_cast<double>(upper)) / 2.0;
  }
  return s;
}

std::vector<SummaryStats> summarizeGroups(std::span<const int64_t> values,
                                          std::span<const uint32_t> group, size_t group_count) {
  std::vector<size_t> offset(group_count + 1, 0);
  for (uint32_t g : group) ++offset[g + 1];
  for (size_t g = 0; g < group_count; ++g) offset[g + 1] += offset[g];
  std::vector<int64_t> sorted(values.size());
  std::vector<size_t> cursor(offset.begin(), offset.end() - 1);
  for (size_t i = 0; i < values.size(); ++i) sorted[cursor[group[i]]++] = values[i];
  std::vector<SummaryStats> out(group_count);
  for (size_t g = 0; g < group_count; ++g) {
    out[g] = summarize(std::span<int64_t>(sorted.data() + offset[g], offset[g + 1] - offset[g]));
  }
  return out;
}

GroupedValues::GroupedValues(std::span<const uint32_t> group, size_t group_count)
    : offset_(group_count + 1, 0), order_(group.size()) {
  for (uint32_t g : group) ++offset_[g + 1];
  for (size_t g = 0; g < group_count; ++g) offset_[g + 1] += offset_[g];
  std::vector<size_t> cursor(offset_.begin(), offset_.end() - 1);
  for (size_t i = 0; i < group.size(); ++i) order_[cursor[group[i]]++] = static_cast<uint32_t>(i);
}

std::vector<SummaryStats> GroupedValues::summarize(std::span<const int64_t> values) {
  scratch_.resize(order_.size());
  for (size_t i = 0; i < order_.size(); ++i) scratch_[i] = values[order_[i]];
  std::vector<SummaryStats> out(offset_.size() - 1);
  for (size_t g = 0; g + 1 < offset_.size(); ++g) {
    out[g] = stats::summarize(std::span<int64_t>(scratch_.data() + offset_[g], offset_[g + 1] - offset_[g]));
  }
  return out;
}

double percentOf(int64_t part, int64_t whole) {
  if (whole == 0) return 0.0;
  double pct = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  return std::round(pct * 10.0) / 10.0;
}

}  // namespace gpuscope::stats
