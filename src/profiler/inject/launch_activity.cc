#include "inject/launch_activity.h"

#include <cupti_activity.h>

#include <cstdlib>
#include <utility>

#include "inject/flush_ptx.h"

namespace gpuscope::profiler::inject {
namespace {

constexpr size_t kBufferBytes = 1 << 20;
constexpr size_t kAlign = 8;
SharedMemorySink g_sink;
bool g_started = false;

void CUPTIAPI bufferRequested(uint8_t** buffer, size_t* size, size_t* max_records) {
  *buffer = static_cast<uint8_t*>(std::aligned_alloc(kAlign, kBufferBytes));
  *size = *buffer ? kBufferBytes : 0;
  *max_records = 0;
}

void CUPTIAPI bufferCompleted(CUcontext, uint32_t, uint8_t* buffer, size_t, size_t valid) {
  CUpti_Activity* record = nullptr;
  while (buffer && cuptiActivityGetNextRecord(buffer, valid, &record) == CUPTI_SUCCESS) {
    if (record->kind != CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL && record->kind != CUPTI_ACTIVITY_KIND_KERNEL)
      continue;
    // CUDA 13's CUPTI delivers the newest record layout.
    auto* k = reinterpret_cast<const CUpti_ActivityKernel10*>(record);
    // The cache-control kernels (cache_flush.h) run inside the profiled
    // launch's callback and carry its correlation id; their configuration
    // is not the kernel's (run 6: every kernel read 32 KB, a GEMM that needs
    // 228 KB too).
    if (isInternalKernel(k->name)) continue;
    if (g_sink) g_sink(k->correlationId, k->sharedMemoryExecuted);
  }
  std::free(buffer);
}

}  // namespace

bool startLaunchActivity(SharedMemorySink sink, bool enable_now) {
  g_sink = std::move(sink);
  if (cuptiActivityRegisterCallbacks(bufferRequested, bufferCompleted) != CUPTI_SUCCESS) return false;
  if (enable_now && !setLaunchActivity(true)) return false;
  g_started = true;
  std::atexit([] { flushLaunchActivity(); });
  return true;
}

bool setLaunchActivity(bool on) {
  const CUptiResult r = on ? cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL)
                           : cuptiActivityDisable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  return r == CUPTI_SUCCESS;
}

void flushLaunchActivity() {
  if (g_started) cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
}

}  // namespace gpuscope::profiler::inject
