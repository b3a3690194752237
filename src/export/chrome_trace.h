// Chrome / Perfetto trace JSON ("JSON Object Format") for ui.perfetto.dev
// and chrome://tracing. The row layout is described in chrome_rows.h and
// docs/export.md; the text is streamed, never built as a document.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "export/buffered_writer.h"
#include "model/trace.h"

namespace gpuscope::exporters {

struct ChromeTraceStats {
  uint64_t events = 0;         // every JSON event written, metadata included
  uint64_t slices = 0;         // "X" (and unclosed "B") events
  uint64_t flows = 0;          // "s"/"f" pairs' ends written ("f" counted per GPU op)
  uint64_t overlap_slices = 0; // slices moved to an overlap row to keep nesting valid
  uint64_t bytes = 0;
};

// Writes the whole JSON text to `w` (not finished: the caller calls
// w.finish()). Any table may be empty.
ChromeTraceStats writeChromeTrace(const model::Trace& trace, BufferedWriter& w);

// Writes `path` atomically; gzip-compressed when the path ends in ".gz".
// Fails with InvalidInput if `path` exists and !force, or on a write error
// (nothing is left behind).
StatusOr<ChromeTraceStats> exportChromeTrace(const model::Trace& trace, const std::string& path,
                                             bool force);

}  // namespace gpuscope::exporters
