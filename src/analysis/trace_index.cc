#include "analysis/trace_index.h"

#include <algorithm>
#include <map>

namespace gpuscope::analysis {
namespace {

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }

}  // namespace

ApiClass classifyApiName(std::string_view n) {
  // Strip the _vNNNN / _ptsz / _ptds suffixes nsys and CUPTI add.
  bool runtime = startsWith(n, "cuda");
  bool driver = startsWith(n, "cu") && !runtime;
  if (!runtime && !driver) return ApiClass::kOther;
  std::string_view b = n.substr(runtime ? 4 : 2);
  if (startsWith(b, "LaunchKernel") || startsWith(b, "LaunchCooperativeKernel")) return ApiClass::kLaunch;
  if (startsWith(b, "GraphLaunch")) return ApiClass::kGraphLaunch;
  if (startsWith(b, "Memcpy")) return contains(b, "Async") ? ApiClass::kMemcpyAsync : ApiClass::kMemcpySync;
  if (startsWith(b, "Memset") || startsWith(b, "MemsetD"))
    return contains(b, "Async") ? ApiClass::kMemsetAsync : ApiClass::kMemsetSync;
  if (startsWith(b, "DeviceSynchronize") || startsWith(b, "CtxSynchronize")) return ApiClass::kDeviceSync;
  if (startsWith(b, "StreamSynchronize")) return ApiClass::kStreamSync;
  if (startsWith(b, "EventSynchronize")) return ApiClass::kEventSync;
  if (startsWith(b, "Malloc") || startsWith(b, "HostAlloc") || startsWith(b, "MemAlloc")) return ApiClass::kAlloc;
  if (startsWith(b, "Free") || startsWith(b, "MemFree")) return ApiClass::kFree;
  return ApiClass::kOther;
}

bool isSyncClass(ApiClass c) {
  return c == ApiClass::kDeviceSync || c == ApiClass::kStreamSync || c == ApiClass::kEventSync;
}

int64_t DeviceTimeline::busyTime() const {
  int64_t t = 0;
  for (const Interval& i : busy) t += i.end - i.start;
  return t;
}

std::vector<Interval> mergeIntervals(const std::vector<Interval>& sorted) {
  std::vector<Interval> out;
  for (const Interval& i : sorted) {
    if (!out.empty() && i.start <= out.back().end) out.back().end = std::max(out.back().end, i.end);
    else out.push_back(i);
  }
  return out;
}

int64_t coveredIn(const std::vector<Interval>& busy, int64_t s, int64_t e) {
  if (e <= s) return 0;
  auto it = std::lower_bound(busy.begin(), busy.end(), s,
                             [](const Interval& i, int64_t v) { return i.end <= v; });
  int64_t t = 0;
  for (; it != busy.end() && it->start < e; ++it) t += std::min(e, it->end) - std::max(s, it->start);
  return t;
}

TraceIndex::TraceIndex(const model::Trace& trace) : trace_(trace), ctx_(trace) {
  kernel_api_ = &ctx_.kernelApi();
  memcpy_api_ = &ctx_.memcpyApi();
  memset_api_ = &ctx_.memsetApi();

  size_t nstr = trace.strings.size();
  api_class_.assign(nstr, ApiClass::kOther);
  kernel_category_.assign(nstr, KernelCategory::kOther);
  std::vector<uint8_t> seen(nstr, 0);
  for (model::StringId id : trace.api_calls.name)
    if (!(seen[id] & 1)) {
      seen[id] |= 1;
      api_class_[id] = classifyApiName(trace.str(id));
    }
  for (model::StringId id : trace.kernels.name)
    if (!(seen[id] & 2)) {
      seen[id] |= 2;
      kernel_category_[id] = classifyKernelName(trace.str(id));
    }

  // GPU ops per device. Rows with start <= 0 or end < start are skipped as
  // nsys's gpu_gaps does (start > 0).
  std::map<int32_t, size_t> slot;
  auto add = [&](int32_t dev, int64_t s, int64_t e, int64_t stream, uint32_t op) {
    if (s <= 0 || e < s) return;
    auto [it, fresh] = slot.try_emplace(dev, devices_.size());
    if (fresh) {
      devices_.emplace_back();
      devices_.back().device = dev;
    }
    devices_[it->second].ops.push_back({s, e, stream, op});
  };
  using stats::GpuOpTable;
  const auto& k = trace.kernels;
  for (size_t i = 0; i < k.size(); ++i)
    add(k.device_id[i], k.start[i], k.end[i], k.stream_id[i], stats::packGpuOp(GpuOpTable::kKernel, i));
  const auto& c = trace.memcpys;
  for (size_t i = 0; i < c.size(); ++i)
    add(c.device_id[i], c.start[i], c.end[i], c.stream_id[i], stats::packGpuOp(GpuOpTable::kMemcpy, i));
  const auto& m = trace.memsets;
  for (size_t i = 0; i < m.size(); ++i)
    add(m.device_id[i], m.start[i], m.end[i], m.stream_id[i], stats::packGpuOp(GpuOpTable::kMemset, i));
  std::sort(devices_.begin(), devices_.end(), [](auto& a, auto& b) { return a.device < b.device; });
  bool first = true;
  for (DeviceTimeline& d : devices_) {
    std::sort(d.ops.begin(), d.ops.end(), [](const GpuOp& a, const GpuOp& b) {
      return a.start != b.start ? a.start < b.start : a.end < b.end;
    });
    int64_t last = d.ops.front().end;
    for (const GpuOp& o : d.ops) {
      if (!d.busy.empty() && o.start <= d.busy.back().end) d.busy.back().end = std::max(d.busy.back().end, o.end);
      else d.busy.push_back({o.start, o.end});
      last = std::max(last, o.end);
    }
    d.first_start = d.ops.front().start;
    d.last_end = last;
    span_start_ = first ? d.first_start : std::min(span_start_, d.first_start);
    span_end_ = first ? d.last_end : std::max(span_end_, d.last_end);
    first = false;
  }

  // Host calls per thread, in start order (the table is sorted by start).
  const auto& a = trace.api_calls;
  for (size_t i = 0; i < a.size(); ++i) {
    auto [it, fresh] = thread_index_.try_emplace({a.pid[i], a.tid[i]}, threads_.size());
    if (fresh) threads_.push_back({a.pid[i], a.tid[i], {}, {}});
    HostThread& t = threads_[it->second];
    int64_t prev = t.max_end.empty() ? a.end[i] : std::max(t.max_end.back(), a.end[i]);
    t.calls.push_back(static_cast<uint32_t>(i));
    t.max_end.push_back(prev);
  }
}

const DeviceTimeline* TraceIndex::device(int32_t id) const {
  for (const auto& d : devices_)
    if (d.device == id) return &d;
  return nullptr;
}

const HostThread* TraceIndex::thread(int64_t pid, int64_t tid) const {
  auto it = thread_index_.find({pid, tid});
  return it == thread_index_.end() ? nullptr : &threads_[it->second];
}

int32_t TraceIndex::launchApi(uint32_t op) const {
  uint32_t row = stats::gpuOpRow(op);
  switch (stats::gpuOpTable(op)) {
    case stats::GpuOpTable::kKernel: return (*kernel_api_)[row];
    case stats::GpuOpTable::kMemcpy: return (*memcpy_api_)[row];
    case stats::GpuOpTable::kMemset: return (*memset_api_)[row];
  }
  return -1;
}

int64_t TraceIndex::opPid(uint32_t op) const {
  uint32_t row = stats::gpuOpRow(op);
  switch (stats::gpuOpTable(op)) {
    case stats::GpuOpTable::kKernel: return trace_.kernels.pid[row];
    case stats::GpuOpTable::kMemcpy: return trace_.memcpys.pid[row];
    case stats::GpuOpTable::kMemset: return trace_.memsets.pid[row];
  }
  return model::kNullI64;
}

model::StringId TraceIndex::opName(uint32_t op) const {
  return isKernel(op) ? trace_.kernels.name[stats::gpuOpRow(op)] : model::kEmptyString;
}

}  // namespace gpuscope::analysis
