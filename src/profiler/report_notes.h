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

}  // namespace gpuscope::profiler
