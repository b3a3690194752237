// The `gpuscope trace` driver: runs a command with the injection library in
// its environment, forwards SIGINT/SIGTERM, applies --delay/--duration,
// merges the per-process raw files and writes one .gpuscope atomically.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "tracer/config.h"

namespace gpuscope::tracer {

struct TraceOptions {
  std::vector<std::string> command;  // CMD ARGS
  std::string output;                // .gpuscope path
  bool force = false;
  bool quiet = false;
  TracerConfig config;
  double delay_s = 0;     // ignore events in the first delay_s seconds
  double duration_s = 0;  // 0 = until the program exits; else SIGTERM it after delay+duration
  std::string inject_library;  // empty = next to the gpuscope binary (or $GPUSCOPE_INJECT_LIB)
  // Tests run the driver on a machine without a GPU, with a stand-in
  // program that writes raw files itself; users never turn this off.
  bool check_environment = true;
};

struct TraceSummary {
  int exit_code = 0;         // the program's: its exit status, or 128+signal
  std::string output;        // written .gpuscope
  size_t processes = 0;
  size_t kernels = 0, memcpys = 0, memsets = 0, syncs = 0, api_calls = 0, nvtx = 0;
  size_t graph_launches = 0, graph_nodes = 0;
  int64_t duration_ns = 0;       // first to last event
  int64_t dropped_records = 0;   // CUPTI buffer exhaustion, all processes
  int64_t recovered_bytes_lost = 0;  // bytes cut from damaged raw files
  std::vector<std::string> warnings;
};

// Finds libgpuscope_inject.so: `explicit_path`, else $GPUSCOPE_INJECT_LIB,
// else beside the running executable. EnvironmentError when absent.
StatusOr<std::string> findInjectionLibrary(const std::string& explicit_path);

// Checks that a CUDA driver and CUPTI can be loaded (EnvironmentError, exit 3).
Status checkTracingEnvironment(const std::string& inject_library);

StatusOr<TraceSummary> runTrace(const TraceOptions& options);

// One paragraph for stderr: counts, duration, dropped records, output path.
std::string formatSummary(const TraceSummary& s);

}  // namespace gpuscope::tracer
