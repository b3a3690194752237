// What one traced process recorded: model rows on that process's clock plus
// the pieces that only make sense once the whole run is known (NVTX range
// ends arrive in a later buffer than their starts, capture-range edges,
// external correlation ids). The injection fills one Recording and appends
// it to <dir>/<pid>.raw in pieces; the reader rebuilds it; merge.h turns
// several into one model::Trace.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/trace.h"

namespace gpuscope::tracer {

// One hash key for (process, correlation id): correlation ids are unique
// only within a process. Used where the merged trace's GPU rows and
// synchronizations are matched to their API calls (merge.cc, sync_calls.cc).
inline uint64_t processCorrelationKey(int64_t pid, int64_t correlation) {
  return (uint64_t(pid) << 32) ^ uint64_t(correlation);
}

// The end of an NVTX range whose start row (nvtx.range_id == range_id) may
// have been written earlier.
struct NvtxRangeEnd {
  int64_t range_id = 0;
  int64_t time = 0;
  int64_t tid = model::kNullI64;
};

// Colour/category of an NVTX event, joined to it by range id (CUPTI
// delivers MARKER_DATA as a separate record).
struct NvtxMarkerData {
  int64_t range_id = 0;
  int64_t color = model::kNullI64;  // ARGB, kNull if none
  int32_t category = 0;
};

// cudaProfilerStart (begin) / cudaProfilerStop (end), on the process clock.
struct CaptureEdge {
  int64_t time = 0;
  bool begin = true;
};

struct ExternalCorrelation {
  int64_t correlation_id = 0;
  int64_t external_id = 0;
};

// A process clock reading and CLOCK_REALTIME read right after it
// (clock_map.h).
struct ClockAnchor {
  int64_t clock_ns = 0;
  int64_t epoch_ns = 0;
};

// Written first in every raw file: who the process is and how its clock
// maps to the Unix epoch (CUPTI's clock is CLOCK_REALTIME by default, but
// the anchor makes the merge right whatever clock CUPTI used).
struct ProcessInfo {
  int64_t pid = 0;
  int64_t ppid = 0;
  int64_t clock_ns = 0;  // process clock (cuptiGetTimestamp) ...
  int64_t epoch_ns = 0;  // ... and CLOCK_REALTIME read at the same moment
  std::string command;
};

struct Recording {
  std::vector<ProcessInfo> process;  // 0 or 1 entries (a file cut before it has none)
  model::Trace rows;                 // nvtx rows of ranges: end = kNull until paired
  std::vector<NvtxRangeEnd> nvtx_ends;
  std::vector<NvtxMarkerData> marker_data;
  std::vector<int64_t> start_end_range_ids;  // ids returned by nvtxRangeStart*
  std::vector<CaptureEdge> capture_edges;
  std::vector<ExternalCorrelation> external;
  // Anchors after the process frame's: written at each flush and at exit
  // when the process clock is not CUPTI's own (clock_map.h).
  std::vector<ClockAnchor> clock_anchors;
  int64_t bytes_lost = 0;  // reader: bytes after the last whole frame

  // Drops everything but the string table, whose ids stay valid (the raw
  // writer emits each string once per file).
  void clearEvents();
};

}  // namespace gpuscope::tracer
