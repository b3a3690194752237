#include "tracer/tsc_clock.h"

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace gpuscope::tracer {

TscClock TscClock::fromSamples(uint64_t tsc0, int64_t ns0, uint64_t tsc1, int64_t ns1) {
  TscClock c;
  c.base_tsc = tsc0;
  c.base_ns = ns0;
  if (tsc1 > tsc0 && ns1 > ns0) c.ns_per_tick = double(ns1 - ns0) / double(tsc1 - tsc0);
  return c;
}

uint64_t readTsc() {
#if defined(__x86_64__)
  return __rdtsc();
#else
  return 0;
#endif
}

}  // namespace gpuscope::tracer
