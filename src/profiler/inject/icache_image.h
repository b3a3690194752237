// The instruction-cache eviction kernel (icache_ptx.h) as the build
// assembled it: a fatbin with SASS for GPUSCOPE_ICACHE_ARCHS (default sm_90,
// H100/H200) and compute_75 PTX that the driver JIT-compiles (once; its
// compute cache keeps the result) on other GPUs. SASS loads without
// compiling; JIT-compiling the PTX cost the first profiled program on the
// H200 ~2 s (run Z8, 2026-11-30: 5.32 s against 3.24 s for the next run).
#pragma once

namespace gpuscope::profiler::inject {

// The fatbin for cuModuleLoadData, or null when the build had no nvcc.
const void* icacheEvictImage();

}  // namespace gpuscope::profiler::inject
