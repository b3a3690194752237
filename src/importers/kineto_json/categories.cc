#include "importers/kineto_json/categories.h"

#include <array>

namespace gpuscope::importers::kineto_json {
namespace {

struct Entry {
  std::string_view name;  // lower case
  Category category;
};

constexpr std::array<Entry, 37> kEntries = {{
    {"cpu_op", Category::kCpuOp},
    {"operator", Category::kCpuOp},
    {"python_function", Category::kPythonFunction},
    {"python", Category::kPythonFunction},
    {"user_annotation", Category::kUserAnnotation},
    {"gpu_user_annotation", Category::kGpuUserAnnotation},
    {"cuda_runtime", Category::kCudaRuntime},
    {"runtime", Category::kCudaRuntime},
    {"cuda_driver", Category::kCudaDriver},
    {"driver", Category::kCudaDriver},
    {"kernel", Category::kKernel},
    {"gpu_memcpy", Category::kGpuMemcpy},
    {"memcpy", Category::kGpuMemcpy},
    {"gpu_memset", Category::kGpuMemset},
    {"memset", Category::kGpuMemset},
    {"cuda_sync", Category::kCudaSync},
    {"ac2g", Category::kAc2g},
    {"async", Category::kAc2g},
    {"fwdbwd", Category::kFwdBwd},
    {"trace", Category::kTrace},
    {"overhead", Category::kOverhead},
    {"cpu_instant_event", Category::kCpuInstantEvent},
    {"cuda_profiler_range", Category::kCudaProfilerRange},
    {"cuda_event", Category::kCudaEvent},
    {"mtia_runtime", Category::kOtherDevice},
    {"mtia_ccp_events", Category::kOtherDevice},
    {"mtia_insight", Category::kOtherDevice},
    {"mtia_counters", Category::kOtherDevice},
    {"glow_runtime", Category::kOtherDevice},
    {"hpu_op", Category::kOtherDevice},
    {"xpu_runtime", Category::kOtherDevice},
    {"xpu_driver", Category::kOtherDevice},
    {"collective_comm", Category::kOtherDevice},
    {"privateuse1_runtime", Category::kOtherDevice},
    {"privateuse1_driver", Category::kOtherDevice},
    {"xpu_scope_profiler", Category::kOtherDevice},
    {"hardware_counters", Category::kOtherDevice},
}};

bool equalsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

Category classifyCategory(std::string_view cat) {
  if (cat.empty()) return Category::kNone;
  for (const Entry& e : kEntries) {
    if (equalsLower(cat, e.name)) return e.category;
  }
  if (equalsLower(cat, "xpu_sync")) return Category::kOtherDevice;
  return Category::kUnknown;
}

std::string_view skipReason(Category c) {
  switch (c) {
    case Category::kTrace:
      return "profiler span events (cat Trace): their start/end are kept as meta kineto_span_start_ns/"
             "kineto_span_end_ns, not as table rows";
    case Category::kOverhead:
      return "CUPTI overhead rows (cat overhead, pid -1): profiler bookkeeping, not application work";
    case Category::kCpuInstantEvent:
      return "CPU instant events ([memory] allocations): the model has no allocation table";
    case Category::kCudaProfilerRange:
      return "CUPTI range-profiler rows (cat cuda_profiler_range): per-kernel counters, no table in "
             "the model";
    case Category::kCudaEvent:
      return "cudaEvent records (cat cuda_event): the model has no CUDA event table";
    case Category::kOtherDevice:
      return "events of a non-CUDA backend (MTIA, XPU, HPU, PrivateUse1, Glow) or hardware counters";
    case Category::kFwdBwd:
      return "forward-to-backward flow arrows (cat fwdbwd): autograd links, not GPU work";
    default:
      return "category not recognised by the Kineto importer";
  }
}

}  // namespace gpuscope::importers::kineto_json
