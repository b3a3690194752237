// trtexec's statistics (sampleReporting.cpp; reference/trtexec.md §4), in
// float like upstream so the printed digits match: mean by float
// accumulation over the sorted values, median of an even count = mean of the
// middle two, nearest-rank percentile with exclude = (int)((1 - p/100) * n),
// coefficient of variance = population sigma / mean * 100.
#pragma once

#include <vector>

namespace gpuscope::bench {

struct PerformanceResult {
  float min = 0, max = 0, mean = 0, median = 0;
  std::vector<float> percentiles;  // one per requested percentile
  float coeff_var = 0;             // percent
};

// `sorted` ascending. Empty: +inf.
float findPercentile(float percentile, const std::vector<float>& sorted);
// `sorted` ascending. Empty: +inf.
float findMedian(const std::vector<float>& sorted);
// Empty: 0; mean 0: +inf.
float findCoeffOfVariance(const std::vector<float>& sorted, float mean);
// Sorts `values` and computes everything. Empty: min, max, mean, median and
// percentiles +inf (trtexec never reports an empty set), CoV 0.
PerformanceResult getPerformanceResult(std::vector<float> values, const std::vector<float>& percentiles);

}  // namespace gpuscope::bench
