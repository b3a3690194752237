// Process clock -> Unix epoch for one traced process. With CUPTI's own
// clock (CLOCK_REALTIME) that is one constant offset, from the anchor in the
// raw file's process frame. With the TSC clock (tsc_clock.h) the process
// clock is the TSC scaled by a rate measured over 20 ms at start, which is
// off by up to ~1e-5: over a 10-minute run that is milliseconds between
// processes. So the injection writes a (process clock, CLOCK_REALTIME)
// anchor at every flush and at exit, and the merge maps times piecewise
// linearly through them, as Kineto converts its TSC timestamps after the
// run: what remains is the error of reading two clocks back to back.
#pragma once

#include <cstdint>
#include <vector>

#include "tracer/recording.h"

namespace gpuscope::tracer {

class ClockMap {
 public:
  ClockMap() = default;
  // The anchors in any order; those that do not increase in both clocks
  // after sorting (a clock stepped back, a duplicate) are dropped. No
  // anchor: the identity.
  explicit ClockMap(std::vector<ClockAnchor> anchors);

  int64_t toEpoch(int64_t clock_ns) const {
    if (anchors_.size() < 2) return clock_ns + offset_;
    return interpolate(clock_ns);
  }
  size_t anchorCount() const { return anchors_.size(); }

 private:
  int64_t interpolate(int64_t clock_ns) const;

  std::vector<ClockAnchor> anchors_;
  int64_t offset_ = 0;  // fewer than two anchors: epoch - clock of the one
};

// The anchors of a recording: the process frame's, then the later ones.
std::vector<ClockAnchor> recordingAnchors(const Recording& rec);

}  // namespace gpuscope::tracer
