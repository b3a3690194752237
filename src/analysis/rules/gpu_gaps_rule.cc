// gpu_gaps with causes. nsys's algorithm (reference/nsys.md §4) sorts op
// starts and ends separately so overlapping streams count as busy; gaps
// between the merged busy intervals of a device are the same periods. We
// work per device (nsys per process and device: a GPU shared by two
// processes is only idle when neither uses it) and add the cause.
#include <algorithm>
#include <map>

#include "analysis/rules/rules.h"

namespace gpuscope::analysis {

const char* gapCauseName(GapCause c) {
  switch (c) {
    case GapCause::kLaunchLatency: return "host launch latency";
    case GapCause::kSyncWait: return "synchronization wait";
    case GapCause::kCopy: return "host-side copy";
    case GapCause::kCpuWork: return "CPU work between launches";
    case GapCause::kDependency: return "launched early, waited on a dependency";
    case GapCause::kUnknown: return "unknown (no launching API call recorded)";
  }
  return "unknown";
}

std::vector<GpuGap> findGpuGaps(TraceIndex& index, int64_t min_ns) {
  std::vector<GpuGap> gaps;
  for (const DeviceTimeline& d : index.devices()) {
    size_t op = 0;
    for (size_t i = 0; i + 1 < d.busy.size(); ++i) {
      int64_t s = d.busy[i].end, e = d.busy[i + 1].start;
      while (op < d.ops.size() && d.ops[op].start < e) ++op;  // op = first starting at e
      if (e - s < min_ns) continue;
      GpuGap g;
      g.start = s;
      g.end = e;
      g.device = d.device;
      g.next_op = d.ops[op].op;
      for (size_t j = op; j-- > 0;)
        if (d.ops[j].end == s) {
          g.prev_op = d.ops[j].op;
          break;
        }
      classifyGap(index, g);
      gaps.push_back(g);
    }
  }
  return gaps;
}

GapCause classifyGap(TraceIndex& index, GpuGap& g) {
  const model::Trace& t = index.trace();
  int32_t api = index.launchApi(g.next_op);
  if (api < 0) return g.cause = GapCause::kUnknown;
  g.pid = t.api_calls.pid[api];
  g.tid = t.api_calls.tid[api];
  const HostThread* th = index.thread(g.pid, g.tid);
  int64_t gap = g.end - g.start;
  int64_t sync_time = 0, copy_time = 0, api_time = 0;
  bool sync_returned = false;
  if (th) {
    std::vector<Interval> spans;
    index.forEachCallOverlapping(*th, g.start, g.end, [&](uint32_t row) {
      int64_t s = std::max(g.start, t.api_calls.start[row]), e = std::min(g.end, t.api_calls.end[row]);
      ApiClass c = index.apiClass(row);
      if (isSyncClass(c)) {
        sync_time += e - s;
        if (t.api_calls.end[row] > g.start && t.api_calls.end[row] <= g.end) sync_returned = true;
      }
      if (c == ApiClass::kMemcpySync || c == ApiClass::kMemsetSync) copy_time += e - s;
      spans.push_back({s, e});
    });
    std::sort(spans.begin(), spans.end(), [](auto& a, auto& b) { return a.start < b.start; });
    for (const Interval& i : mergeIntervals(spans)) api_time += i.end - i.start;
  }
  // A host synchronization that returned inside the gap: the GPU drained,
  // the host woke up, and only then launched again.
  if (sync_returned || 2 * sync_time >= gap) return g.cause = GapCause::kSyncWait;
  bool next_is_blocking_copy = false;
  if (index.isMemcpy(g.next_op)) {
    uint32_t row = stats::gpuOpRow(g.next_op);
    ApiClass c = index.apiClass(api);
    next_is_blocking_copy = c == ApiClass::kMemcpySync || t.memcpys.src_kind[row] == 0 || t.memcpys.dst_kind[row] == 0;
  }
  if (2 * copy_time >= gap || next_is_blocking_copy) return g.cause = GapCause::kCopy;
  if (t.api_calls.start[api] < g.start) return g.cause = GapCause::kDependency;
  if (2 * api_time >= gap) return g.cause = GapCause::kLaunchLatency;
  return g.cause = GapCause::kCpuWork;
}

namespace {

const char* suggestionFor(GapCause c) {
  switch (c) {
    case GapCause::kLaunchLatency:
      return "the host spends the gap inside CUDA launch calls: capture the sequence in a CUDA graph "
             "(see the CUDA-graph advice), fuse small kernels, or batch more work per launch";
    case GapCause::kSyncWait:
      return "a host synchronization drains the GPU and the next launch comes only after the host wakes "
             "up: remove the sync, move it after more work is queued, or use events and "
             "cudaStreamWaitEvent instead of blocking the host";
    case GapCause::kCopy:
      return "the host is blocked in a copy: use pinned (page-locked) host memory and cudaMemcpyAsync "
             "on a separate stream so the copy overlaps compute";
    case GapCause::kCpuWork:
      return "the launching thread does non-CUDA work (framework, Python, pre/post-processing) "
             "between launches: move that work off the launch thread, or use CUDA graphs / "
             "torch.compile(mode=\"reduce-overhead\") so launches do not wait for the host";
    case GapCause::kDependency:
      return "the launch was queued before the GPU went idle: look for cross-stream waits "
             "(cudaStreamWaitEvent), a full launch queue, or graph-launch latency";
    case GapCause::kUnknown:
      return "record CUDA API calls (gpuscope trace --trace cuda) to see what the host was doing";
  }
  return "";
}

}  // namespace

void gpuGapsRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out) {
  std::vector<GpuGap> gaps = findGpuGaps(index, o.gap_min_ns);
  std::map<std::pair<int32_t, int>, std::vector<const GpuGap*>> groups;
  for (const GpuGap& g : gaps) groups[{g.device, static_cast<int>(g.cause)}].push_back(&g);
  for (auto& [key, list] : groups) {
    Finding f;
    f.rule = "gpu_gaps";
    GapCause cause = static_cast<GapCause>(key.second);
    f.title = std::string("GPU idle gaps >= ") + formatNs(o.gap_min_ns) + ": " + gapCauseName(cause);
    int64_t total = 0, largest = 0, gain = 0;
    const GpuGap* worst = list.front();
    for (const GpuGap* g : list) {
      int64_t d = g->end - g->start;
      total += d;
      gain += cause == GapCause::kLaunchLatency || cause == GapCause::kCpuWork
                  ? std::max<int64_t>(0, d - o.graph_residual_gap_ns)
                  : d;
      if (d > largest) largest = d, worst = g;
      Instance in{g->start, g->end, g->device, model::kNullI64, g->pid, g->tid,
                  "before " + kernelNameOf(index, g->next_op)};
      f.instances.push_back(std::move(in));
    }
    f.instance_count = list.size();
    keepTopInstances(f.instances, o.rows);
    f.start = worst->start;
    f.end = worst->end;
    f.device = worst->device;
    const DeviceTimeline* dev = index.device(worst->device);
    for (const GpuOp& op : dev->ops)
      if (op.op == worst->next_op) f.stream = op.stream;
    f.pid = worst->pid;
    f.tid = worst->tid;
    f.kernels = {kernelNameOf(index, worst->prev_op), kernelNameOf(index, worst->next_op)};
    f.evidence = {{"gaps", static_cast<double>(list.size()), "count"},
                  {"total_idle", static_cast<double>(total), "ns"},
                  {"largest_gap", static_cast<double>(largest), "ns"},
                  {"mean_gap", static_cast<double>(total) / list.size(), "ns"},
                  {"idle_share_of_span", percentOf(total, index.span()), "%"}};
    f.setGain(gain, index.span());
    f.suggestion = suggestionFor(cause);
    out.push_back(std::move(f));
  }
}

}  // namespace gpuscope::analysis
