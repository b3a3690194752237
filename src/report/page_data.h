// The page's data: a JSON header (tracks, strings, summaries, findings,
// stats tables, chart series) and the timeline's integer columns as one
// compressed binary blob. Every trace string goes through
// exporters::appendJsonString, which escapes < > & so no text can close the
// <script> element holding it.
#pragma once

#include <string>

#include "analysis/analysis.h"
#include "base/status.h"
#include "model/trace.h"
#include "report/html_report.h"
#include "report/timeline_data.h"

namespace gpuscope::report {

struct PageData {
  std::string json;         // for <script type="application/json" id="gs-data">
  std::string blob_base64;  // gzip of the varint columns, base64
  size_t events = 0;
};

// Column order and encoding of the blob (the page reads the names from the
// JSON header): start as the delta from the previous event's start in the
// same track (first: from t0), then dur, name, info, layer, kind, depth,
// and link + 1 (0 = none).
StatusOr<PageData> buildPageData(const model::Trace& trace, const TimelineData& timeline,
                                 const analysis::AnalysisReport& analysis, const HtmlReportOptions& options);

// GPU utilisation in `bins` equal bins of [t0, t1): the busy share per bin
// of each device's merged ops, 0..1 (exact interval arithmetic).
std::vector<double> utilisationBins(const TimelineData& timeline, size_t track, int64_t t0, int64_t t1,
                                    size_t bins);

}  // namespace gpuscope::report
