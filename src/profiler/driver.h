// The parent side of `gpuscope kernels`: check the environment, run the
// command with the injection library (CUDA_INJECTION64_PATH), collect the
// per-process result files, turn them into a report. Errors follow DESIGN.md:
// exit 2 for bad flags or an unsupported metric, 3 for no GPU or no counter
// permission; nothing is written on error.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "profiler/format.h"
#include "profiler/options.h"
#include "profiler/record.h"

namespace gpuscope::profiler {

// Environment variables the parent passes to the injection library.
inline constexpr const char* kEnvDir = "GPUSCOPE_PROFILER_DIR";
inline constexpr const char* kEnvMetrics = "GPUSCOPE_PROFILER_METRICS";
inline constexpr const char* kEnvKernelRegex = "GPUSCOPE_PROFILER_KERNEL_REGEX";
inline constexpr const char* kEnvLaunchSkip = "GPUSCOPE_PROFILER_LAUNCH_SKIP";
inline constexpr const char* kEnvLaunchCount = "GPUSCOPE_PROFILER_LAUNCH_COUNT";
inline constexpr const char* kEnvCacheControl = "GPUSCOPE_PROFILER_CACHE_CONTROL";
inline constexpr const char* kEnvQuiet = "GPUSCOPE_PROFILER_QUIET";
// "0": CUPTI's kernel replay even under cache control (the timing run; an
// A/B switch for the main run).
inline constexpr const char* kEnvUserReplay = "GPUSCOPE_PROFILER_USER_REPLAY";
inline constexpr const char* kInjectLibraryName = "libgpuscope_profiler_inject.so";

// What a validated set of options asks for: the report rows and the CUPTI
// metrics the injected process must configure.
struct ProfilePlan {
  ReportSpec spec;
  std::vector<std::string> counters;
  bool kernel_replay = false;  // the timing run (collection_plan.h)
};
StatusOr<ProfilePlan> planProfile(KernelsOptions& options);

// The environment (NAME=VALUE) for the profiled command: the current
// environment plus the injection settings.
std::vector<std::string> injectionEnvironment(const KernelsOptions& options,
                                              const ProfilePlan& plan,
                                              const std::string& inject_library,
                                              const std::string& results_dir,
                                              char** base_env);

// Reads every result file in `dir` (sorted by name) into one run, then maps
// the errors the injected processes reported to a Status (permission and
// environment: exit 3; metric: exit 2).
StatusOr<ProfileRun> collectResults(const std::string& dir);
Status checkRunErrors(const ProfileRun& run);

// per_kernel_summary: ncu's --print-summary per-kernel (console only).
std::string renderReport(const ProfileRun& run, const ReportSpec& spec, OutputFormat format,
                         bool per_kernel_summary = false);

Status runKernels(KernelsOptions options);

}  // namespace gpuscope::profiler
