// The CUPTI profiler host's configuration of a metric list: Initialize,
// ConfigAddMetrics, GetConfigImageSize + GetConfigImage, GetNumOfPasses.
// The host API needs only a chip name (no GPU), so this is header-only: the
// injection (RangeSession) and the CPU tests (tests/unit/profiler/
// cupti_host_metrics_test.cc, chips by name) build configurations with the
// same code.
#pragma once

#include <cupti_profiler_host.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gpuscope::profiler::inject {

// A zeroed CUPTI parameter struct with its structSize set (every field the
// caller does not set stays 0/NULL, as CUPTI requires for pPriv).
template <typename T>
T params(size_t struct_size) {
  T p{};
  p.structSize = struct_size;
  return p;
}
#define GS_CUPTI_PARAMS(T) ::gpuscope::profiler::inject::params<T>(T##_STRUCT_SIZE)

struct HostConfig {
  CUpti_Profiler_Host_Object* host = nullptr;  // owned: releaseHost()
  std::vector<uint8_t> image;                  // the config image
  size_t passes = 0;                           // 0 when CUPTI could not count them
};

// The CUPTI call that failed (call == nullptr: none) and its result;
// metrics_rejected when it was ConfigAddMetrics (a metric the chip lacks).
struct HostStep {
  const char* call = nullptr;
  CUptiResult result = CUPTI_SUCCESS;
  bool metrics_rejected = false;
};

inline void releaseHost(CUpti_Profiler_Host_Object*& host) {
  if (!host) return;
  auto p = GS_CUPTI_PARAMS(CUpti_Profiler_Host_Deinitialize_Params);
  p.pHostObject = host;
  cuptiProfilerHostDeinitialize(&p);
  host = nullptr;
}

// out = a new host object (left in out.host even when a later call fails,
// for the caller to release), the config image of `metrics` and its passes.
// availability: the context's counter availability image, or nullptr.
inline HostStep buildHostConfig(const char* chip, const uint8_t* availability, const std::vector<const char*>& metrics,
                                HostConfig& out) {
  auto init = GS_CUPTI_PARAMS(CUpti_Profiler_Host_Initialize_Params);
  init.profilerType = CUPTI_PROFILER_TYPE_RANGE_PROFILER;
  init.pChipName = chip;
  init.pCounterAvailabilityImage = availability;
  if (CUptiResult r = cuptiProfilerHostInitialize(&init); r != CUPTI_SUCCESS)
    return {"cuptiProfilerHostInitialize", r};
  out.host = init.pHostObject;
  auto add = GS_CUPTI_PARAMS(CUpti_Profiler_Host_ConfigAddMetrics_Params);
  add.pHostObject = out.host;
  add.ppMetricNames = const_cast<const char**>(metrics.data());
  add.numMetrics = metrics.size();
  if (CUptiResult r = cuptiProfilerHostConfigAddMetrics(&add); r != CUPTI_SUCCESS)
    return {"cuptiProfilerHostConfigAddMetrics", r, true};
  auto size = GS_CUPTI_PARAMS(CUpti_Profiler_Host_GetConfigImageSize_Params);
  size.pHostObject = out.host;
  if (CUptiResult r = cuptiProfilerHostGetConfigImageSize(&size); r != CUPTI_SUCCESS)
    return {"cuptiProfilerHostGetConfigImageSize", r};
  out.image.assign(size.configImageSize, 0);
  auto image = GS_CUPTI_PARAMS(CUpti_Profiler_Host_GetConfigImage_Params);
  image.pHostObject = out.host;
  image.configImageSize = out.image.size();
  image.pConfigImage = out.image.data();
  if (CUptiResult r = cuptiProfilerHostGetConfigImage(&image); r != CUPTI_SUCCESS)
    return {"cuptiProfilerHostGetConfigImage", r};
  auto count = GS_CUPTI_PARAMS(CUpti_Profiler_Host_GetNumOfPasses_Params);
  count.configImageSize = out.image.size();
  count.pConfigImage = out.image.data();
  out.passes = cuptiProfilerHostGetNumOfPasses(&count) == CUPTI_SUCCESS ? count.numOfPasses : 0;
  return {};
}

}  // namespace gpuscope::profiler::inject
