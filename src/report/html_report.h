// `gpuscope report`: one self-contained HTML file (no network) with a
// canvas timeline of every device, stream, process and thread, and summary
// pages: stats reports, analyze findings linked to the timeline, the layer
// table and charts. docs/report.md describes the page and its data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/html_escape.h"
#include "base/status.h"
#include "model/trace.h"

namespace gpuscope::report {

struct HtmlReportOptions {
  std::string title;   // page title; default: the source file's name
  std::string source;  // input path, shown in the header
  int64_t gap_min_ns = 10'000;  // GPU idle gaps shown and reported from this length
  size_t stats_rows = 500;      // rows kept per stats report (the rest are counted)
};

struct HtmlReportStats {
  size_t events = 0;  // timeline events embedded
  size_t bytes = 0;   // HTML size
};

// The whole page as text.
StatusOr<std::string> renderHtmlReport(const model::Trace& trace, const HtmlReportOptions& options,
                                       HtmlReportStats* stats = nullptr);

// Renders and writes through AtomicOutput: an existing `path` is refused
// unless `force`; a failed write leaves no partial file.
StatusOr<HtmlReportStats> writeHtmlReport(const model::Trace& trace, const std::string& path, bool force,
                                          const HtmlReportOptions& options);


}  // namespace gpuscope::report
