// gpuscope kernels [flags] -- CMD ARGS: per-kernel hardware metrics (ncu's job)
// through the CUPTI range profiler, injected into CMD like `trace`.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/commands.h"
#include "profiler/driver.h"
#include "profiler/options.h"

namespace gpuscope::cli {

void addKernelsCommand(CLI::App& app, Action& action) {
  struct Flags {
    profiler::KernelsOptions o;
    std::vector<std::string> sections;
    std::vector<std::string> metrics;
    bool csv = false;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "kernels", "Profile kernels with hardware counters (CUPTI range profiler; like ncu)");
  cmd->add_option("--set", f->o.set,
                  "ncu's section sets, with the sections gpuscope has: basic (SpeedOfLight, LaunchStats, "
                  "Occupancy), detailed (+ ComputeWorkloadAnalysis, MemoryWorkloadAnalysis, Roofline), full "
                  "(+ SchedulerStats, WarpStateStats); --section adds to it");
  cmd->add_option("--section", f->sections,
                  "sections: SpeedOfLight, LaunchStats, Occupancy, ComputeWorkloadAnalysis, "
                  "MemoryWorkloadAnalysis, SchedulerStats, WarpStateStats, Roofline (comma-separated; "
                  "default: SpeedOfLight,LaunchStats,Occupancy)")
      ->delimiter(',');
  cmd->add_option("--metrics", f->metrics, "extra metrics by full name (comma-separated)")
      ->delimiter(',');
  cmd->add_option("-k,--kernel-name", f->o.kernel_name_regex,
                  "profile only kernels whose name matches this regex (regex:NAME also accepted)");
  cmd->add_option("-s,--launch-skip", f->o.launch_skip,
                  "number of matching kernel launches to skip first");
  cmd->add_option("-c,--launch-count", f->o.launch_count,
                  "number of matching kernel launches to profile");
  cmd->add_option("--cache-control", f->o.cache_control,
                  "all: flush GPU caches before every replay pass (as ncu); none")
      ->check(CLI::IsMember({"all", "none"}));
  cmd->add_option("--clock-control", f->o.clock_control,
                  "base: lock GPU clocks to base while profiling; none")
      ->check(CLI::IsMember({"base", "none"}));
  cmd->add_option("--print-summary", f->o.print_summary,
                  "per-kernel: one block per kernel (name, grid, block) with each metric's minimum, maximum "
                  "and average over its launches, as ncu; none (default): every launch");
  auto* csv = cmd->add_flag("--csv", f->csv, "print ncu-style CSV (one row per metric)");
  auto* json = cmd->add_flag("--json", f->json, "print JSON");
  csv->excludes(json);
  cmd->add_option("-o,--output", f->o.output, "write the report to FILE instead of stdout");
  cmd->add_flag("-f,--force", f->o.force, "overwrite the output file if it exists");
  cmd->add_flag("-q,--quiet", f->o.quiet, "no progress lines on stderr");
  cmd->add_option("--inject-library", f->o.inject_library,
                  "path of libgpuscope_profiler_inject.so (default: next to gpuscope)");
  cmd->add_option("command", f->o.command, "program to profile and its arguments (after --)")
      ->required();
  cmd->callback([f, &action] {
    f->o.sections = f->sections;
    f->o.metrics = f->metrics;
    f->o.format = f->csv    ? profiler::OutputFormat::kCsv
                  : f->json ? profiler::OutputFormat::kJson
                            : profiler::OutputFormat::kConsole;
    action = [f] { return profiler::runKernels(f->o); };
  });
}

}  // namespace gpuscope::cli
