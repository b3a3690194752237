// ncu's guidance rules, for the sections gpuscope has: after a section's
// table ncu prints what its values suggest (OPT: an optimization
// opportunity, with an estimated speedup when it can bound one; INF: a
// finding), and --csv gives them as rule rows. The thresholds and speedup
// formulas are ncu's (its section rule scripts; checked against ncu 2025.3's
// rule rows for the 24 kernels of H200 run Z26 and the 24 of run Z25, see
// docs/kernels.md "Rules"); the wording is gpuscope's own.
//
// Rules of one section read only values that section (or LaunchStats /
// Occupancy, computed from the launch) provides; a rule whose inputs are
// missing (a metric the chip lacks, a section not requested) is skipped.
// ncu also passes bounds between rules: with SchedulerStats in the report,
// the occupancy and stall estimates become global, bounded by
// IssueSlotUtilization's (checked for CPIStall against ncu's rows; the same
// mechanism for the occupancy rules). ncu's bounds from Speed Of Light
// (IssueSlotUtilization and ThreadDivergence scaled by the throughputs) are
// not applied: those estimates stay the rule's own, local.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "profiler/evaluate.h"
#include "profiler/format.h"

namespace gpuscope::profiler {

struct RuleResult {
  std::string section_id;    // "SpeedOfLight": where ncu prints it
  std::string name;          // ncu's rule identifier, "SOLBottleneck"
  std::string type;          // "OPT" or "INF"
  std::string title;         // ncu's name of the finding ("Small Grid", "Tail Effect"), or empty
  std::string description;   // one paragraph
  std::string speedup_type;  // "local", "global", or empty (no estimate)
  double speedup = 0;        // percent of the kernel's (local: the unit's) time
};

// A metric's value by its full name (nullopt: not there).
using MetricLookup = std::function<std::optional<double>(std::string_view metric)>;

// The rules of the sections in spec that fire for this kernel, grouped by
// section in spec's order. max_warps_per_scheduler: the hardware's (16 on
// Volta to Hopper).
std::vector<RuleResult> applyRules(const MetricLookup& value, double max_warps_per_scheduler,
                                   const ReportSpec& spec);
std::vector<RuleResult> applyRules(const KernelMetrics& metrics, const DeviceInfo& device, const ReportSpec& spec);

// A speedup as ncu's CSV writes it: two decimals, trailing zeros dropped
// ("25.61", "87.5", "50").
std::string formatSpeedup(double percent);

}  // namespace gpuscope::profiler
