#include "tracer/config.h"

#include <charconv>

namespace gpuscope::tracer {

Status parseTraceList(std::string_view list, TracerConfig* c) {
  c->trace_cuda = c->trace_nvtx = c->trace_osrt = false;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(pos, comma - pos);
    if (item == "cuda") {
      c->trace_cuda = true;
    } else if (item == "nvtx") {
      c->trace_nvtx = true;
    } else if (item == "osrt") {
      // OS runtime tracing needs libc interposition, which this tracer does
      // not do; saying so beats writing a trace that silently lacks it.
      return InvalidInput("--trace: 'osrt' (OS runtime tracing) is not supported by gpuscope trace; "
                          "use --trace cuda,nvtx");
    } else if (item == "none") {
    } else {
      return InvalidInput("--trace: expected a comma-separated list of cuda, nvtx, none; got '" +
                          std::string(item) + "'");
    }
    pos = comma + 1;
  }
  return OkStatus();
}

Status parseGraphTraceMode(std::string_view text, TracerConfig* c) {
  if (text == "graph") c->graph_mode = GraphTraceMode::kGraph;
  else if (text == "node") c->graph_mode = GraphTraceMode::kNode;
  else return InvalidInput("--cuda-graph-trace: expected 'graph' or 'node', got '" + std::string(text) + "'");
  return OkStatus();
}

Status parseCaptureRange(std::string_view text, TracerConfig* c) {
  c->capture_nvtx_name.clear();
  if (text == "none" || text.empty()) {
    c->capture = CaptureRangeKind::kNone;
  } else if (text == "cudaProfilerApi") {
    c->capture = CaptureRangeKind::kCudaProfilerApi;
  } else if (text.substr(0, 5) == "nvtx:" && text.size() > 5) {
    c->capture = CaptureRangeKind::kNvtx;
    c->capture_nvtx_name = std::string(text.substr(5));
  } else {
    return InvalidInput("--capture-range: expected 'nvtx:NAME' or 'cudaProfilerApi', got '" +
                        std::string(text) + "'");
  }
  return OkStatus();
}

std::vector<std::pair<std::string, std::string>> configToEnv(const TracerConfig& c) {
  std::string kinds;
  if (c.trace_cuda) kinds += "cuda";
  if (c.trace_nvtx) kinds += kinds.empty() ? "nvtx" : ",nvtx";
  if (kinds.empty()) kinds = "none";
  std::string capture = c.capture == CaptureRangeKind::kCudaProfilerApi ? "cudaProfilerApi"
                        : c.capture == CaptureRangeKind::kNvtx ? "nvtx:" + c.capture_nvtx_name
                                                               : "none";
  return {
      {kEnvDir, c.output_dir},
      {kEnvTrace, kinds},
      {kEnvGraphTrace, c.graph_mode == GraphTraceMode::kNode ? "node" : "graph"},
      {kEnvCaptureRange, capture},
      {kEnvFlushMs, std::to_string(c.flush_interval_ms)},
      {kEnvAllApis, c.trace_all_apis ? "1" : "0"},
  };
}

StatusOr<TracerConfig> configFromEnv(const std::function<const char*(const char*)>& getenv) {
  TracerConfig c;
  const char* dir = getenv(kEnvDir);
  if (dir == nullptr || *dir == '\0') return InvalidInput(std::string(kEnvDir) + " is not set");
  c.output_dir = dir;
  if (const char* v = getenv(kEnvTrace)) GS_RETURN_IF_ERROR(parseTraceList(v, &c));
  if (const char* v = getenv(kEnvGraphTrace)) GS_RETURN_IF_ERROR(parseGraphTraceMode(v, &c));
  if (const char* v = getenv(kEnvCaptureRange)) GS_RETURN_IF_ERROR(parseCaptureRange(v, &c));
  if (const char* v = getenv(kEnvFlushMs)) {
    std::string_view s(v);
    int ms = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), ms);
    if (ec != std::errc() || end != s.data() + s.size() || ms < 1 || ms > 600000)
      return InvalidInput(std::string(kEnvFlushMs) + ": expected milliseconds 1..600000, got '" +
                          std::string(s) + "'");
    c.flush_interval_ms = ms;
  }
  if (const char* v = getenv(kEnvAllApis)) {
    std::string_view s(v);
    if (s != "0" && s != "1")
      return InvalidInput(std::string(kEnvAllApis) + ": expected 0 or 1, got '" + std::string(s) + "'");
    c.trace_all_apis = s == "1";
  }
  return c;
}

}  // namespace gpuscope::tracer
