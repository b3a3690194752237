#include "profiler/environment.h"

#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>

namespace gpuscope::profiler {
namespace {

std::string selfDir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

// NVML values (nvml.h is not part of the toolkit image): the special clock
// value that means "the TDP (base) clock", as `nvidia-smi -lgc tdp` uses.
constexpr unsigned kNvmlClockLimitTdp = 0xffffff01u;
constexpr int kNvmlSuccess = 0;
constexpr int kNvmlNoPermission = 4;

}  // namespace

Status checkCudaGpu() {
  void* cuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!cuda)
    return EnvironmentError("no CUDA driver found (libcuda.so.1 cannot be loaded): "
                            "gpuscope kernels needs an NVIDIA GPU");
  using InitFn = int (*)(unsigned);
  using CountFn = int (*)(int*);
  auto init = reinterpret_cast<InitFn>(dlsym(cuda, "cuInit"));
  auto count = reinterpret_cast<CountFn>(dlsym(cuda, "cuDeviceGetCount"));
  if (!init || !count) return EnvironmentError("libcuda.so.1 lacks cuInit/cuDeviceGetCount");
  int rc = init(0);
  if (rc != 0)
    return EnvironmentError("no usable CUDA GPU (cuInit failed with CUDA error " +
                            std::to_string(rc) + ")");
  int n = 0;
  if (count(&n) != 0 || n == 0) return EnvironmentError("no CUDA GPU found");
  return OkStatus();
}

StatusOr<std::string> findInjectLibrary(const std::string& override_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!override_path.empty()) {
    if (!fs::is_regular_file(override_path, ec))
      return InvalidInput("--inject-library: " + override_path + " is not a file");
    return fs::absolute(override_path, ec).string();
  }
  const std::string dir = selfDir();
  for (const std::string& candidate :
       {dir + "/libgpuscope_profiler_inject.so", dir + "/src/profiler/libgpuscope_profiler_inject.so",
        dir + "/../lib/libgpuscope_profiler_inject.so"}) {
    if (!fs::is_regular_file(candidate, ec)) continue;
    std::string path = fs::canonical(candidate, ec).string();
    // Loading it here turns a missing libcupti into a clear error instead of
    // a cuInit failure inside the profiled program.
    void* handle = dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL);
    if (!handle) return EnvironmentError(std::string("cannot load the injection library: ") + dlerror());
    dlclose(handle);
    return path;
  }
  return EnvironmentError("the injection library libgpuscope_profiler_inject.so was not found next to " +
                          dir + "/gpuscope (built only where the CUDA toolkit with CUPTI is installed)");
}

std::string ClockLock::lockToBase() {
  nvml_ = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!nvml_) return "clocks not locked: libnvidia-ml.so.1 not found";
  using InitFn = int (*)();
  using CountFn = int (*)(unsigned*);
  using HandleFn = int (*)(unsigned, void**);
  using LockFn = int (*)(void*, unsigned, unsigned);
  auto init = reinterpret_cast<InitFn>(dlsym(nvml_, "nvmlInit_v2"));
  auto count = reinterpret_cast<CountFn>(dlsym(nvml_, "nvmlDeviceGetCount_v2"));
  auto handle = reinterpret_cast<HandleFn>(dlsym(nvml_, "nvmlDeviceGetHandleByIndex_v2"));
  auto lock = reinterpret_cast<LockFn>(dlsym(nvml_, "nvmlDeviceSetGpuLockedClocks"));
  if (!init || !count || !handle || !lock || init() != kNvmlSuccess)
    return "clocks not locked: NVML unavailable";
  unsigned n = 0;
  if (count(&n) != kNvmlSuccess) return "clocks not locked: NVML cannot count devices";
  for (unsigned i = 0; i < n; ++i) {
    void* dev = nullptr;
    if (handle(i, &dev) != kNvmlSuccess) continue;
    int rc = lock(dev, kNvmlClockLimitTdp, kNvmlClockLimitTdp);
    if (rc == kNvmlSuccess) {
      locked_.push_back(dev);
    } else {
      return rc == kNvmlNoPermission
                 ? "clocks not locked to base: no permission (needs root); values use the GPU's "
                   "current clocks, unlike ncu's default --clock-control base"
                 : "clocks not locked to base: NVML error " + std::to_string(rc);
    }
  }
  return "";
}

void ClockLock::release() {
  if (!nvml_) return;
  using ResetFn = int (*)(void*);
  using ShutdownFn = int (*)();
  auto reset = reinterpret_cast<ResetFn>(dlsym(nvml_, "nvmlDeviceResetGpuLockedClocks"));
  for (void* dev : locked_)
    if (reset) reset(dev);
  locked_.clear();
  if (auto shutdown = reinterpret_cast<ShutdownFn>(dlsym(nvml_, "nvmlShutdown"))) shutdown();
  nvml_ = nullptr;  // the library stays loaded; unloading NVML is not needed
}

}  // namespace gpuscope::profiler
