// A self-contained offline HTML report card for one engine (TREx's notebook
// report card as one file): overview, latency by type and by layer, precision
// split, memory footprint, convolution efficiency, lint findings, timing and
// the layer graph. Charts are inline SVG drawn here; a small inline script
// only sorts and filters tables. No network access, no external files.
#pragma once

#include <optional>
#include <string>

#include "base/status.h"
#include "explore/engine_plan.h"
#include "explore/timing.h"

namespace gpuscope::explore {

struct ReportOptions {
  bool include_graph = true;
  std::optional<TimingSummary> timing;
};

StatusOr<std::string> renderReportCard(const EnginePlan& plan, const ReportOptions& options);

}  // namespace gpuscope::explore
