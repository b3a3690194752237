// Reports of a profiled run in ncu's three shapes: the per-kernel console
// layout (--page details), CSV like `ncu --csv` (base units, one row per
// metric) and JSON. Formatting only: values come from KernelMetrics.
#pragma once

#include <string>
#include <string_view>
#include <utility>
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
// [begin, end) of each run of rows with the same section, in order.
std::vector<std::pair<size_t, size_t>> sectionSpans(const std::vector<ReportRow>& rows);

// ncu's number style: thousands separators, two decimals unless the value is
// integral ("113,809", "104,528.34", "100"); "n/a" for NaN. always_decimals:
// two decimals for integers too, as ncu's summaries print ("256.00").
std::string formatNumber(double value, bool always_decimals = false);

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
// ncu's --print-summary per-kernel: launches with the same process, name,
// grid, block and device in one block ("..., Invocations N"), each row's
// Minimum, Maximum and Average over them (summary_format.cc).
std::string formatConsoleSummary(const ProfileRun& run, const ReportSpec& spec);
std::string formatCsv(const ProfileRun& run, const ReportSpec& spec);
std::string formatJson(const ProfileRun& run, const ReportSpec& spec);

// ncu's kernel header "(gx, gy, gz)" / "(bx, by, bz)".
std::string formatDim3(const int64_t dims[3]);

// Helpers of the console layouts (format.cc, summary_format.cc).
// The kernel's device record, or an empty one when its process wrote none.
const DeviceInfo& deviceFor(const ProfileRun& run, const KernelRecord& k);
// "9.0".
std::string ccText(const DeviceInfo& d);
// One section's table as ncu draws it: "    Section: NAME", a rule, the
// header, a rule, the rows, a rule, an empty line. Column widths fit the
// header and every cell; the first column is left-aligned, the others right.
void appendSectionTable(std::string& out, std::string_view section_name, const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& cells);

}  // namespace gpuscope::profiler
