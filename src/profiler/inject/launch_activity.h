// The shared memory configuration the driver chose for a launch (ncu's
// launch__shared_mem_config_size). It is not a CUPTI range-profiler metric
// and depends on driver policy (carveout preference, cuBLAS hints), so it is
// read where the driver reports it: the kernel activity record's
// sharedMemoryExecuted, matched to the profiled launch by correlation id.
#pragma once

#include <cstdint>
#include <functional>

namespace gpuscope::profiler::inject {

// Called from CUPTI's buffer thread with (correlation id, bytes).
using SharedMemorySink = std::function<void(uint32_t correlation_id, uint32_t shared_mem_executed)>;

// Enables kernel activity records; false (and nothing enabled) on failure.
bool startLaunchActivity(SharedMemorySink sink);
// Delivers every buffered record to the sink. Registered with atexit; CUPTI
// itself hands over a context's buffers when the context is destroyed.
void flushLaunchActivity();

}  // namespace gpuscope::profiler::inject
