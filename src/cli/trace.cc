// gpuscope trace [options] -- CMD ARGS: record a CUDA program (nsys profile).
// Binds flags to tracer::TraceOptions, runs the driver, prints the summary
// and passes the program's exit code through.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/commands.h"
#include "tracer/driver.h"

namespace gpuscope::cli {
namespace {

struct TraceFlags {
  tracer::TraceOptions options;
  std::string trace_list = "cuda,nvtx";
  std::string graph_trace = "graph";
  std::string capture_range = "none";
};

Status runTraceCommand(TraceFlags& f) {
  tracer::TraceOptions& o = f.options;
  GS_RETURN_IF_ERROR(tracer::parseTraceList(f.trace_list, &o.config));
  GS_RETURN_IF_ERROR(tracer::parseGraphTraceMode(f.graph_trace, &o.config));
  GS_RETURN_IF_ERROR(tracer::parseCaptureRange(f.capture_range, &o.config));
  if (o.command.empty()) return InvalidInput("trace: no command given (usage: gpuscope trace [options] -- CMD ARGS)");
  if (o.delay_s < 0) return InvalidInput("--delay: expected seconds >= 0");
  if (o.duration_s < 0) return InvalidInput("--duration: expected seconds >= 0");
  GS_ASSIGN_OR_RETURN(tracer::TraceSummary summary, tracer::runTrace(o));
  if (!o.quiet) std::fputs(tracer::formatSummary(summary).c_str(), stderr);
  if (summary.exit_code != 0) {
    // main() maps an ok Status to 0; the program's own code must win.
    std::fflush(stdout);
    std::fflush(stderr);
    std::exit(summary.exit_code);
  }
  return OkStatus();
}

}  // namespace

void addTraceCommand(CLI::App& app, Action& action) {
  auto flags = std::make_shared<TraceFlags>();
  tracer::TraceOptions& o = flags->options;
  CLI::App* cmd = app.add_subcommand(
      "trace", "Run a program and record CUDA API calls, kernels, copies, NVTX and graphs "
               "(nsys profile); returns the program's exit code");
  cmd->add_option("-o,--output", o.output,
                  "output .gpuscope file (default: report1.gpuscope, report2.gpuscope, ...)");
  cmd->add_flag("-f,--force", o.force, "overwrite the output if it exists");
  cmd->add_option("-t,--trace", flags->trace_list,
                  "what to trace: cuda, nvtx or both (none: nothing; osrt is not supported)")
      ->capture_default_str();
  cmd->add_option("--cuda-graph-trace", flags->graph_trace,
                  "graph: one record per graph launch; node: every node's kernels/copies")
      ->capture_default_str();
  cmd->add_flag("--cuda-trace-all-apis", o.config.trace_all_apis,
                "also record cheap query APIs called many times per launch (cudaGetDevice, "
                "cudaGetLastError, cuGetProcAddress, ...); costs host time per call (nsys: same)");
  cmd->add_option("-c,--capture-range", flags->capture_range,
                  "record only inside cudaProfilerStart/Stop (cudaProfilerApi) or inside NVTX "
                  "ranges named NAME (nvtx:NAME); none = everything")
      ->capture_default_str();
  cmd->add_option("-y,--delay", o.delay_s, "seconds after launch before recording starts");
  cmd->add_option("-d,--duration", o.duration_s,
                  "seconds to record; the program is then sent SIGTERM (0 = until it exits)");
  cmd->add_option("--inject-lib", o.inject_library,
                  "path of libgpuscope_inject.so (default: beside the gpuscope binary)");
  cmd->add_flag("-q,--quiet", o.quiet, "no summary on stderr");
  cmd->add_option("command", o.command, "program and its arguments (after --)")->required();
  // Everything from the program name on is the program's (nsys profile python x.py -c ...).
  cmd->positionals_at_end();
  cmd->callback([flags, &action] { action = [flags] { return runTraceCommand(*flags); }; });
}

}  // namespace gpuscope::cli
