// The instruction-cache eviction kernel (icache_ptx.h) as the build
// assembled it: a fatbin with SASS for GPUSCOPE_ICACHE_ARCHS (default sm_90,
// H100/H200) and compute_75 PTX that the driver JIT-compiles (once; its
// compute cache keeps the result) on other GPUs. Loading the SASS takes
// milliseconds where JIT-compiling the PTX took ~2 s per program run on the
// H200 (run Z8, 2026-11-30: the first profiled run 5.32 s against 3.24 s for
// the next).
#pragma once

#include <cstddef>

namespace gpuscope::profiler::inject {

struct IcacheImage {
  const unsigned char* data = nullptr;  // null: built without nvcc
  size_t size = 0;
};

IcacheImage icacheEvictImage();

}  // namespace gpuscope::profiler::inject
