// A nanosecond clock read from the CPU's time-stamp counter: one rdtsc, a
// subtraction and a multiply (~10 ns), against clock_gettime's vDSO path
// (~20-50 ns) or, where the clock source has no vDSO, a system call
// (~0.3-1 us). Kineto hands CUPTI a TSC clock by default
// (cuptiActivityRegisterTimestampCallback); GPUSCOPE_TRACE_AB=clock=tsc
// does the same so one run can tell whether timestamping is what the
// per-launch cost is made of. The rate comes from two (TSC, ns) samples.
#pragma once

#include <cstdint>

namespace gpuscope::tracer {

struct TscClock {
  uint64_t base_tsc = 0;
  int64_t base_ns = 0;
  double ns_per_tick = 1.0;

  // The line through (tsc0, ns0) and (tsc1, ns1); ns_per_tick 1 when the
  // samples are not increasing in both coordinates.
  static TscClock fromSamples(uint64_t tsc0, int64_t ns0, uint64_t tsc1, int64_t ns1);

  int64_t toNs(uint64_t tsc) const {
    // Signed: a core whose TSC lags the calibrating one by a few ticks
    // gives a time just before base_ns, not a huge one.
    return base_ns + int64_t(double(int64_t(tsc - base_tsc)) * ns_per_tick);
  }
};

// Reads the TSC; 0 where the CPU has none this code knows (not x86-64).
uint64_t readTsc();

}  // namespace gpuscope::tracer
