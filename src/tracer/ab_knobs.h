// Diagnosis knobs for the tracer's overhead (issue 4): GPUSCOPE_TRACE_AB, a
// comma-separated list of TOKEN or TOKEN=VALUE read by the injection
// library, switches each suspected per-launch cost on or off independently
// so one GPU run can A/B them (scripts/gpu/overhead_ab2.sh). Not a user
// option: several knobs drop data (no_decode, driver=0, ...). The knobs
// applied are written to meta.trace_ab, so a trace says how it was made.
//
// Tokens (default in brackets; docs/trace.md "Overhead" has the reasons):
//   driver=0|1          [1] enable the DRIVER activity kind
//   filter=ours|kineto|none [ours] per-callback-id API filter (kineto: its 4 ids)
//   zeroed=0|1          [1] CUPTI_ACTIVITY_ATTR_ZEROED_OUT_ACTIVITY_BUFFER
//   tid=system|default  [system] cuptiSetThreadIdType(SYSTEM) or CUPTI's default
//   per_thread=0|1      [CUPTI's default] PER_THREAD_ACTIVITY_BUFFER
//   buf_kb=N            [8192] activity buffer size (64..262144)
//   prefill=N           [4] buffers pre-faulted by the writer (0..64)
//   max_idle=N          [8] idle buffers kept (0..256)
//   dev_buf_kb=N        [CUPTI's] DEVICE_BUFFER_SIZE (256..1048576)
//   flush=ours|cupti|none [ours] periodic flush: our cuptiActivityFlushAll(0)
//                       every GPUSCOPE_FLUSH_MS, cuptiActivityFlushPeriod, or none
//   nvtx_cb=domain|ids|off [domain] NVTX callbacks: whole domain, only the ids we
//                       handle (untested on a GPU yet: overhead_ab2.sh checks it), none
//   graph_cb=0|1        [1] graph-node / instantiate callbacks
//   reset_cb=0|1        [1] cudaDeviceReset entry callback (a forced flush;
//                       CONTEXT_DESTROY_STARTING, a RESOURCE callback, flushes too)
//   subscribe=0|1       [1] cuptiSubscribe at all (0: no callbacks of any kind)
//   sync=cb|kind|0      [cb] synchronizations from callbacks on the synchronizing
//                       calls (sync_calls.h), CUPTI's SYNCHRONIZATION kind
//                       (costs every launch), or none
//   extcorr=0|1         [1] EXTERNAL_CORRELATION kind
//   graph_trace=0|1     [1] GRAPH_TRACE kind in graph mode
//   kernel_first=0|1    [0] enable GPU kinds before RUNTIME/DRIVER
//   api=0|1             [1] RUNTIME/DRIVER kinds at all (0: no API records)
//   api_ids=0|1         [1] 1: API records through per-callback-id enables
//                       (cuptiActivityEnableRuntimeApi/DriverApi) with the
//                       RUNTIME/DRIVER kinds left off; 0: the kinds, with the
//                       hot queries disabled per id. A cudaProfilerApi
//                       capture range always uses the kinds (entry_points.cc)
//   kernels=0|1         [1] CONCURRENT_KERNEL kind (0: no kernel records)
//   memcpy=0|1          [1] MEMCPY kind (0: no copy records)
//   memset=0|1          [1] MEMSET kind (0: no memset records)
//   decode=0|1          [1] 0: the writer recycles buffers without decoding
//   dropped_query=0|1   [1] cuptiActivityGetNumDroppedRecords per completed buffer
//   writer_nice=N       [0] nice value of the writer thread (0..19)
//   clock=cupti|monotonic|tsc [cupti] CUPTI's own clock (CLOCK_REALTIME),
//                       or cuptiActivityRegisterTimestampCallback with
//                       CLOCK_MONOTONIC or the TSC (Kineto's default; no
//                       gain beyond the noise in four H200 runs, see
//                       docs/trace.md. Only where the kernel's clocksource
//                       is tsc, else CUPTI's own clock is kept; ours
//                       is scaled with a rate measured over ~20 ms at
//                       start; the merge corrects the drift through clock
//                       anchors written at every flush, clock_map.h)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace gpuscope::tracer {

inline constexpr const char* kEnvTraceAb = "GPUSCOPE_TRACE_AB";

enum class ApiFilterKind { kOurs, kKineto, kNone };
enum class FlushKind { kOurs, kCupti, kNone };
enum class NvtxCallbackKind { kIds, kDomain, kOff };
enum class ClockKind { kCupti, kMonotonic, kTsc };
enum class SyncKind { kCallbacks, kActivity, kOff };

struct AbKnobs {
  bool driver = true;
  ApiFilterKind filter = ApiFilterKind::kOurs;
  bool zeroed = true;
  bool tid_system = true;
  int per_thread = -1;          // -1: leave CUPTI's default
  size_t buffer_bytes = 8u << 20;
  size_t prefill = 4;
  size_t max_idle = 8;
  size_t device_buffer_bytes = 0;  // 0: leave CUPTI's default
  FlushKind flush = FlushKind::kOurs;
  NvtxCallbackKind nvtx_cb = NvtxCallbackKind::kDomain;
  bool graph_cb = true;
  bool reset_cb = true;
  bool subscribe = true;
  SyncKind sync = SyncKind::kCallbacks;
  bool extcorr = true;
  bool graph_trace = true;
  bool kernel_first = false;
  bool api = true;
  bool api_ids = true;
  bool kernels = true;
  bool memcpy_kind = true;
  bool memset_kind = true;
  bool decode = true;
  bool dropped_query = true;
  int writer_nice = 0;
  ClockKind clock = ClockKind::kCupti;

// The knobs that differ from the defaults, in token syntax ("" when none).
  std::string describe() const;
};

// "cupti", "monotonic" or "tsc".
const char* clockName(ClockKind kind);

// Parses the GPUSCOPE_TRACE_AB value ("" or nullptr-equivalent: defaults).
// Unknown tokens and out-of-range values are InvalidInput naming the token.
StatusOr<AbKnobs> parseAbKnobs(std::string_view text);

}  // namespace gpuscope::tracer
