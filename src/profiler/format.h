// Reports of a profiled run in ncu's three shapes: the per-kernel console
// layout (--page details), CSV like `ncu --csv` (base units, one row per
// metric) and JSON. Formatting only: values come from KernelMetrics.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "profiler/record.h"
#include "profiler/sections.h"

namespace gpuscope::profiler {

// What to show: the sections in the order asked for, then --metrics rows.
struct ReportSpec {
  std::vector<const Section*> sections;
  std::vector<std::string> metrics;
};

// One row of a report, in display order: each section's rows, then the
// --metrics rows under "Command line profiler metrics" (section_id empty,
// label = metric name, unit guessed from the name).
struct ReportRow {
  std::string section_id;
  std::string section_name;
  std::string label;
  std::string metric;
  Unit unit;
};
std::vector<ReportRow> reportRows(const ReportSpec& spec);

// ncu's number style: thousands separators, two decimals unless the value is
// integral ("113,809", "104,528.34", "100"); "n/a" for NaN.
std::string formatNumber(double value);

// The unit ncu prints in the console for `value` in `unit`, with the value
// scaled to it (71520 ns -> 71.52 "us"; 1.59e9 hz -> 1.59 "Ghz").
struct Scaled {
  double value;
  std::string unit;
};
Scaled scaleForConsole(double value, Unit unit);
// The base unit name ncu's CSV uses ("ns", "hz", "byte", "%", ...).
std::string baseUnitName(Unit unit);

std::string formatConsole(const ProfileRun& run, const ReportSpec& spec);
std::string formatCsv(const ProfileRun& run, const ReportSpec& spec);
std::string formatJson(const ProfileRun& run, const ReportSpec& spec);

// ncu's kernel header "(gx, gy, gz)" / "(bx, by, bz)".
std::string formatDim3(const int64_t dims[3]);

}  // namespace gpuscope::profiler
