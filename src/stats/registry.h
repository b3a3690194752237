// The report catalogue: every report by its nsys name (and the pre-2023
// short name), with a one-line description, and the parser for `-r` lists
// such as "cuda_gpu_kern_sum:base,nvtx_sum".
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "stats/context.h"
#include "stats/report_table.h"

namespace gpuscope::stats {

struct ReportOptions {
  std::vector<std::string> args;  // after the name: "base", "mangled"
  bool has(std::string_view a) const;
};

using ReportFn = ReportTable (*)(ReportContext&, const ReportOptions&);

struct ReportInfo {
  const char* name;        // nsys name, e.g. "cuda_gpu_kern_sum"
  const char* old_name;    // e.g. "gpukernsum"; "" if none
  const char* title;       // e.g. "CUDA GPU Kernel Summary"
  const char* description; // one line for --help-reports
  const char* arg_names;   // accepted arguments, e.g. "base|mangled"; "" if none
  ReportFn run;
};

std::span<const ReportInfo> reportCatalogue();
const ReportInfo* findReport(std::string_view name);  // by either name

// nsys's default set, as far as gpuscope has the data (see docs/stats.md).
std::vector<std::string> defaultReportNames();

struct ReportRequest {
  const ReportInfo* info = nullptr;
  ReportOptions options;
};
// Parses "a,b:arg,c". Unknown names or arguments are InvalidInput.
StatusOr<std::vector<ReportRequest>> parseReportList(std::string_view list);

// Runs one report; the table's name is the nsys name.
ReportTable runReport(ReportContext& context, const ReportRequest& request);

}  // namespace gpuscope::stats
