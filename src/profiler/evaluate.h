// Metric values of one profiled kernel: counters come from the record as
// CUPTI evaluated them; launch__*, theoretical occupancy and the roofline
// points are computed here from launch parameters, device attributes and
// counters, with the formulas ncu's section files use (reference 5.2, 7).
#pragma once

#include <optional>
#include <string_view>

#include "profiler/occupancy.h"
#include "profiler/record.h"

namespace gpuscope::profiler {

class KernelMetrics {
 public:
  KernelMetrics(const KernelRecord& kernel, const DeviceInfo& device);

  // nullopt when the metric was not collected or cannot be computed (a
  // division by zero, a counter missing from the record).
  std::optional<double> value(std::string_view metric) const;
  const Occupancy& occupancy() const { return occupancy_; }

 private:
  std::optional<double> counter(std::string_view metric) const;
  std::optional<double> achievedFlops(char precision) const;
  std::optional<double> peakFlops(char precision) const;

  const KernelRecord& kernel_;
  const DeviceInfo& device_;
  Occupancy occupancy_;
};

}  // namespace gpuscope::profiler
