#include "tracer/sync_calls.h"

#include <cupti.h>

#include <algorithm>
#include <vector>

#include "tracer/recording.h"

namespace gpuscope::tracer {
namespace {

constexpr uint32_t kRuntimeIds[] = {
    CUPTI_RUNTIME_TRACE_CBID_cudaDeviceSynchronize_v3020,   CUPTI_RUNTIME_TRACE_CBID_cudaThreadSynchronize_v3020,
    CUPTI_RUNTIME_TRACE_CBID_cudaStreamSynchronize_v3020,   CUPTI_RUNTIME_TRACE_CBID_cudaStreamSynchronize_ptsz_v7000,
    CUPTI_RUNTIME_TRACE_CBID_cudaEventSynchronize_v3020,    CUPTI_RUNTIME_TRACE_CBID_cudaStreamWaitEvent_v3020,
    CUPTI_RUNTIME_TRACE_CBID_cudaStreamWaitEvent_ptsz_v7000,
};
constexpr uint32_t kDriverIds[] = {
    CUPTI_DRIVER_TRACE_CBID_cuCtxSynchronize,      CUPTI_DRIVER_TRACE_CBID_cuCtxSynchronize_v2,
    CUPTI_DRIVER_TRACE_CBID_cuStreamSynchronize,   CUPTI_DRIVER_TRACE_CBID_cuStreamSynchronize_ptsz,
    CUPTI_DRIVER_TRACE_CBID_cuEventSynchronize,    CUPTI_DRIVER_TRACE_CBID_cuStreamWaitEvent,
    CUPTI_DRIVER_TRACE_CBID_cuStreamWaitEvent_ptsz,
};

SyncCall context() { return {.type = CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_CONTEXT_SYNCHRONIZE}; }

// cudaStreamLegacy / CU_STREAM_LEGACY (0x1) and cudaStreamPerThread /
// CU_STREAM_PER_THREAD (0x2) are not stream objects: they name the default
// stream, which cuptiGetStreamIdEx knows as the null stream with the
// per-thread flag.
SyncCall withStream(SyncCall c, const void* s, bool per_thread) {
  c.has_stream = true;
  c.per_thread_stream = per_thread;
  c.stream = s;
  if (s == reinterpret_cast<const void*>(uintptr_t(1)) || s == reinterpret_cast<const void*>(uintptr_t(2))) {
    c.per_thread_stream = s == reinterpret_cast<const void*>(uintptr_t(2));
    c.stream = nullptr;
  }
  return c;
}

SyncCall stream(const void* s, bool per_thread) {
  return withStream({.type = CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_SYNCHRONIZE}, s, per_thread);
}

SyncCall event(const void* e) {
  return {.type = CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_EVENT_SYNCHRONIZE, .event = e, .has_event = true};
}

SyncCall wait(const void* s, const void* e, bool per_thread) {
  return withStream({.type = CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_WAIT_EVENT, .event = e, .has_event = true},
                    s, per_thread);
}

template <typename P>
const P& as(const void* params) { return *static_cast<const P*>(params); }

SyncCall runtimeCall(uint32_t cbid, const void* p) {
  switch (cbid) {
    case CUPTI_RUNTIME_TRACE_CBID_cudaDeviceSynchronize_v3020:
    case CUPTI_RUNTIME_TRACE_CBID_cudaThreadSynchronize_v3020: return context();
    default: break;
  }
  if (p == nullptr) return {};
  switch (cbid) {
    case CUPTI_RUNTIME_TRACE_CBID_cudaStreamSynchronize_v3020:
      return stream(as<cudaStreamSynchronize_v3020_params>(p).stream, false);
    case CUPTI_RUNTIME_TRACE_CBID_cudaStreamSynchronize_ptsz_v7000:
      return stream(as<cudaStreamSynchronize_ptsz_v7000_params>(p).stream, true);
    case CUPTI_RUNTIME_TRACE_CBID_cudaEventSynchronize_v3020:
      return event(as<cudaEventSynchronize_v3020_params>(p).event);
    case CUPTI_RUNTIME_TRACE_CBID_cudaStreamWaitEvent_v3020: {
      const auto& w = as<cudaStreamWaitEvent_v3020_params>(p);
      return wait(w.stream, w.event, false);
    }
    case CUPTI_RUNTIME_TRACE_CBID_cudaStreamWaitEvent_ptsz_v7000: {
      const auto& w = as<cudaStreamWaitEvent_ptsz_v7000_params>(p);
      return wait(w.stream, w.event, true);
    }
    default: return {};
  }
}

SyncCall driverCall(uint32_t cbid, const void* p) {
  switch (cbid) {
    case CUPTI_DRIVER_TRACE_CBID_cuCtxSynchronize:
    case CUPTI_DRIVER_TRACE_CBID_cuCtxSynchronize_v2: return context();
    default: break;
  }
  if (p == nullptr) return {};
  switch (cbid) {
    case CUPTI_DRIVER_TRACE_CBID_cuStreamSynchronize: return stream(as<cuStreamSynchronize_params>(p).hStream, false);
    case CUPTI_DRIVER_TRACE_CBID_cuStreamSynchronize_ptsz:
      return stream(as<cuStreamSynchronize_ptsz_params>(p).hStream, true);
    case CUPTI_DRIVER_TRACE_CBID_cuEventSynchronize: return event(as<cuEventSynchronize_params>(p).hEvent);
    case CUPTI_DRIVER_TRACE_CBID_cuStreamWaitEvent: {
      const auto& w = as<cuStreamWaitEvent_params>(p);
      return wait(w.hStream, w.hEvent, false);
    }
    case CUPTI_DRIVER_TRACE_CBID_cuStreamWaitEvent_ptsz: {
      const auto& w = as<cuStreamWaitEvent_ptsz_params>(p);
      return wait(w.hStream, w.hEvent, true);
    }
    default: return {};
  }
}

}  // namespace

std::span<const uint32_t> syncCallbackIds(bool driver) {
  if (driver) return kDriverIds;
  return kRuntimeIds;
}

SyncCall syncCallOf(bool driver, uint32_t cbid, const void* params) {
  return driver ? driverCall(cbid, params) : runtimeCall(cbid, params);
}

int64_t EventIds::idOf(const void* event) {
  auto [it, added] = ids_.try_emplace(event, int64_t(ids_.size()) + 1);
  return it->second;
}

size_t clampSyncsToCalls(const model::ApiCallTable& calls, model::SyncTable* syncs) {
  if (syncs->size() == 0) return 0;
  // Syncs are few and API calls many (millions): index the syncs and scan
  // the calls once; the first call of a (pid, correlation id) is theirs.
  std::unordered_map<uint64_t, std::vector<size_t>> waiting;
  for (size_t i = 0; i < syncs->size(); ++i)
    waiting[processCorrelationKey(syncs->pid[i], syncs->correlation_id[i])].push_back(i);
  size_t moved = 0;
  for (size_t c = 0; c < calls.size() && !waiting.empty(); ++c) {
    auto it = waiting.find(processCorrelationKey(calls.pid[c], calls.correlation_id[c]));
    if (it == waiting.end()) continue;
    const int64_t lo = calls.start[c], hi = calls.end[c];
    for (size_t i : it->second) {
      if (hi < lo) break;
      const int64_t start = std::clamp(syncs->start[i], lo, hi);
      const int64_t end = std::clamp(syncs->end[i], start, hi);
      if (start != syncs->start[i] || end != syncs->end[i]) ++moved;
      syncs->start[i] = start;
      syncs->end[i] = end;
    }
    waiting.erase(it);
  }
  return moved;
}

}  // namespace gpuscope::tracer
