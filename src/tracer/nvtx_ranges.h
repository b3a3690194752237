// Turns one process's NVTX marker records into finished nvtx rows: pairs
// START rows with their END records (which may come in a later buffer or
// from another thread), applies MARKER_DATA colours and categories, tells
// push/pop from start/end ranges and computes push/pop nesting depth.
//
// CUPTI's MARKER records do not say whether a range was pushed or started.
// A range is start/end when its id was returned by nvtxRangeStart* (the
// injection records those ids), when it ended on another thread, or when
// it does not nest with the other ranges of its thread and domain (push/pop
// ranges always nest). Otherwise it is push/pop.
#pragma once

#include "tracer/recording.h"

namespace gpuscope::tracer {

void resolveNvtxRanges(Recording* rec);

}  // namespace gpuscope::tracer
