// One CUDA context's range profiler: a host object with the config image
// for the requested metrics, the target object, and a counter data image
// for one range. Kernel replay (finish() after the launch): CUPTI replays
// the kernel for as many passes as the metrics need, inside the launch
// call. User replay (start()/stop() around each pass the caller runs). The
// metrics that fit one pass together are added to the configuration first,
// so that the range profiler counts them in one pass (pass_groups.h).
#pragma once

#include <cuda.h>
#include <cupti_profiler_host.h>
#include <cupti_range_profiler.h>

#include <cstdint>
#include <string>
#include <vector>

#include "inject/host_config.h"

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
  // order_by_pass: the metrics that fit one pass together first in the
  // configuration (pass_groups.h); false: in list order. optional[i]: metric
  // i (a section row) may be missing on this chip: left out with a note()
  // instead of failing open (missing entries: required).
  Failure open(CUcontext ctx, uint32_t device_index, const std::vector<std::string>& metrics,
               const std::vector<bool>& optional, bool user_replay, bool order_by_pass = false);
  Failure start();
  // Ends one pass; all_submitted is set once every pass has run.
  Failure stop(bool& all_submitted);
  // Decodes and evaluates the one range (after the last stop()); values are
  // in the order of open()'s metrics.
  Failure evaluate(std::vector<double>& values);
  // stop() + evaluate(), for kernel replay.
  Failure finish(std::vector<double>& values);
  bool userReplay() const { return user_replay_; }
  // Counter data reset, for the next kernel.
  Failure rearm();
  void close();

  size_t passes() const { return config_.host.passes; }
  // How many metrics were put first as fitting one pass (0: list order).
  size_t onePassMetrics() const { return one_pass_metrics_; }
  // Metrics left out on this chip, or why the metrics kept their list order
  // (a warning), or empty.
  const std::string& note() const { return note_; }
  const std::string& chip() const { return chip_; }

 private:
  // The configuration: its metrics in configuration order (index: their
  // positions in open()'s list), host object, config image and passes, and
  // the counter data image.
  struct Config {
    std::vector<size_t> index;
    std::vector<const char*> metrics;
    HostConfig host;
    std::vector<uint8_t> counter_data;
  };
  // Host object and config image for `metrics` (host_config.h) on this
  // chip. *rejected is set when CUPTI refuses the metric list itself.
  Failure configure(const std::vector<const char*>& metrics, HostConfig& out, bool* rejected = nullptr);
  // Passes a configuration of these metrics (positions) needs; 0 if none.
  size_t probePasses(const std::vector<size_t>& index);
  std::vector<size_t> rejectedMetrics(bool* aborted);
  Failure dropRejectedMetrics(const Failure& failed, std::vector<size_t>& accepted);
  // config_ = the metrics at these positions, in this order (the previous
  // host object released).
  Failure configureInOrder(const std::vector<size_t>& order, bool* rejected);
  // (Disable +) Enable a profiler object and bind the configuration.
  Failure reenable();
  void disableTarget();
  Failure resetImage();

  CUcontext ctx_ = nullptr;
  std::string chip_;
  std::vector<std::string> metric_storage_;
  std::vector<const char*> metrics_;
  std::vector<bool> optional_;
  std::vector<uint8_t> availability_;
  Config config_;
  size_t one_pass_metrics_ = 0;
  CUpti_RangeProfiler_Object* target_ = nullptr;
  bool user_replay_ = false;
  std::string note_;
};

// CUPTI's name for a result code ("CUPTI_ERROR_INSUFFICIENT_PRIVILEGES").
std::string cuptiErrorText(int result);

}  // namespace gpuscope::profiler::inject
