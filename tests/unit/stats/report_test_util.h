// Helpers the stats report tests share: run a report by its -r spec, find a
// column by label, list the column labels.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stats/context.h"
#include "stats/registry.h"
#include "stats/report_table.h"

namespace gpuscope::stats::testing {

inline ReportTable runSpec(ReportContext& ctx, const std::string& spec) {
  auto reqs = parseReportList(spec);
  EXPECT_TRUE(reqs.ok()) << reqs.status().message();
  return runReport(ctx, reqs->at(0));
}

// The column labelled `label`; a test failure (and column 0) when there is none.
inline size_t col(const ReportTable& t, const std::string& label) {
  for (size_t c = 0; c < t.columnCount(); ++c) {
    if (t.columns()[c].label == label) return c;
  }
  ADD_FAILURE() << "no column " << label << " in " << t.name();
  return 0;
}

inline std::vector<std::string> labels(const ReportTable& t) {
  std::vector<std::string> out;
  for (const auto& c : t.columns()) out.push_back(c.label);
  return out;
}

}  // namespace gpuscope::stats::testing
