// The tracer inside a traced process: one Session per process holding the
// Recording being built, the decoder, the raw file and the flush thread.
// Everything that touches shared state takes `mu`; CUPTI may complete
// buffers on several threads at once (per-thread buffers, CUDA 13).
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

#include "tracer/config.h"
#include "tracer/graph_nodes.h"
#include "tracer/raw_format.h"
#include "tracer/record_decoder.h"
#include "tracer/recording.h"

namespace gpuscope::tracer::inject {

struct Session {
  std::mutex mu;
  TracerConfig config;
  pid_t pid = 0;
  Recording rec;
  std::unique_ptr<RecordDecoder> decoder;
  std::unique_ptr<GraphNodeTracker> graphs;
  RawEncoder encoder;
  int fd = -1;
  bool write_failed = false;
  std::unordered_set<int64_t> tids_seen;
  std::unordered_map<uintptr_t, std::string> registered_strings;  // nvtxStringHandle_t -> text

  std::vector<uint8_t*> free_buffers;  // activity buffers for reuse

  std::thread* flusher = nullptr;  // a pointer: a forked child drops it without joining
  std::condition_variable flusher_cv;
  bool flusher_stop = false;
  bool finished = false;
  // A fork() child of a traced process. CUPTI state copied from a parent
  // that initialized CUDA is unusable, so such a child calls no CUPTI
  // function until its own cuInit reaches InitializeInjection.
  bool forked_child = false;
};

// The process's session; nullptr until setup() succeeded.
Session* session();

// Idempotent; called from InitializeInjection and InitializeInjectionNvtx2,
// whichever comes first. False when GPUSCOPE_TRACE_DIR is not set (the
// library was loaded outside `gpuscope trace`) or CUPTI refused.
bool setup();

// Creates the session for `config` (setup() does the CUPTI part).
bool setupSession(const TracerConfig& config);

// Starts the periodic flusher if it is not running (a fork child that now
// initializes CUDA itself).
void ensureFlusher();

// Writes everything decoded so far to the raw file. Caller holds s->mu.
void writePendingLocked(Session* s);

// cuptiActivityFlushAll(flags), then writes; not from CUPTI buffer callbacks.
void flushAll(Session* s, uint32_t flags);

// CUPTI activity buffer callbacks.
void CUPTIAPI bufferRequested(uint8_t** buffer, size_t* size, size_t* max_records);
void CUPTIAPI bufferCompleted(CUcontext ctx, uint32_t stream_id, uint8_t* buffer, size_t size,
                              size_t valid_size);

// The one CUPTI callback (all domains).
void CUPTIAPI onCallback(void* userdata, CUpti_CallbackDomain domain, CUpti_CallbackId cbid,
                         const void* cbdata);

// Takes a CUPTI timestamp (ns on the records' clock).
int64_t nowNs();

}  // namespace gpuscope::tracer::inject
