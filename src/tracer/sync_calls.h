// CUDA synchronization calls seen through API callbacks instead of CUPTI's
// SYNCHRONIZATION activity kind. On the H200 that kind costs the program
// time on every launch, not only on synchronizations: an empty-kernel loop
// gained +1.76 us per launch traced with it and +1.17 us without, and the
// PyTorch small-op loop 1.244x vs 1.123x (tests/gpu/evidence/
// 2026-11-30-trace-overhead/xproc-K-pinned). Callbacks on the handful of
// synchronizing calls cost nothing elsewhere and give the same row: the
// call's host interval, its correlation id (the API record's), context,
// stream and event. Not-ready queries (cudaStreamQuery, cudaEventQuery) are
// left out, as cuptiActivityEnableAllSyncRecords(0) leaves them out.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>

#include "model/tables.h"

namespace gpuscope::tracer {

// One synchronizing call's arguments, decoded from its callback's params.
struct SyncCall {
  int32_t type = 0;  // CUpti_ActivitySynchronizationType; 0: not a synchronization
  const void* stream = nullptr;  // waiting / synchronized stream (has_stream)
  const void* event = nullptr;   // waited-on event (has_event)
  bool has_stream = false;
  bool has_event = false;
  bool per_thread_stream = false;  // a _ptsz entry point (default stream per thread)
};

// The runtime (driver=false) or driver API callback ids that synchronize.
std::span<const uint32_t> syncCallbackIds(bool driver);

// Which synchronization `cbid` is and its stream/event arguments; `params`
// is the callback's functionParams (may be null for calls without any).
SyncCall syncCallOf(bool driver, uint32_t cbid, const void* params);

// One thread's synchronizing call in progress. A runtime call that reaches
// the driver's callback too (cudaStreamSynchronize -> cuStreamSynchronize)
// is one synchronization, timed by the outermost call; an exit without its
// enter (tracing began inside the call) ends nothing.
class SyncCallTracker {
 public:
  void enter(int64_t now) {
    if (depth_++ == 0) start_ = now;
  }
  // The outermost call's start when this exit ends it.
  std::optional<int64_t> exit() {
    if (depth_ == 0 || --depth_ != 0) return std::nullopt;
    return start_;
  }

 private:
  int depth_ = 0;
  int64_t start_ = 0;
};

// Small ids for event handles, assigned on first sight, as CUPTI numbers
// events in its records. A handle reused after cudaEventDestroy keeps its
// id. Not thread-safe: the caller serializes.
class EventIds {
 public:
  int64_t idOf(const void* event);

 private:
  std::unordered_map<const void*, int64_t> ids_;
};

// A synchronization from callbacks is timed by our enter and exit
// callbacks, CUPTI's API record of the same call by CUPTI's own timestamps
// around them, so the two intervals differ by the callbacks' run time and,
// when the thread is preempted in between, by more (H200 run P: one of five
// rows outside its call by over 1 us). The wait happens inside the call:
// each sync row whose API call (same pid and correlation id) is in the trace
// is cut to that call's interval. Returns how many rows moved.
size_t clampSyncsToCalls(const model::ApiCallTable& calls, model::SyncTable* syncs);

}  // namespace gpuscope::tracer
