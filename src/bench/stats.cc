#include "bench/stats.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace gpuscope::bench {
namespace {
constexpr float kInf = std::numeric_limits<float>::infinity();
}

float findPercentile(float percentile, const std::vector<float>& sorted) {
  const int32_t all = static_cast<int32_t>(sorted.size());
  // float arithmetic as upstream: (1 - p/100) * n, truncated.
  const float keep_out = (1.0F - percentile / 100.0F) * static_cast<float>(all);
  const int32_t exclude = static_cast<int32_t>(keep_out);
  if (sorted.empty()) return kInf;
  return sorted[static_cast<size_t>(std::max(all - 1 - exclude, 0))];
}

float findMedian(const std::vector<float>& sorted) {
  if (sorted.empty()) return kInf;
  const size_t m = sorted.size() / 2;
  if (sorted.size() % 2) return sorted[m];
  return (sorted[m - 1] + sorted[m]) / 2;
}

float findCoeffOfVariance(const std::vector<float>& sorted, float mean) {
  if (sorted.empty()) return 0;
  if (mean == 0.0F) return kInf;
  float acc = 0.0F;
  for (float x : sorted) {
    const float diff = x - mean;
    acc = acc + diff * diff;
  }
  const float variance = acc / static_cast<float>(sorted.size());
  return std::sqrt(variance) / mean * 100.0F;
}

PerformanceResult getPerformanceResult(std::vector<float> values, const std::vector<float>& percentiles) {
  PerformanceResult r;
  std::sort(values.begin(), values.end());
  if (values.empty()) {
    r.min = r.max = r.mean = r.median = kInf;
    r.percentiles.assign(percentiles.size(), kInf);
    r.coeff_var = 0;
    return r;
  }
  r.min = values.front();
  r.max = values.back();
  float sum = 0.0F;
  for (float x : values) sum = sum + x;
  r.mean = sum / static_cast<float>(values.size());
  r.median = findMedian(values);
  for (float p : percentiles) r.percentiles.push_back(findPercentile(p, values));
  r.coeff_var = findCoeffOfVariance(values, r.mean);
  return r;
}

}  // namespace gpuscope::bench
