// Options of `gpuscope kernels`, parsed once by the CLI and validated here so
// that the rules (which sections exist, which values a flag takes) are
// testable without a GPU and without CLI11.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace gpuscope::profiler {

enum class OutputFormat { kConsole, kCsv, kJson };

struct KernelsOptions {
  std::string set;                    // basic | detailed | full (ncu's --set), added to sections
  std::vector<std::string> sections;  // section identifiers (SpeedOfLight, ...)
  std::vector<std::string> metrics;   // extra metric names (CUPTI or launch__*)
  std::string kernel_name_regex;      // ECMAScript regex on the mangled or demangled name
  int64_t launch_skip = 0;            // matching launches to skip before profiling
  int64_t launch_count = -1;          // matching launches to profile (-1: all)
  std::string cache_control = "all";  // all | none
  std::string clock_control = "base";  // base | none
  OutputFormat format = OutputFormat::kConsole;
  std::string print_summary = "none";  // none | per-kernel (ncu's --print-summary; console only)
  std::string output;  // empty: stdout
  bool force = false;
  bool quiet = false;
  std::string inject_library;  // override; default: next to the gpuscope binary
  std::vector<std::string> command;
};

// Splits "a,b , c" into {"a","b","c"}; empty items are dropped.
std::vector<std::string> splitList(const std::string& text);

// Checks flag values and expands defaults: --set puts its sections before
// any --section ones (ncu's sets, with the sections gpuscope has:
// setSections); no --set, --section or --metrics means ncu's basic set
// (LaunchStats, Occupancy, SpeedOfLight). Unknown sections,
// malformed metric names, bad flag values and an empty command are
// InvalidInput (exit 2).
Status validateOptions(KernelsOptions& options);

// The sections of ncu's set `name` that gpuscope has, in ncu's order; empty
// for an unknown name. basic: SpeedOfLight, LaunchStats, Occupancy (ncu's
// also has WorkloadDistribution); detailed: basic + ComputeWorkloadAnalysis,
// MemoryWorkloadAnalysis, Roofline (ncu's also MemoryWorkloadAnalysis_Chart,
// SourceCounters); full: detailed + SchedulerStats, WarpStateStats (ncu's
// also InstructionStats, MemoryWorkloadAnalysis_Tables, NumaAffinity, the
// NVLink tables, PmSampling and the hierarchical roofline charts).
std::vector<std::string> setSections(std::string_view name);

}  // namespace gpuscope::profiler
