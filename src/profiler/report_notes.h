// Warnings about how a report's values were obtained, added to the run's
// warnings before it is printed or stored.
#pragma once

#include <string>

#include "profiler/format.h"
#include "profiler/record.h"

namespace gpuscope::profiler {

// When the report shows Shared Memory Configuration Size or Block Limit
// Shared Mem and some kernels have no kernel activity record of their
// launch (the driver's chosen configuration: under kernel replay, i.e.
// --cache-control none, the measured launch is the application's own and is
// not instrumented for it, launch_activity.h), one line saying for how many
// kernels those two values are estimates; "" otherwise.
std::string sharedMemoryEstimateWarning(const ProfileRun& run, const ReportSpec& spec);

// When a hit rate the report shows (L1/TEX or L2 Hit Rate, or one asked for
// with --metrics) is above 100 % for some kernel, one line naming how many
// values and the first; "" otherwise. A hit rate is one CUPTI metric, but
// its hit and lookup counters need more than one pass, so they come from
// different runs of the kernel; for kernels of a few microseconds those runs
// can disagree (H200 runs Z13-Z18: L2 Hit Rate 194-214 % on a one-block
// reduction of 3.5 us; ncu read 35 %).
std::string hitRateAbove100Warning(const ProfileRun& run, const ReportSpec& spec);

}  // namespace gpuscope::profiler
