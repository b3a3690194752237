// Kineto `cat` values (ActivityType names, libkineto/include/ActivityType.h)
// and the older PyTorch 1.x spellings ("Kernel", "Runtime", "Memcpy",
// "Operator", ...). Matching ignores case, so "Kernel" and "kernel" are one
// category.
#pragma once

#include <string_view>

namespace gpuscope::importers::kineto_json {

enum class Category {
  kUnknown,
  kNone,  // no "cat" key
  // Modelled: rows in a model table.
  kCpuOp,               // cpu_op, Operator
  kPythonFunction,      // python_function, Python
  kUserAnnotation,      // user_annotation
  kGpuUserAnnotation,   // gpu_user_annotation
  kCudaRuntime,         // cuda_runtime, Runtime
  kCudaDriver,          // cuda_driver, Driver
  kKernel,              // kernel, Kernel
  kGpuMemcpy,           // gpu_memcpy, Memcpy
  kGpuMemset,           // gpu_memset, Memset
  kCudaSync,            // cuda_sync
  // Flows.
  kAc2g,                // ac2g (async CPU -> GPU); "async" in PyTorch 1.8
  kFwdBwd,              // fwdbwd
  // Known but not modelled: counted as info.
  kTrace,               // the profiler span
  kOverhead,            // CUPTI overhead rows
  kCpuInstantEvent,     // [memory] instants
  kCudaProfilerRange,   // CUPTI range-profiler rows
  kCudaEvent,           // cudaEvent records
  kOtherDevice,         // mtia_*, xpu_*, hpu_op, privateuse1_*, glow_runtime, collective_comm, hardware_counters
};

Category classifyCategory(std::string_view cat);

// A short sentence saying why a known but unmodelled category is not
// stored (used as the diagnostics description).
std::string_view skipReason(Category c);

}  // namespace gpuscope::importers::kineto_json
