// Several processes' Recordings -> one model::Trace: NVTX pairing, external
// correlation, clock conversion to one trace clock (Unix epoch ns, then made
// relative to the first event; meta time_base_ns keeps the epoch), capture
// windows (--delay/--duration, cudaProfilerApi, nvtx:NAME), de-duplication
// of devices/contexts/streams/threads, and one sort.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "tracer/config.h"
#include "tracer/recording.h"

namespace gpuscope::tracer {

struct MergeOptions {
  // --delay/--duration window, Unix epoch ns; kNull = unbounded.
  int64_t window_begin_epoch_ns = model::kNullI64;
  int64_t window_end_epoch_ns = model::kNullI64;
  CaptureRangeKind capture = CaptureRangeKind::kNone;
  std::string capture_nvtx_name;
  std::string command;  // for meta
};

// Consumes `recordings`. Never fails: damaged or unmatched content is
// counted in the trace's diagnostics.
model::Trace mergeRecordings(std::vector<Recording> recordings, const MergeOptions& options);

// Reads every <pid>.raw file in `dir` (cut files recovered) and merges them.
// InvalidInput if a file cannot be read at all.
StatusOr<model::Trace> mergeRawDirectory(const std::string& dir, const MergeOptions& options);

}  // namespace gpuscope::tracer
