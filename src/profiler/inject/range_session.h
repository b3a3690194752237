// One CUDA context's range profiler: host objects with the config images
// for the requested metrics, the target object, and counter data images for
// one range. Kernel replay (finish() after the launch): one configuration,
// and CUPTI replays the kernel for as many passes as the metrics need,
// inside the launch call. User replay (start()/stop() around each pass the
// caller runs): one configuration too, or (A/B switch) metric groups
// configured one after the other on new profiler objects (pass_groups.h).
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
  // group_passes (user replay only): the metrics that fit one pass in
  // one-pass groups after one configuration of the others (pass_groups.h);
  // false: one configuration.
  Failure open(CUcontext ctx, uint32_t device_index, const std::vector<std::string>& metrics,
               bool user_replay, bool group_passes = false);
  Failure start();
  // Ends one pass; all_submitted is set once every pass of every group has
  // run (a group's values are evaluated when its last pass ends).
  Failure stop(bool& all_submitted);
  // Decodes and evaluates the one range (after the last stop()); values are
  // in metric order.
  Failure evaluate(std::vector<double>& values);
  // stop() + evaluate(), for kernel replay.
  Failure finish(std::vector<double>& values);
  bool userReplay() const { return user_replay_; }
  // Back to the first group, counter data reset, for the next kernel.
  Failure rearm();
  void close();

  // Passes per kernel, over all groups.
  size_t passes() const { return passes_; }
  size_t groups() const { return groups_.size(); }
  // Why grouping fell back to one configuration (a warning), or empty.
  const std::string& note() const { return note_; }
  const std::string& chip() const { return chip_; }

 private:
  // One configuration: its metrics (positions in the whole list), host
  // object, config image and counter data image.
  struct Group {
    std::vector<size_t> index;
    std::vector<const char*> metrics;
    CUpti_Profiler_Host_Object* host = nullptr;
    std::vector<uint8_t> config;
    std::vector<uint8_t> counter_data;
    size_t passes = 0;
  };
  Failure newHost(CUpti_Profiler_Host_Object** host);
  // Host object and config image for `metrics`; the passes they need.
  // *rejected is set when CUPTI refuses the metric list itself.
  Failure configure(const std::vector<const char*>& metrics, CUpti_Profiler_Host_Object** host,
                    std::vector<uint8_t>& config, size_t& passes, bool* rejected = nullptr);
  // Passes a configuration of these metrics (positions) needs; 0 if none.
  size_t probePasses(const std::vector<size_t>& index);
  Failure nameRejectedMetrics(const Failure& failed);
  // groups_ = one group of every metric.
  Failure configureAll(bool* rejected);
  // Enables the range profiler and binds the first group.
  Failure enableTarget();
  Failure reenable();
  void disableTarget();
  Failure resetImage();
  // Decodes the current group's range and stores its values in values_.
  Failure evaluateGroup();

  CUcontext ctx_ = nullptr;
  std::string chip_;
  std::vector<std::string> metric_storage_;
  std::vector<const char*> metrics_;
  std::vector<uint8_t> availability_;
  std::vector<Group> groups_;
  size_t current_ = 0;
  bool reversed_ = false;  // this kernel walks the groups from the last
  std::vector<double> values_;
  CUpti_RangeProfiler_Object* target_ = nullptr;
  size_t passes_ = 0;
  bool user_replay_ = false;
  std::string note_;
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
