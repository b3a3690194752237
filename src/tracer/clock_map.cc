#include "tracer/clock_map.h"

#include <algorithm>
#include <cmath>

namespace gpuscope::tracer {

ClockMap::ClockMap(std::vector<ClockAnchor> anchors) {
  std::stable_sort(anchors.begin(), anchors.end(),
                   [](const ClockAnchor& a, const ClockAnchor& b) { return a.clock_ns < b.clock_ns; });
  for (const ClockAnchor& a : anchors) {
    if (!anchors_.empty() && (a.clock_ns <= anchors_.back().clock_ns || a.epoch_ns <= anchors_.back().epoch_ns))
      continue;
    anchors_.push_back(a);
  }
  if (!anchors_.empty()) offset_ = anchors_.front().epoch_ns - anchors_.front().clock_ns;
}

int64_t ClockMap::interpolate(int64_t clock_ns) const {
  // The segment that holds clock_ns; before the first or after the last
  // anchor, the nearest segment extended.
  auto hi = std::upper_bound(anchors_.begin(), anchors_.end(), clock_ns,
                             [](int64_t c, const ClockAnchor& a) { return c < a.clock_ns; });
  if (hi == anchors_.begin()) ++hi;
  if (hi == anchors_.end()) --hi;
  const ClockAnchor& a = *(hi - 1);
  const ClockAnchor& b = *hi;
  const double slope = double(b.epoch_ns - a.epoch_ns) / double(b.clock_ns - a.clock_ns);
  return a.epoch_ns + std::llround(double(clock_ns - a.clock_ns) * slope);
}

std::vector<ClockAnchor> recordingAnchors(const Recording& rec) {
  std::vector<ClockAnchor> out;
  if (!rec.process.empty()) out.push_back({rec.process[0].clock_ns, rec.process[0].epoch_ns});
  out.insert(out.end(), rec.clock_anchors.begin(), rec.clock_anchors.end());
  return out;
}

}  // namespace gpuscope::tracer
