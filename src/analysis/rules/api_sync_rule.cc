// cuda_api_sync (nsys): cudaDeviceSynchronize / cudaStreamSynchronize
// calls. nsys lists them; we also measure what each one costs the GPU: the
// idle time on the device from the sync's start until the first GPU op the
// thread launches after the sync returns (drain + host wake-up + relaunch).
#include <algorithm>
#include <map>

#include "analysis/rules/rules.h"

namespace gpuscope::analysis {

void apiSyncRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out) {
  const model::Trace& t = index.trace();
  stats::ReportContext& ctx = index.context();
  const std::vector<uint32_t>& begin = ctx.opsBegin();
  const std::vector<uint32_t>& ops = ctx.ops();
  Finding f;
  f.rule = "cuda_api_sync";
  int64_t blocked = 0, idle_total = 0;
  size_t calls = 0, device_syncs = 0;
  for (const HostThread& th : index.threads()) {
    for (size_t i = 0; i < th.calls.size(); ++i) {
      uint32_t a = th.calls[i];
      ApiClass c = index.apiClass(a);
      if (c != ApiClass::kDeviceSync && c != ApiClass::kStreamSync) continue;
      ++calls;
      device_syncs += c == ApiClass::kDeviceSync;
      int64_t s = t.api_calls.start[a], e = t.api_calls.end[a];
      blocked += e - s;
      // Next call on this thread that launched GPU work.
      int64_t idle = 0;
      for (size_t j = i + 1; j < th.calls.size() && j < i + 4096; ++j) {
        uint32_t b = th.calls[j];
        if (begin[b + 1] == begin[b]) continue;
        uint32_t op = ops[begin[b]];
        int64_t op_start = 0;
        int32_t dev = 0;
        uint32_t row = stats::gpuOpRow(op);
        switch (stats::gpuOpTable(op)) {
          case stats::GpuOpTable::kKernel: op_start = t.kernels.start[row], dev = t.kernels.device_id[row]; break;
          case stats::GpuOpTable::kMemcpy: op_start = t.memcpys.start[row], dev = t.memcpys.device_id[row]; break;
          case stats::GpuOpTable::kMemset: op_start = t.memsets.start[row], dev = t.memsets.device_id[row]; break;
        }
        if (const DeviceTimeline* d = index.device(dev); d && op_start > s)
          idle = (op_start - s) - coveredIn(d->busy, s, op_start);
        break;
      }
      idle_total += idle;
      f.instances.push_back({s, e, -1, model::kNullI64, th.pid, th.tid,
                             std::string(t.str(t.api_calls.name[a])) + ", GPU idle after it " + formatNs(idle)});
    }
  }
  if (calls == 0) return;
  f.instance_count = calls;
  keepTopInstances(f.instances, o.rows);
  f.placeAtWorstInstance();  // device -1 and no stream: a host call
  f.title = std::to_string(calls) + " host synchronization calls (cudaDeviceSynchronize/cudaStreamSynchronize)";
  f.evidence = {{"calls", static_cast<double>(calls), "count"},
                {"device_syncs", static_cast<double>(device_syncs), "count"},
                {"host_blocked", static_cast<double>(blocked), "ns"},
                {"gpu_idle_caused", static_cast<double>(idle_total), "ns"}};
  f.setGain(idle_total, index.span());
  f.suggestion =
      "each host synchronization empties the GPU queue; synchronize once per inference (or not at all: "
      "read results with an event and cudaStreamWaitEvent), and never inside a loop of small launches; "
      "syncs also prevent CUDA-graph capture";
  out.push_back(std::move(f));
}

}  // namespace gpuscope::analysis
