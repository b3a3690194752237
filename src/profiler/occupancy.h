// Theoretical occupancy of a launch, computed the way the CUDA occupancy
// calculator (cuda_occupancy.h) does: limits from warps, blocks, registers
// and shared memory per SM. ncu reports these as launch__occupancy_limit_*
// and sm__maximum_warps_*; CUPTI cannot measure them, so we compute them.
#pragma once

#include <cstdint>

#include "profiler/record.h"

namespace gpuscope::profiler {

struct Occupancy {
  int limit_warps = 0;
  int limit_blocks = 0;
  int limit_registers = 0;
  int limit_shared_mem = 0;
  int blocks_per_sm = 0;       // min of the limits
  int warps_per_block = 0;
  double warps_per_sm = 0;     // theoretical active warps per SM
  double occupancy_pct = 0;    // of the SM's maximum warps
  int64_t smem_per_block_allocated = 0;  // static + dynamic + driver, rounded
  int64_t smem_config_size = 0;          // carveout that holds blocks_per_sm blocks
  double waves_per_sm = 0;
};

// `kernel.driver_max_blocks` (when known) overrides the computed total, since
// the driver also knows limits the calculator cannot see (barriers).
Occupancy computeOccupancy(const KernelRecord& kernel, const DeviceInfo& device);

// Registers per thread a launch is allocated, from the compiled count
// (CU_FUNC_ATTRIBUTE_NUM_REGS): the hardware allocates at least 16, and ncu's
// launch__registers_per_thread reports that allocation (evidence 2026-11-29
// run 2, H200: saxpy compiled 10 -> ncu 16, reduceSum 12 -> 16, while 18, 19,
// 26, 31, 44, 202 are reported unchanged). 0 (unknown) stays 0.
int allocatedRegistersPerThread(int compiled_registers);

// The next shared memory carveout size (bytes) the architecture supports that
// holds `bytes`; the largest one when none does.
int64_t alignUpCarveout(int64_t bytes, int cc_major, int cc_minor);

}  // namespace gpuscope::profiler
