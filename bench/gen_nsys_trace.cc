// Writes a synthetic nsys SQLite export with N kernel launches (and their API
// calls, NVTX ranges, copies) for the import and stats benchmarks.
// Usage: gen_nsys_trace OUT.sqlite KERNELS [PROCESSES]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fixtures/nsys_fixture.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT.sqlite KERNELS [PROCESSES]\n", argv[0]);
    return 2;
  }
  gpuscope::testing::NsysFixtureOptions o;
  o.processes = argc > 3 ? std::atoi(argv[3]) : 1;
  o.kernels = std::atoi(argv[2]) / o.processes;
  o.with_bad_rows = false;
  o.with_graphs = false;
  gpuscope::Status s = gpuscope::testing::writeNsysFixture(argv[1], o);
  if (!s.ok()) {
    std::fprintf(stderr, "gen_nsys_trace: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}
