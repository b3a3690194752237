// The shared memory configuration the driver chose for a launch (ncu's
// launch__shared_mem_config_size). It is not a CUPTI range-profiler metric
// and depends on driver policy (carveout preference, cuBLAS hints), so it is
// read where the driver reports it: the kernel activity record's
// sharedMemoryExecuted, matched to the profiled launch by correlation id.
//
// The kind instruments every kernel launched while it is enabled: H200 run U
// (tests/gpu/evidence/2026-11-30-session7) counted 8 more warp instructions
// per warp in saxpy's replay passes than ncu (sm__inst_executed +42 %,
// sm__pipe_alu_cycles_active 5x) with it enabled for the whole program, and
// SASS-patched counters read 0. So by default (kLaunch) it is enabled only
// around the application's own launch, after the replay passes have been
// measured, and no measured pass runs instrumented code.
#pragma once

#include <cstdint>
#include <functional>

namespace gpuscope::profiler::inject {

// Called from CUPTI's buffer thread with (correlation id, bytes).
using SharedMemorySink = std::function<void(uint32_t correlation_id, uint32_t shared_mem_executed)>;

// Registers the buffer callbacks; with `enable_now` also enables kernel
// activity records for the rest of the run (A/B mode "all"). False (and
// nothing enabled) on failure.
bool startLaunchActivity(SharedMemorySink sink, bool enable_now);
// Enables (true) or disables kernel activity records; false on failure.
// For one launch: enable on its API entry, disable on its exit.
bool setLaunchActivity(bool on);
// Delivers every buffered record to the sink. Registered with atexit; CUPTI
// itself hands over a context's buffers when the context is destroyed.
void flushLaunchActivity();

}  // namespace gpuscope::profiler::inject
