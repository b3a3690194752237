#include "analysis/graph_advice.h"

#include <algorithm>
#include <map>

#include "analysis/rules/rules.h"

namespace gpuscope::analysis {
namespace {

struct OpTimes {
  int64_t start, end;
  int32_t device;
};

OpTimes timesOf(const model::Trace& t, uint32_t op) {
  uint32_t r = stats::gpuOpRow(op);
  switch (stats::gpuOpTable(op)) {
    case stats::GpuOpTable::kKernel: return {t.kernels.start[r], t.kernels.end[r], t.kernels.device_id[r]};
    case stats::GpuOpTable::kMemcpy: return {t.memcpys.start[r], t.memcpys.end[r], t.memcpys.device_id[r]};
    case stats::GpuOpTable::kMemset: return {t.memsets.start[r], t.memsets.end[r], t.memsets.device_id[r]};
  }
  return {0, 0, 0};
}

const char* blockerReason(ApiClass c) {
  switch (c) {
    case ApiClass::kDeviceSync: return "device synchronization is not permitted while a stream is captured";
    case ApiClass::kStreamSync: return "synchronizing the capturing stream invalidates the capture";
    case ApiClass::kEventSync: return "host waits on an event: not permitted during capture";
    case ApiClass::kMemcpySync: return "synchronous copy on the legacy stream blocks the host: illegal in capture";
    case ApiClass::kMemsetSync: return "synchronous memset: illegal in capture";
    case ApiClass::kAlloc:
      return "allocation may synchronize and is not permitted in global capture mode: allocate before "
             "capture or use cudaMallocAsync";
    case ApiClass::kFree: return "free synchronizes the device: move it out of the loop or use cudaFreeAsync";
    default: return "";
  }
}

template <typename T>
T median(std::vector<T> v) {
  if (v.empty()) return T{};
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

}  // namespace

GraphAdvice adviseCudaGraphs(TraceIndex& index, const AnalysisOptions& o) {
  const model::Trace& t = index.trace();
  GraphAdvice a;
  a.iterations = detectIterations(index);
  const auto& items = a.iterations.items;
  if (items.empty()) {
    a.verdict = "no repeated iteration found (no repeated NVTX/annotation range and no repeating kernel sequence)";
    return a;
  }
  std::vector<int64_t> spans, busy;
  int64_t gap_total = 0, launch_gaps = 0, saving = 0, host_work = 0;
  size_t launch_gap_count = 0, launches = 0, ops_total = 0, graph_ops = 0;
  std::map<std::string, CaptureBlocker> blockers;
  for (const Iteration& it : items) {
    // The device most of the iteration's work ran on.
    std::map<int32_t, size_t> per_device;
    for (uint32_t op : it.ops) ++per_device[timesOf(t, op).device];
    int32_t dev = per_device.empty() ? 0 : std::max_element(per_device.begin(), per_device.end(), [](auto& x, auto& y) {
                                             return x.second < y.second;
                                           })->first;
    std::vector<std::pair<OpTimes, uint32_t>> ops;
    std::vector<int32_t> apis;
    for (uint32_t op : it.ops) {
      OpTimes ot = timesOf(t, op);
      if (ot.device == dev) ops.push_back({ot, op});
      int32_t api = index.launchApi(op);
      if (api >= 0) {
        apis.push_back(api);
        graph_ops += index.apiClass(api) == ApiClass::kGraphLaunch;
        if (index.isMemcpy(op) && index.apiClass(api) == ApiClass::kMemcpyAsync) {
          uint32_t r = stats::gpuOpRow(op);
          if (t.memcpys.src_kind[r] == 0 || t.memcpys.dst_kind[r] == 0) {
            CaptureBlocker& b = blockers["cudaMemcpyAsync (pageable)"];
            if (b.calls++ == 0) {
              b.api = "cudaMemcpyAsync (pageable)";
              b.reason = "copies from pageable memory cannot be captured: pin the host buffer";
              b.first_start = t.api_calls.start[api];
            }
          }
        }
      }
    }
    ops_total += it.ops.size();
    std::sort(apis.begin(), apis.end());
    launches += std::unique(apis.begin(), apis.end()) - apis.begin();
    spans.push_back(it.gpu_end - it.gpu_start);
    // Gaps between the merged intervals of the iteration's ops on `dev`.
    std::vector<Interval> iv;
    for (auto& [ot, op] : ops) iv.push_back({ot.start, ot.end});
    std::vector<Interval> merged = mergeIntervals(iv);
    int64_t b = 0;
    for (const Interval& m : merged) b += m.end - m.start;
    busy.push_back(b);
    size_t k = 0;
    for (size_t i = 0; i + 1 < merged.size(); ++i) {
      GpuGap g;
      g.start = merged[i].end;
      g.end = merged[i + 1].start;
      g.device = dev;
      while (k < ops.size() && ops[k].first.start < g.end) ++k;
      g.next_op = ops[k].second;
      classifyGap(index, g);
      int64_t d = g.end - g.start;
      gap_total += d;
      if (g.cause == GapCause::kCpuWork && d > o.graph_max_cpu_gap_ns) {
        host_work += d;
      } else if (g.cause == GapCause::kLaunchLatency || g.cause == GapCause::kCpuWork) {
        launch_gaps += d;
        ++launch_gap_count;
        saving += std::max<int64_t>(0, d - o.graph_residual_gap_ns);
      }
    }
    // Capture blockers: calls on the iteration's thread inside its range.
    if (const HostThread* th = index.thread(it.pid, it.tid)) {
      index.forEachCallOverlapping(*th, it.start, it.end + 1, [&](uint32_t row) {
        if (t.api_calls.start[row] < it.start || t.api_calls.end[row] > it.end) return;
        ApiClass c = index.apiClass(row);
        const char* why = blockerReason(c);
        if (!*why) return;
        std::string name(t.str(t.api_calls.name[row]));
        CaptureBlocker& bl = blockers[name];
        if (bl.calls++ == 0 || t.api_calls.start[row] < bl.first_start) bl.first_start = t.api_calls.start[row];
        bl.api = name;
        bl.reason = why;
      });
    }
  }
  size_t n = items.size();
  a.uses_graphs = graph_ops * 2 >= ops_total && ops_total > 0;
  a.launches_per_iteration = static_cast<double>(launches) / n;
  a.ops_per_iteration = static_cast<double>(ops_total) / n;
  a.median_gpu_span = median(spans);
  a.median_busy = median(busy);
  a.mean_gap_total = gap_total / static_cast<int64_t>(n);
  a.mean_launch_gaps = launch_gaps / static_cast<int64_t>(n);
  a.mean_launch_gap_count = launch_gap_count / n;
  a.mean_host_work_gaps = host_work / static_cast<int64_t>(n);
  a.saving_per_iteration = a.uses_graphs ? 0 : saving / static_cast<int64_t>(n);
  a.saving_pct = percentOf(a.saving_per_iteration, a.median_gpu_span);
  for (auto& [name, b] : blockers) a.blockers.push_back(b);
  std::sort(a.blockers.begin(), a.blockers.end(), [](auto& x, auto& y) { return x.calls > y.calls; });
  if (a.uses_graphs) {
    a.verdict = "the iteration already replays a CUDA graph; remaining gaps per iteration: " +
                formatNs(a.mean_gap_total);
  } else if (a.saving_per_iteration <= 0) {
    a.verdict = "launch overhead is not visible between this iteration's GPU ops: a CUDA graph would save little";
  } else {
    a.verdict = "a CUDA graph would save about " + formatNs(a.saving_per_iteration) + " per iteration (" +
                std::to_string(static_cast<int>(a.saving_pct + 0.5)) + "% of its GPU span)";
    if (!a.blockers.empty()) a.verdict += "; fix the capture blockers first";
  }
  return a;
}

bool graphAdviceFinding(const TraceIndex& index, const GraphAdvice& a, Finding& f) {
  if (a.iterations.items.empty() || a.uses_graphs || a.saving_per_iteration <= 0) return false;
  const auto& items = a.iterations.items;
  f.rule = "cuda_graph";
  f.title = "launch overhead inside the repeated iteration \"" + a.iterations.name + "\": use a CUDA graph";
  f.start = items.front().start;
  f.end = items.back().end;
  f.pid = items.front().pid;
  f.tid = items.front().tid;
  int64_t total = a.saving_per_iteration * static_cast<int64_t>(items.size());
  f.setGain(total, index.span());
  f.evidence = {{"iterations", static_cast<double>(items.size()), "count"},
                {"launches_per_iteration", a.launches_per_iteration, "count"},
                {"median_iteration_gpu_span", static_cast<double>(a.median_gpu_span), "ns"},
                {"launch_gaps_per_iteration", static_cast<double>(a.mean_launch_gaps), "ns"},
                {"saving_per_iteration", static_cast<double>(a.saving_per_iteration), "ns"},
                {"saving_share_of_iteration", a.saving_pct, "%"},
                {"capture_blockers", static_cast<double>(a.blockers.size()), "count"}};
  for (const Iteration& it : items)
    f.instances.push_back({it.gpu_start, it.gpu_end, -1, model::kNullI64, it.pid, it.tid, "iteration"});
  f.instance_count = items.size();
  f.suggestion = "capture one iteration with cudaStreamBeginCapture/EndCapture (PyTorch: torch.cuda.graphs / "
                 "torch.compile(mode=\"reduce-overhead\"); TensorRT: trtexec --useCudaGraph) and replay it";
  if (!a.blockers.empty()) {
    f.suggestion += "; first remove from the loop:";
    for (const auto& b : a.blockers) f.suggestion += " " + b.api + " (" + std::to_string(b.calls) + "x)";
  }
  return true;
}

}  // namespace gpuscope::analysis
