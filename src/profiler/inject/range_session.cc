#include "inject/range_session.h"

#include <cupti_profiler_target.h>
#include <cupti_result.h>
#include <cupti_target.h>

#include <algorithm>
#include <limits>

#include "inject/pass_groups.h"

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

Failure RangeSession::configure(const std::vector<const char*>& metrics, HostConfig& out, bool* rejected) {
  const HostStep step = buildHostConfig(chip_.c_str(), availability_.data(), metrics, out);
  if (!step.call) return {};
  if (rejected) *rejected = step.metrics_rejected;
  return fail(step.call, step.result);
}

size_t RangeSession::probePasses(const std::vector<size_t>& index) {
  std::vector<const char*> names;
  for (size_t i : index) names.push_back(metrics_[i]);
  HostConfig probe;
  const bool ok = configure(names, probe).ok();
  releaseHost(probe.host);
  return ok ? probe.passes : 0;
}

// The metrics CUPTI rejects on this chip (positions): a fresh host object
// per probe, since a failed add may leave the config half built. Stops at
// the first metric for which CUPTI made no host object at all (*aborted).
std::vector<size_t> RangeSession::rejectedMetrics(bool* aborted) {
  std::vector<size_t> bad;
  *aborted = false;
  for (size_t i = 0; i < metrics_.size(); ++i) {
    HostConfig probe;
    bool rejected = false;
    (void)configure({metrics_[i]}, probe, &rejected);
    const bool no_host = probe.host == nullptr;
    releaseHost(probe.host);
    if (rejected) {
      bad.push_back(i);
    } else if (no_host) {
      *aborted = true;
      break;
    }
  }
  return bad;
}

// After CUPTI refused the whole list: the required metrics it rejects are
// an error naming them; optional ones (section rows) are left out, their
// values NaN ("n/a"), with a note. `failed`: the whole list's failure.
Failure RangeSession::dropRejectedMetrics(const Failure& failed, std::vector<size_t>& accepted) {
  bool aborted = false;
  const std::vector<size_t> bad = rejectedMetrics(&aborted);
  if (bad.empty()) return failed;
  std::string required, optional;
  for (size_t i : bad) {
    std::string& list = optional_[i] ? optional : required;
    list += (list.empty() ? "" : ", ") + std::string(metrics_[i]);
  }
  if (!required.empty() || aborted || bad.size() == metrics_.size())
    return {"metric", "unsupported metric on " + chip_ + ": " + (required.empty() ? optional : required)};
  note_ = "not measured on " + chip_ + " (CUPTI has no such metric there; those rows read n/a): " + optional;
  accepted.clear();
  for (size_t i = 0; i < metrics_.size(); ++i)
    if (std::find(bad.begin(), bad.end(), i) == bad.end()) accepted.push_back(i);
  return {};
}

Failure RangeSession::open(CUcontext ctx, uint32_t device_index, const std::vector<std::string>& metrics,
                           const std::vector<bool>& optional, bool user_replay, bool order_by_pass) {
  ctx_ = ctx;
  user_replay_ = user_replay;
  metric_storage_ = metrics;
  for (const std::string& m : metric_storage_) metrics_.push_back(m.c_str());
  optional_ = optional;
  optional_.resize(metrics_.size(), false);

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

  // The metrics in list order first: checks them (a rejected required one
  // is an error naming it, rejected optional ones are left out), and is the
  // configuration when it needs one pass.
  std::vector<size_t> accepted;
  for (size_t i = 0; i < metrics_.size(); ++i) accepted.push_back(i);
  bool rejected = false;
  Failure f = configureInOrder(accepted, &rejected);
  if (rejected) {
    if (f = dropRejectedMetrics(f, accepted); !f.ok()) {
      close();
      return f;
    }
    f = configureInOrder(accepted, nullptr);
  }
  if (!f.ok()) return f;
  if (order_by_pass && config_.host.passes > 1) {
    // groupByPass works on positions 0..n-1 of `accepted`.
    auto positions = [&accepted](const std::vector<size_t>& g) {
      std::vector<size_t> out;
      for (size_t i : g) out.push_back(accepted[i]);
      return out;
    };
    std::vector<std::vector<size_t>> split = groupByPass(
        accepted.size(), [this, &positions](const std::vector<size_t>& g) { return probePasses(positions(g)); });
    if (split.size() == 2) {
      // The metrics that fit one pass together added first: the range
      // profiler then counts them in its first pass (pass_groups.h).
      std::vector<size_t> order = positions(split[1]);
      for (size_t i : positions(split[0])) order.push_back(i);
      if (f = configureInOrder(order, nullptr); f.ok()) {
        one_pass_metrics_ = split[1].size();
      } else {
        note_ += std::string(note_.empty() ? "" : "; ") + "metrics not ordered by pass (" + f.message +
                 "); a metric's counters may come from different passes";
        if (f = configureInOrder(accepted, nullptr); !f.ok()) return f;
      }
    }
  }
  return reenable();
}

Failure RangeSession::configureInOrder(const std::vector<size_t>& order, bool* rejected) {
  releaseHost(config_.host.host);
  config_.host = {};
  config_.index = order;
  config_.metrics.clear();
  for (size_t i : order) config_.metrics.push_back(metrics_[i]);
  return configure(config_.metrics, config_.host, rejected);
}

// Initializes the counter data image and binds it with the config: done
// before every kernel so that its range is range 0.
Failure RangeSession::resetImage() {
  if (config_.counter_data.empty()) {
    auto data = GS_CUPTI_PARAMS(CUpti_RangeProfiler_GetCounterDataSize_Params);
    data.pRangeProfilerObject = target_;
    data.pMetricNames = config_.metrics.data();
    data.numMetrics = config_.metrics.size();
    data.maxNumOfRanges = 1;
    data.maxNumRangeTreeNodes = 1;
    if (CUptiResult r = cuptiRangeProfilerGetCounterDataSize(&data); r != CUPTI_SUCCESS)
      return fail("cuptiRangeProfilerGetCounterDataSize", r);
    config_.counter_data.assign(data.counterDataSize, 0);
  }
  auto init = GS_CUPTI_PARAMS(CUpti_RangeProfiler_CounterDataImage_Initialize_Params);
  init.pRangeProfilerObject = target_;
  init.counterDataSize = config_.counter_data.size();
  init.pCounterData = config_.counter_data.data();
  if (CUptiResult r = cuptiRangeProfilerCounterDataImageInitialize(&init); r != CUPTI_SUCCESS)
    return fail("cuptiRangeProfilerCounterDataImageInitialize", r);
  auto set = GS_CUPTI_PARAMS(CUpti_RangeProfiler_SetConfig_Params);
  set.pRangeProfilerObject = target_;
  set.configSize = config_.host.image.size();
  set.pConfig = config_.host.image.data();
  set.counterDataImageSize = config_.counter_data.size();
  set.pCounterDataImage = config_.counter_data.data();
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
  info.pCounterDataImage = config_.counter_data.data();
  info.counterDataImageSize = config_.counter_data.size();
  if (CUptiResult r = cuptiRangeProfilerGetCounterDataInfo(&info); r != CUPTI_SUCCESS)
    return fail("cuptiRangeProfilerGetCounterDataInfo", r);
  if (info.numTotalRanges < 1)
    return {"internal", "the range profiler recorded no range for the kernel"};
  std::vector<double> ordered(config_.metrics.size(), 0.0);
  auto eval = GS_CUPTI_PARAMS(CUpti_Profiler_Host_EvaluateToGpuValues_Params);
  eval.pHostObject = config_.host.host;
  eval.pCounterDataImage = config_.counter_data.data();
  eval.counterDataImageSize = config_.counter_data.size();
  // The newest range: the image is reset after every kernel, so this is 0,
  // unless a reset silently kept earlier ranges.
  eval.rangeIndex = info.numTotalRanges - 1;
  eval.ppMetricNames = config_.metrics.data();
  eval.numMetrics = config_.metrics.size();
  eval.pMetricValues = ordered.data();
  if (CUptiResult r = cuptiProfilerHostEvaluateToGpuValues(&eval); r != CUPTI_SUCCESS)
    return fail("cuptiProfilerHostEvaluateToGpuValues", r);
  // Back to the caller's metric order; metrics left out (not on this chip)
  // stay NaN, which the results file omits ("n/a").
  values.assign(metrics_.size(), std::numeric_limits<double>::quiet_NaN());
  for (size_t i = 0; i < config_.index.size(); ++i) values[config_.index[i]] = ordered[i];
  return {};
}

Failure RangeSession::rearm() {
  if (resetImage().ok()) return {};
  // If the profiler object refuses a second configuration, start it afresh,
  // as a new context would.
  return reenable();
}

void RangeSession::disableTarget() {
  if (!target_) return;
  auto p = GS_CUPTI_PARAMS(CUpti_RangeProfiler_Disable_Params);
  p.pRangeProfilerObject = target_;
  cuptiRangeProfilerDisable(&p);
  target_ = nullptr;
}

// (Disable +) Enable: a new profiler object, bound to the configuration.
Failure RangeSession::reenable() {
  disableTarget();
  auto enable = GS_CUPTI_PARAMS(CUpti_RangeProfiler_Enable_Params);
  enable.ctx = ctx_;
  if (CUptiResult r = cuptiRangeProfilerEnable(&enable); r != CUPTI_SUCCESS) return fail("cuptiRangeProfilerEnable", r);
  target_ = enable.pRangeProfilerObject;
  return resetImage();
}

void RangeSession::close() {
  disableTarget();
  releaseHost(config_.host.host);
  config_ = {};
}

}  // namespace gpuscope::profiler::inject
