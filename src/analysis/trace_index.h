// TraceIndex: what every rule and breakdown reads, built once per trace.
// GPU work per device sorted by start with its merged busy intervals, the
// launching API call of each GPU op (stats' correlation join), host calls
// per thread, and per-name classes cached by StringId so no rule compares
// strings per event.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "analysis/kernel_category.h"
#include "model/trace.h"
#include "stats/context.h"

namespace gpuscope::analysis {

// What a host API call does, decided from its name.
enum class ApiClass : uint8_t {
  kOther,
  kLaunch,          // cudaLaunchKernel*, cuLaunchKernel*, cudaLaunchCooperativeKernel*
  kGraphLaunch,     // cudaGraphLaunch, cuGraphLaunch
  kMemcpyAsync,     // cudaMemcpy*Async*, cuMemcpy*Async*
  kMemcpySync,      // other cudaMemcpy*/cuMemcpy*
  kMemsetAsync,
  kMemsetSync,
  kDeviceSync,      // cudaDeviceSynchronize, cuCtxSynchronize
  kStreamSync,      // cudaStreamSynchronize, cuStreamSynchronize
  kEventSync,       // cudaEventSynchronize, cuEventSynchronize
  kAlloc,           // cudaMalloc*, cudaHostAlloc, cuMemAlloc*
  kFree,            // cudaFree*, cuMemFree*
};
ApiClass classifyApiName(std::string_view name);
bool isSyncClass(ApiClass c);  // device, stream or event synchronization

struct Interval {
  int64_t start;
  int64_t end;
};

// One GPU operation (kernel, memcpy or memset), packed as stats does.
struct GpuOp {
  int64_t start;
  int64_t end;
  int64_t stream;
  uint32_t op;  // stats::packGpuOp
};

struct DeviceTimeline {
  int32_t device = 0;
  std::vector<GpuOp> ops;        // by start
  std::vector<Interval> busy;    // union of ops, sorted, disjoint
  int64_t first_start = 0;
  int64_t last_end = 0;
  int64_t busyTime() const;
};

struct HostThread {
  int64_t pid = 0;
  int64_t tid = 0;
  std::vector<uint32_t> calls;    // api_calls rows, by start
  std::vector<int64_t> max_end;   // running max of end over calls[0..i]
};

class TraceIndex {
 public:
  explicit TraceIndex(const model::Trace& trace);
  TraceIndex(const TraceIndex&) = delete;

  const model::Trace& trace() const { return trace_; }
  stats::ReportContext& context() { return ctx_; }

  const std::vector<DeviceTimeline>& devices() const { return devices_; }
  const DeviceTimeline* device(int32_t id) const;
  // Span of all GPU work: first start to last end over every device.
  int64_t spanStart() const { return span_start_; }
  int64_t spanEnd() const { return span_end_; }
  int64_t span() const { return span_end_ - span_start_; }

  ApiClass apiClass(size_t api_row) const { return api_class_[trace_.api_calls.name[api_row]]; }
  KernelCategory kernelCategory(size_t kernel_row) const {
    return kernel_category_[trace_.kernels.name[kernel_row]];
  }
  // api_calls row that launched the GPU op, -1 when unknown.
  int32_t launchApi(uint32_t op) const;
  int64_t opPid(uint32_t op) const;
  model::StringId opName(uint32_t op) const;  // kernel name, or 0 for copies
  bool isKernel(uint32_t op) const { return stats::gpuOpTable(op) == stats::GpuOpTable::kKernel; }
  bool isMemcpy(uint32_t op) const { return stats::gpuOpTable(op) == stats::GpuOpTable::kMemcpy; }

  const std::vector<HostThread>& threads() const { return threads_; }
  const HostThread* thread(int64_t pid, int64_t tid) const;

  // Calls f(api_row) for every call on the thread overlapping [s, e).
  template <typename F>
  void forEachCallOverlapping(const HostThread& t, int64_t s, int64_t e, F&& f) const;

 private:
  const model::Trace& trace_;
  stats::ReportContext ctx_;
  std::vector<DeviceTimeline> devices_;
  int64_t span_start_ = 0, span_end_ = 0;
  std::vector<ApiClass> api_class_;            // by StringId
  std::vector<KernelCategory> kernel_category_;  // by StringId
  const std::vector<int32_t>* kernel_api_ = nullptr;
  const std::vector<int32_t>* memcpy_api_ = nullptr;
  const std::vector<int32_t>* memset_api_ = nullptr;
  std::vector<HostThread> threads_;
  struct PairHash {
    size_t operator()(const std::pair<int64_t, int64_t>& p) const {
      return std::hash<int64_t>()(p.first * 1000003 ^ p.second);
    }
  };
  std::unordered_map<std::pair<int64_t, int64_t>, uint32_t, PairHash> thread_index_;
};

template <typename F>
void TraceIndex::forEachCallOverlapping(const HostThread& t, int64_t s, int64_t e, F&& f) const {
  const auto& start = trace_.api_calls.start;
  // First call starting at or after e; walk back while some earlier call may
  // still reach into [s, e) (max_end is non-decreasing).
  size_t lo = 0, hi = t.calls.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (start[t.calls[mid]] < e) lo = mid + 1; else hi = mid;
  }
  for (size_t i = lo; i-- > 0;) {
    if (t.max_end[i] <= s) break;
    uint32_t row = t.calls[i];
    if (trace_.api_calls.end[row] > s) f(row);
  }
}

// Length of the union of sorted disjoint intervals clipped to [s, e).
int64_t coveredIn(const std::vector<Interval>& busy, int64_t s, int64_t e);
// Merges intervals sorted by start into a disjoint union.
std::vector<Interval> mergeIntervals(const std::vector<Interval>& sorted);

}  // namespace gpuscope::analysis
