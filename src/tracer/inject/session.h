// The tracer inside a traced process: one Session per process holding the
// Recording being built, the decoder, the raw file and the writer thread.
// Locks, none ever held while taking another except at fork():
//   buffers' own mutex: activity buffer pool and completed queue (O(1) only;
//     CUPTI requests buffers on application threads);
//   registered_mu: NVTX registered strings (read by NVTX callbacks);
//   ids_mu: nvtxRangeStart ids and synchronization rows waiting for the
//     writer (taken inside mu by the writer, alone by callbacks);
//   mu: the Recording, decoder, encoder and raw file. The writer holds it
//     per chunk of records, so application-thread callbacks that need it
//     (graph capture, nvtxRangeStart ids) wait at most one chunk.
#pragma once

#include <cupti.h>
#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tracer/ab_knobs.h"
#include "tracer/buffer_pool.h"
#include "tracer/config.h"
#include "tracer/graph_nodes.h"
#include "tracer/raw_format.h"
#include "tracer/record_decoder.h"
#include "tracer/recording.h"
#include "tracer/sync_calls.h"

namespace gpuscope::tracer::inject {

// Buffer sizes come from AbKnobs (defaults: 8 MB buffers, CUPTI recommends
// 1-10 MB and nothing was dropped with 8 MB on the H100 reference runs;
// four pre-faulted by the writer thread at start; up to eight idle kept).

struct Session {
  std::mutex mu;
  TracerConfig config;
  AbKnobs ab;  // GPUSCOPE_TRACE_AB: diagnosis switches (ab_knobs.h)
  pid_t pid = 0;
  Recording rec;
  std::unique_ptr<RecordDecoder> decoder;
  std::unique_ptr<GraphNodeTracker> graphs;
  RawEncoder encoder;
  int fd = -1;
  bool write_failed = false;
  std::unordered_set<int64_t> tids_seen;

  std::mutex registered_mu;
  std::unordered_map<uintptr_t, std::string> registered_strings;  // nvtxStringHandle_t -> text

  // nvtxRangeStart* ids, appended by application threads under their own
  // O(1) mutex (never `mu`, which the writer holds while decoding) and
  // moved into `rec` by writePendingLocked.
  std::mutex ids_mu;
  std::vector<int64_t> pending_start_end_ids;
  // Synchronizations seen by callbacks (ab.sync == kCallbacks), under ids_mu
  // too, with the ids given to the events they name.
  std::vector<model::SyncTable::Row> pending_syncs;
  EventIds event_ids;

  std::unique_ptr<ActivityBufferPool> buffers;  // set before CUPTI is told about it

  // The writer: decodes completed buffers as they arrive and calls
  // cuptiActivityFlushAll(0) every flush interval.
  std::thread* flusher = nullptr;  // a pointer: a forked child drops it without joining
  std::atomic<bool> flusher_stop{false};
  bool finished = false;
  // A fork() child of a traced process. CUPTI state copied from a parent
  // that initialized CUDA is unusable, so such a child calls no CUPTI
  // function until its own cuInit reaches InitializeInjection.
  bool forked_child = false;
  // Callbacks are subscribed (cuProfilerStart/Stop can switch collection).
  bool subscribed = false;
  // The CUDA activity kinds are enabled: always, except outside the ranges
  // of a cudaProfilerApi capture. Changed only by the thread calling
  // cuProfilerStart/Stop (and setup).
  std::atomic<bool> collecting{false};
  // API records are enabled per callback id (AbKnobs::api_ids), not by the
  // RUNTIME/DRIVER kinds: what disableCudaKinds must switch off.
  bool api_by_ids = false;
};

// entry_points.cc: switches the CUDA activity kinds (API, kernels, copies,
// syncs, ...) on or off; used at cuProfilerStart/Stop with a cudaProfilerApi
// capture range. Idempotent.
void setCudaCollection(Session* s, bool on);

// The process's session; nullptr until setup() succeeded.
Session* session();

// Idempotent; called from InitializeInjection and InitializeInjectionNvtx2,
// whichever comes first. False when GPUSCOPE_TRACE_DIR is not set (the
// library was loaded outside `gpuscope trace`) or CUPTI refused.
bool setup();

// Creates the session for `config` (setup() does the CUPTI part).
bool setupSession(const TracerConfig& config, const AbKnobs& ab);

// Starts the periodic flusher if it is not running (a fork child that now
// initializes CUDA itself).
void ensureFlusher();

// Writes everything decoded so far to the raw file. Caller holds s->mu.
void writePendingLocked(Session* s);

// Decodes and writes every queued completed buffer, then recycles it.
void drainCompleted(Session* s);

// cuptiActivityFlushAll(flags), then decodes and writes; not from CUPTI
// buffer callbacks.
void flushAll(Session* s, uint32_t flags);

// CUPTI activity buffer callbacks: both O(1), neither takes `mu`.
void CUPTIAPI bufferRequested(uint8_t** buffer, size_t* size, size_t* max_records);
void CUPTIAPI bufferCompleted(CUcontext ctx, uint32_t stream_id, uint8_t* buffer, size_t size,
                              size_t valid_size);

// The one CUPTI callback (all domains).
void CUPTIAPI onCallback(void* userdata, CUpti_CallbackDomain domain, CUpti_CallbackId cbid,
                         const void* cbdata);

// Takes a CUPTI timestamp (ns on the records' clock).
int64_t nowNs();
// True when that clock is ours (chooseClock picked one), not CUPTI's.
bool usingOwnClock();
// "tsc", "monotonic" or "cupti": the clock chooseClock picked (meta
// trace_clock).
const char* clockInUse();

// A/B knob clock=...: picks the clock nowNs() and (once registered with
// cuptiActivityRegisterTimestampCallback) CUPTI use; nullptr for CUPTI's
// own. Called before the session exists, so the process header's clock
// anchor is on the same clock as the records.
CUpti_TimestampCallbackFunc chooseClock(ClockKind kind);

}  // namespace gpuscope::tracer::inject
