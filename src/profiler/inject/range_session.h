// One CUDA context's range profiler: the host object with the config image
// for the requested metrics, the target object, and a counter data image for
// one range. A kernel is profiled by start() before its launch and
// finish() after it: auto range + kernel replay, so CUPTI replays the kernel
// for as many passes as the metrics need, inside the launch call.
#pragma once

#include <cuda.h>
#include <cupti_profiler_host.h>
#include <cupti_range_profiler.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gpuscope::profiler::inject {

// A failure with the kind the parent maps to an exit code ("permission",
// "metric", "environment", "internal") and a one-line message.
struct Failure {
  std::string kind;
  std::string message;
  bool ok() const { return kind.empty(); }
};

class RangeSession {
 public:
  RangeSession() = default;
  RangeSession(const RangeSession&) = delete;
  RangeSession& operator=(const RangeSession&) = delete;
  ~RangeSession();

  // user_replay: the caller replays the kernel once per pass (so it can
  // flush caches before every pass, as ncu's --cache-control all does);
  // otherwise CUPTI's kernel replay runs all passes inside the launch.
  Failure open(CUcontext ctx, uint32_t device_index, const std::vector<std::string>& metrics,
               bool user_replay);
  Failure start();
  // Ends one pass; all_submitted is set once every pass has run.
  Failure stop(bool& all_submitted);
  // Decodes and evaluates the one range (after the last stop()); values are
  // in metric order.
  Failure evaluate(std::vector<double>& values);
  // stop() + evaluate(), for kernel replay.
  Failure finish(std::vector<double>& values);
  bool userReplay() const { return user_replay_; }
  // Resets the counter data image for the next kernel (after finish()).
  Failure rearm();
  void close();

  size_t passes() const { return passes_; }
  const std::string& chip() const { return chip_; }

 private:
  Failure resetImage();

  CUcontext ctx_ = nullptr;
  std::string chip_;
  std::vector<std::string> metric_storage_;
  std::vector<const char*> metrics_;
  std::vector<uint8_t> availability_;
  std::vector<uint8_t> config_;
  std::vector<uint8_t> counter_data_;
  CUpti_Profiler_Host_Object* host_ = nullptr;
  CUpti_RangeProfiler_Object* target_ = nullptr;
  size_t passes_ = 0;
  bool user_replay_ = false;
};

// A zeroed CUPTI parameter struct with its structSize set (every field the
// caller does not set stays 0/NULL, as CUPTI requires for pPriv).
template <typename T>
T params(size_t struct_size) {
  T p{};
  p.structSize = struct_size;
  return p;
}
#define GS_CUPTI_PARAMS(T) ::gpuscope::profiler::inject::params<T>(T##_STRUCT_SIZE)

// CUPTI's name for a result code ("CUPTI_ERROR_INSUFFICIENT_PRIVILEGES").
std::string cuptiErrorText(int result);

}  // namespace gpuscope::profiler::inject
