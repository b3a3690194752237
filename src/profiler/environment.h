// The machine-facing parts of the parent: is there a CUDA GPU, where is the
// injection library, and locking GPU clocks to base for the run (what ncu's
// --clock-control base does; CUPTI 13.0 has no clock control, so NVML does
// it). Libraries are opened with dlopen, so gpuscope runs (and reports
// exit 3) on machines without the NVIDIA driver.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace gpuscope::profiler {

// OK when libcuda.so.1 loads, cuInit succeeds and at least one device exists;
// otherwise EnvironmentError with a one-line reason.
Status checkCudaGpu();

// The injection library: `override_path` when set, else next to the running
// binary, else in its build folder (src/profiler/).
StatusOr<std::string> findInjectLibrary(const std::string& override_path);

// Locks every GPU's clocks to the base (TDP) clock until destroyed or
// release(). Failure (no permission, no NVML) is a warning, not an error:
// the report then reads the clocks the GPU chose.
class ClockLock {
 public:
  ClockLock() = default;
  ClockLock(const ClockLock&) = delete;
  ClockLock& operator=(const ClockLock&) = delete;
  ~ClockLock() { release(); }
  // Returns a warning text on failure, empty on success.
  std::string lockToBase();
  void release();

 private:
  void* nvml_ = nullptr;
  std::vector<void*> locked_;
};

}  // namespace gpuscope::profiler
