// nsys's cuda_memcpy_async, cuda_memcpy_sync and cuda_memset_sync rules
// (reference/nsys.md §4): copies and sets whose API call blocks the host.
// The gain is the time the host spent blocked in those calls, which is
// time it could have spent queueing work.
#include <algorithm>

#include "analysis/rules/rules.h"

namespace gpuscope::analysis {
namespace {

struct Hit {
  uint32_t op;
  int32_t api;
};

void emit(TraceIndex& index, const AnalysisOptions& o, std::vector<Hit>& hits, const char* rule,
          std::string title, std::string suggestion, std::vector<Finding>& out) {
  if (hits.empty()) return;
  const model::Trace& t = index.trace();
  Finding f;
  f.rule = rule;
  f.title = std::move(title) + " (" + std::to_string(hits.size()) + " calls)";
  int64_t blocked = 0, gpu_time = 0, bytes = 0;
  const Hit* worst = &hits.front();
  int64_t worst_dur = -1;
  for (const Hit& h : hits) {
    uint32_t row = stats::gpuOpRow(h.op);
    bool copy = index.isMemcpy(h.op);
    int64_t s = copy ? t.memcpys.start[row] : t.memsets.start[row];
    int64_t e = copy ? t.memcpys.end[row] : t.memsets.end[row];
    int64_t api_dur = t.api_calls.end[h.api] - t.api_calls.start[h.api];
    blocked += api_dur;
    gpu_time += e - s;
    bytes += copy ? t.memcpys.bytes[row] : t.memsets.bytes[row];
    if (e - s > worst_dur) worst_dur = e - s, worst = &h;
    std::string what(t.str(t.api_calls.name[h.api]));
    what += " " + std::to_string(copy ? t.memcpys.bytes[row] : t.memsets.bytes[row]) + " B";
    if (copy)
      what += std::string(" ") + std::string(model::memKindName(t.memcpys.src_kind[row])) + " -> " +
              std::string(model::memKindName(t.memcpys.dst_kind[row]));
    f.instances.push_back({s, e, copy ? t.memcpys.device_id[row] : t.memsets.device_id[row],
                           copy ? t.memcpys.stream_id[row] : t.memsets.stream_id[row], t.api_calls.pid[h.api],
                           t.api_calls.tid[h.api], std::move(what)});
  }
  f.instance_count = hits.size();
  keepTopInstances(f.instances, o.rows);  // duration descending, as nsys sorts
  f.placeAtWorstInstance();
  f.kernels = {kernelNameOf(index, worst->op)};
  f.evidence = {{"calls", static_cast<double>(hits.size()), "count"},
                {"host_blocked", static_cast<double>(blocked), "ns"},
                {"gpu_time", static_cast<double>(gpu_time), "ns"},
                {"bytes", static_cast<double>(bytes), "bytes"}};
  f.setGain(blocked, index.span());
  f.suggestion = std::move(suggestion);
  out.push_back(std::move(f));
}

}  // namespace

void memcpyAsyncPageableRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out) {
  const auto& m = index.trace().memcpys;
  std::vector<Hit> hits;
  for (size_t i = 0; i < m.size(); ++i) {
    uint32_t op = stats::packGpuOp(stats::GpuOpTable::kMemcpy, i);
    int32_t api = index.launchApi(op);
    if (api < 0 || index.apiClass(api) != ApiClass::kMemcpyAsync) continue;
    if (m.src_kind[i] == static_cast<int32_t>(model::MemKind::kPageable) ||
        m.dst_kind[i] == static_cast<int32_t>(model::MemKind::kPageable))
      hits.push_back({op, api});
  }
  emit(index, o, hits, "cuda_memcpy_async", "asynchronous memcpy from/to pageable memory runs synchronously",
       "allocate the host buffer with cudaMallocHost/cudaHostAlloc (or pin it with cudaHostRegister; "
       "PyTorch: pin_memory=True) so cudaMemcpyAsync really is asynchronous",
       out);
}

void memcpySyncRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out) {
  const auto& m = index.trace().memcpys;
  std::vector<Hit> hits;
  for (size_t i = 0; i < m.size(); ++i) {
    uint32_t op = stats::packGpuOp(stats::GpuOpTable::kMemcpy, i);
    int32_t api = index.launchApi(op);
    if (api < 0 || index.apiClass(api) != ApiClass::kMemcpySync) continue;
    int32_t kind = m.copy_kind[i];
    // Copies within one device and small HtoD copies return before the copy
    // completes (nsys excludes both).
    if (kind == static_cast<int32_t>(model::CopyKind::kDtoD) &&
        (m.src_device_id[i] == m.dst_device_id[i] || m.src_device_id[i] == model::kNullI32))
      continue;
    if (kind == static_cast<int32_t>(model::CopyKind::kHtoD) && m.bytes[i] <= o.sync_htod_small_bytes) continue;
    hits.push_back({op, api});
  }
  emit(index, o, hits, "cuda_memcpy_sync", "synchronous memcpy blocks the host",
       "use cudaMemcpyAsync with pinned host memory on a non-default stream and synchronize once, "
       "where the result is needed",
       out);
}

void memsetSyncRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out) {
  const auto& m = index.trace().memsets;
  std::vector<Hit> hits;
  for (size_t i = 0; i < m.size(); ++i) {
    uint32_t op = stats::packGpuOp(stats::GpuOpTable::kMemset, i);
    int32_t api = index.launchApi(op);
    if (api < 0 || index.apiClass(api) != ApiClass::kMemsetSync) continue;
    if (m.mem_kind[i] == static_cast<int32_t>(model::MemKind::kPinned) ||
        m.mem_kind[i] == static_cast<int32_t>(model::MemKind::kManaged))
      hits.push_back({op, api});
  }
  emit(index, o, hits, "cuda_memset_sync", "synchronous memset on pinned or managed memory",
       "use cudaMemsetAsync on the stream that consumes the buffer", out);
}

}  // namespace gpuscope::analysis
