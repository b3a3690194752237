#include "inject/range_session.h"

#include <cupti_profiler_target.h>
#include <cupti_result.h>
#include <cupti_target.h>

namespace gpuscope::profiler::inject {

std::string cuptiErrorText(int result) {
  const char* text = nullptr;
  cuptiGetResultString(static_cast<CUptiResult>(result), &text);
  return std::string(text ? text : "unknown CUPTI error") + " (" + std::to_string(result) + ")";
}

namespace {

Failure fail(const char* what, CUptiResult r) {
  if (r == CUPTI_ERROR_INSUFFICIENT_PRIVILEGES)
    return {"permission",
            "no permission to read GPU performance counters (CUPTI_ERROR_INSUFFICIENT_PRIVILEGES): "
            "run as root or load the NVIDIA driver with NVreg_RestrictProfilingToAdminUsers=0"};
  if (r == CUPTI_ERROR_MIG_DEVICE_NOT_SUPPORTED)
    return {"environment", "profiling is not supported on a MIG partition"};
  if (r == CUPTI_ERROR_NOT_SUPPORTED || r == CUPTI_ERROR_NOT_COMPATIBLE)
    return {"environment", std::string(what) + ": this GPU or driver does not support the range profiler: " +
                               cuptiErrorText(r)};
  return {"internal", std::string(what) + " failed: " + cuptiErrorText(r)};
}

}  // namespace

RangeSession::~RangeSession() { close(); }

Failure RangeSession::open(CUcontext ctx, uint32_t device_index, const std::vector<std::string>& metrics,
                           bool user_replay) {
  ctx_ = ctx;
  user_replay_ = user_replay;
  metric_storage_ = metrics;
  for (const std::string& m : metric_storage_) metrics_.push_back(m.c_str());

  auto chip = GS_CUPTI_PARAMS(CUpti_Device_GetChipName_Params);
  chip.deviceIndex = device_index;
  if (CUptiResult r = cuptiDeviceGetChipName(&chip); r != CUPTI_SUCCESS) return fail("cuptiDeviceGetChipName", r);
  chip_ = chip.pChipName ? chip.pChipName : "";

  auto avail = GS_CUPTI_PARAMS(CUpti_Profiler_GetCounterAvailability_Params);
  avail.ctx = ctx;
  if (CUptiResult r = cuptiProfilerGetCounterAvailability(&avail); r != CUPTI_SUCCESS)
    return fail("cuptiProfilerGetCounterAvailability", r);
  availability_.assign(avail.counterAvailabilityImageSize, 0);
  avail.pCounterAvailabilityImage = availability_.data();
  if (CUptiResult r = cuptiProfilerGetCounterAvailability(&avail); r != CUPTI_SUCCESS)
    return fail("cuptiProfilerGetCounterAvailability", r);

  auto host = GS_CUPTI_PARAMS(CUpti_Profiler_Host_Initialize_Params);
  host.profilerType = CUPTI_PROFILER_TYPE_RANGE_PROFILER;
  host.pChipName = chip_.c_str();
  host.pCounterAvailabilityImage = availability_.data();
  if (CUptiResult r = cuptiProfilerHostInitialize(&host); r != CUPTI_SUCCESS) return fail("cuptiProfilerHostInitialize", r);
  host_ = host.pHostObject;

  auto add = GS_CUPTI_PARAMS(CUpti_Profiler_Host_ConfigAddMetrics_Params);
  add.pHostObject = host_;
  add.ppMetricNames = metrics_.data();
  add.numMetrics = metrics_.size();
  if (CUptiResult r = cuptiProfilerHostConfigAddMetrics(&add); r != CUPTI_SUCCESS) {
    // Name the metric(s) CUPTI rejects: a fresh host object per probe, since
    // a failed add may leave the config half built.
    std::string bad;
    for (const char* m : metrics_) {
      auto probe = GS_CUPTI_PARAMS(CUpti_Profiler_Host_Initialize_Params);
      probe.profilerType = CUPTI_PROFILER_TYPE_RANGE_PROFILER;
      probe.pChipName = chip_.c_str();
      probe.pCounterAvailabilityImage = availability_.data();
      if (cuptiProfilerHostInitialize(&probe) != CUPTI_SUCCESS) break;
      auto one = GS_CUPTI_PARAMS(CUpti_Profiler_Host_ConfigAddMetrics_Params);
      one.pHostObject = probe.pHostObject;
      one.ppMetricNames = &m;
      one.numMetrics = 1;
      if (cuptiProfilerHostConfigAddMetrics(&one) != CUPTI_SUCCESS) bad += (bad.empty() ? "" : ", ") + std::string(m);
      auto d = GS_CUPTI_PARAMS(CUpti_Profiler_Host_Deinitialize_Params);
      d.pHostObject = probe.pHostObject;
      cuptiProfilerHostDeinitialize(&d);
    }
    if (!bad.empty()) return {"metric", "unsupported metric on " + chip_ + ": " + bad};
    return fail("cuptiProfilerHostConfigAddMetrics", r);
  }

  auto size = GS_CUPTI_PARAMS(CUpti_Profiler_Host_GetConfigImageSize_Params);
  size.pHostObject = host_;
  if (CUptiResult r = cuptiProfilerHostGetConfigImageSize(&size); r != CUPTI_SUCCESS)
    return fail("cuptiProfilerHostGetConfigImageSize", r);
  config_.assign(size.configImageSize, 0);
  auto image = GS_CUPTI_PARAMS(CUpti_Profiler_Host_GetConfigImage_Params);
  image.pHostObject = host_;
  image.configImageSize = config_.size();
  image.pConfigImage = config_.data();
  if (CUptiResult r = cuptiProfilerHostGetConfigImage(&image); r != CUPTI_SUCCESS)
    return fail("cuptiProfilerHostGetConfigImage", r);
  auto passes = GS_CUPTI_PARAMS(CUpti_Profiler_Host_GetNumOfPasses_Params);
  passes.configImageSize = config_.size();
  passes.pConfigImage = config_.data();
  if (cuptiProfilerHostGetNumOfPasses(&passes) == CUPTI_SUCCESS) passes_ = passes.numOfPasses;

  auto enable = GS_CUPTI_PARAMS(CUpti_RangeProfiler_Enable_Params);
  enable.ctx = ctx;
  if (CUptiResult r = cuptiRangeProfilerEnable(&enable); r != CUPTI_SUCCESS) return fail("cuptiRangeProfilerEnable", r);
  target_ = enable.pRangeProfilerObject;

  auto data = GS_CUPTI_PARAMS(CUpti_RangeProfiler_GetCounterDataSize_Params);
  data.pRangeProfilerObject = target_;
  data.pMetricNames = metrics_.data();
  data.numMetrics = metrics_.size();
  data.maxNumOfRanges = 1;
  data.maxNumRangeTreeNodes = 1;
  if (CUptiResult r = cuptiRangeProfilerGetCounterDataSize(&data); r != CUPTI_SUCCESS)
    return fail("cuptiRangeProfilerGetCounterDataSize", r);
  counter_data_.assign(data.counterDataSize, 0);
  return resetImage();
}

// Initializes the counter data image and binds it with the config: done
// before every kernel so that each kernel's range is range 0.
Failure RangeSession::resetImage() {
  auto init = GS_CUPTI_PARAMS(CUpti_RangeProfiler_CounterDataImage_Initialize_Params);
  init.pRangeProfilerObject = target_;
  init.counterDataSize = counter_data_.size();
  init.pCounterData = counter_data_.data();
  if (CUptiResult r = cuptiRangeProfilerCounterDataImageInitialize(&init); r != CUPTI_SUCCESS)
    return fail("cuptiRangeProfilerCounterDataImageInitialize", r);
  auto set = GS_CUPTI_PARAMS(CUpti_RangeProfiler_SetConfig_Params);
  set.pRangeProfilerObject = target_;
  set.configSize = config_.size();
  set.pConfig = config_.data();
  set.counterDataImageSize = counter_data_.size();
  set.pCounterDataImage = counter_data_.data();
  set.range = CUPTI_AutoRange;
  set.replayMode = user_replay_ ? CUPTI_UserReplay : CUPTI_KernelReplay;
  set.maxRangesPerPass = 1;
  set.numNestingLevels = 1;
  set.minNestingLevel = 1;
  set.passIndex = 0;
  set.targetNestingLevel = 1;
  if (CUptiResult r = cuptiRangeProfilerSetConfig(&set); r != CUPTI_SUCCESS)
    return fail("cuptiRangeProfilerSetConfig", r);
  return {};
}

Failure RangeSession::start() {
  auto p = GS_CUPTI_PARAMS(CUpti_RangeProfiler_Start_Params);
  p.pRangeProfilerObject = target_;
  if (CUptiResult r = cuptiRangeProfilerStart(&p); r != CUPTI_SUCCESS) return fail("cuptiRangeProfilerStart", r);
  return {};
}

Failure RangeSession::stop(bool& all_submitted) {
  auto stop = GS_CUPTI_PARAMS(CUpti_RangeProfiler_Stop_Params);
  stop.pRangeProfilerObject = target_;
  if (CUptiResult r = cuptiRangeProfilerStop(&stop); r != CUPTI_SUCCESS) return fail("cuptiRangeProfilerStop", r);
  all_submitted = stop.isAllPassSubmitted != 0;
  return {};
}

Failure RangeSession::finish(std::vector<double>& values) {
  bool all = false;
  if (Failure f = stop(all); !f.ok()) return f;
  if (!all) return {"internal", "the range profiler recorded no range for the kernel (passes not all submitted)"};
  return evaluate(values);
}

Failure RangeSession::evaluate(std::vector<double>& values) {
  auto decode = GS_CUPTI_PARAMS(CUpti_RangeProfiler_DecodeData_Params);
  decode.pRangeProfilerObject = target_;
  if (CUptiResult r = cuptiRangeProfilerDecodeData(&decode); r != CUPTI_SUCCESS)
    return fail("cuptiRangeProfilerDecodeData", r);
  auto info = GS_CUPTI_PARAMS(CUpti_RangeProfiler_GetCounterDataInfo_Params);
  info.pCounterDataImage = counter_data_.data();
  info.counterDataImageSize = counter_data_.size();
  if (CUptiResult r = cuptiRangeProfilerGetCounterDataInfo(&info); r != CUPTI_SUCCESS)
    return fail("cuptiRangeProfilerGetCounterDataInfo", r);
  if (info.numTotalRanges < 1)
    return {"internal", "the range profiler recorded no range for the kernel"};
  values.assign(metrics_.size(), 0.0);
  auto eval = GS_CUPTI_PARAMS(CUpti_Profiler_Host_EvaluateToGpuValues_Params);
  eval.pHostObject = host_;
  eval.pCounterDataImage = counter_data_.data();
  eval.counterDataImageSize = counter_data_.size();
  // The newest range: the image is reset after every kernel, so this is 0,
  // unless a reset silently kept earlier ranges.
  eval.rangeIndex = info.numTotalRanges - 1;
  eval.ppMetricNames = metrics_.data();
  eval.numMetrics = metrics_.size();
  eval.pMetricValues = values.data();
  if (CUptiResult r = cuptiProfilerHostEvaluateToGpuValues(&eval); r != CUPTI_SUCCESS)
    return fail("cuptiProfilerHostEvaluateToGpuValues", r);
  return {};
}

Failure RangeSession::rearm() {
  if (resetImage().ok()) return {};
  // If the profiler object refuses a second configuration, start it afresh
  // (Disable + Enable), as a new context would.
  auto disable = GS_CUPTI_PARAMS(CUpti_RangeProfiler_Disable_Params);
  disable.pRangeProfilerObject = target_;
  cuptiRangeProfilerDisable(&disable);
  target_ = nullptr;
  auto enable = GS_CUPTI_PARAMS(CUpti_RangeProfiler_Enable_Params);
  enable.ctx = ctx_;
  if (CUptiResult r = cuptiRangeProfilerEnable(&enable); r != CUPTI_SUCCESS) return fail("cuptiRangeProfilerEnable", r);
  target_ = enable.pRangeProfilerObject;
  return resetImage();
}

void RangeSession::close() {
  if (target_) {
    auto p = GS_CUPTI_PARAMS(CUpti_RangeProfiler_Disable_Params);
    p.pRangeProfilerObject = target_;
    cuptiRangeProfilerDisable(&p);
    target_ = nullptr;
  }
  if (host_) {
    auto p = GS_CUPTI_PARAMS(CUpti_Profiler_Host_Deinitialize_Params);
    p.pHostObject = host_;
    cuptiProfilerHostDeinitialize(&p);
    host_ = nullptr;
  }
}

}  // namespace gpuscope::profiler::inject
