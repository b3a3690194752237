// The synthetic per-query trace the report and export tests share: two
// warm-up queries (computeStart 0.25 and 0.75 < warmUp 1 ms) and seven
// measured ones starting every 2 ms at 1 ms. Values are multiples of 1/8 ms,
// so every sum is exact in float; the expected numbers in the tests were
// worked out by hand from these.
#pragma once

#include <vector>

#include "bench/trace.h"

namespace gpuscope::bench::test_data {

inline InferenceTrace query(float s, float compute, float enq) {
  InferenceTrace t;
  t.h2d_start = s;
  t.h2d_end = s + 0.25F;
  t.compute_start = t.h2d_end;
  t.compute_end = t.compute_start + compute;
  t.d2h_start = t.compute_end;
  t.d2h_end = t.d2h_start + 0.125F;
  t.enq_start = s;
  t.enq_end = s + enq;
  return t;
}

inline std::vector<InferenceTrace> syntheticTrace() {
  std::vector<InferenceTrace> t{query(0, 0.5F, 0.25F), query(0.5F, 0.5F, 0.25F)};
  const float compute[7] = {0.5F, 1.0F, 0.75F, 1.5F, 0.5F, 1.25F, 1.0F};
  const float enq[7] = {0.25F, 0.5F, 0.25F, 0.25F, 0.75F, 0.25F, 0.5F};
  for (int i = 0; i < 7; ++i) t.push_back(query(1.0F + 2.0F * float(i), compute[i], enq[i]));
  return t;
}

}  // namespace gpuscope::bench::test_data
