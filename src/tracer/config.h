// What to record, as chosen on the `gpuscope trace` command line and handed
// to every traced process through GPUSCOPE_* environment variables (the
// only channel that survives fork, exec and Python's spawn).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace gpuscope::tracer {

enum class GraphTraceMode { kGraph, kNode };
enum class CaptureRangeKind { kNone, kCudaProfilerApi, kNvtx };

struct TracerConfig {
  bool trace_cuda = true;
  bool trace_nvtx = true;
  bool trace_osrt = false;
  GraphTraceMode graph_mode = GraphTraceMode::kGraph;
  CaptureRangeKind capture = CaptureRangeKind::kNone;
  std::string capture_nvtx_name;  // for CaptureRangeKind::kNvtx
  int flush_interval_ms = 250;    // SIGKILL loses at most this much
  // false: hot query APIs (api_filter.h) get no records (nsys's default);
  // true: every runtime and driver call is recorded (--cuda-trace-all-apis).
  bool trace_all_apis = false;
  std::string output_dir;         // where <pid>.raw files go
};

// "cuda,nvtx" -> flags. Unknown names are InvalidInput naming the option.
Status parseTraceList(std::string_view list, TracerConfig* config);
// "graph" | "node".
Status parseGraphTraceMode(std::string_view text, TracerConfig* config);
// "cudaProfilerApi" | "nvtx:NAME" | "none".
Status parseCaptureRange(std::string_view text, TracerConfig* config);

// Environment variable names, shared by the launcher and the injection.
inline constexpr const char* kEnvDir = "GPUSCOPE_TRACE_DIR";
inline constexpr const char* kEnvTrace = "GPUSCOPE_TRACE";
inline constexpr const char* kEnvGraphTrace = "GPUSCOPE_CUDA_GRAPH_TRACE";
inline constexpr const char* kEnvCaptureRange = "GPUSCOPE_CAPTURE_RANGE";
inline constexpr const char* kEnvFlushMs = "GPUSCOPE_FLUSH_MS";
inline constexpr const char* kEnvAllApis = "GPUSCOPE_CUDA_TRACE_ALL_APIS";

// The variables a traced process needs, as NAME=VALUE pairs.
std::vector<std::pair<std::string, std::string>> configToEnv(const TracerConfig& config);
// Reads the variables back; `getenv` is injectable for tests. Bad values are
// InvalidInput (the injection then records nothing rather than guess).
StatusOr<TracerConfig> configFromEnv(const std::function<const char*(const char*)>& getenv);

}  // namespace gpuscope::tracer
