// Temporal and idle-time breakdowns (HTA definitions, in ns).
#include <algorithm>

#include "analysis/breakdowns/breakdowns.h"

namespace gpuscope::analysis {

std::vector<TemporalRow> temporalBreakdown(const TraceIndex& index) {
  const model::Trace& t = index.trace();
  std::vector<uint8_t> computation(t.strings.size(), 2);  // 2 = not decided yet
  std::vector<TemporalRow> rows;
  for (const DeviceTimeline& d : index.devices()) {
    TemporalRow r;
    r.device = d.device;
    r.span = d.last_end - d.first_start;
    r.idle = r.span - d.busyTime();
    std::vector<Interval> comp;
    for (const GpuOp& op : d.ops) {
      if (!index.isKernel(op.op)) continue;
      model::StringId name = index.opName(op.op);
      if (computation[name] == 2) computation[name] = isHtaComputation(t.str(name)) ? 1 : 0;
      if (computation[name]) comp.push_back({op.start, op.end});
    }
    for (const Interval& i : mergeIntervals(comp)) r.compute += i.end - i.start;
    r.non_compute = r.span - r.compute - r.idle;
    rows.push_back(r);
  }
  return rows;
}

std::vector<IdleRow> idleBreakdown(const TraceIndex& index, const AnalysisOptions& o) {
  const model::Trace& t = index.trace();
  std::vector<IdleRow> rows;
  for (const DeviceTimeline& d : index.devices()) {
    std::vector<uint32_t> order(d.ops.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return d.ops[a].stream < d.ops[b].stream; });
    for (size_t k = 0; k < order.size();) {
      IdleRow r;
      r.device = d.device;
      r.stream = d.ops[order[k]].stream;
      int64_t prev_end = d.ops[order[k]].end;
      size_t j = k + 1;
      for (; j < order.size() && d.ops[order[j]].stream == r.stream; ++j) {
        const GpuOp& op = d.ops[order[j]];
        int64_t interval = op.start - prev_end;
        if (interval > 0) {
          int32_t api = index.launchApi(op.op);
          if (api >= 0 && t.api_calls.start[api] > prev_end) r.host_wait += interval;
          else if (interval < o.kernel_wait_ns) r.kernel_wait += interval;
          else r.other += interval;
        }
        prev_end = std::max(prev_end, op.end);
      }
      rows.push_back(r);
      k = j;
    }
  }
  return rows;
}

Distribution distributionOf(std::vector<int64_t>& v) {
  Distribution d;
  d.count = v.size();
  if (v.empty()) return d;
  double sum = 0;
  for (int64_t x : v) sum += static_cast<double>(x);
  d.mean = sum / static_cast<double>(v.size());
  std::sort(v.begin(), v.end());
  d.median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  d.p95 = v[std::min(v.size() - 1, static_cast<size_t>(0.95 * static_cast<double>(v.size() - 1) + 0.5))];
  d.max = v.back();
  return d;
}

LaunchStats launchStats(const TraceIndex& index, const AnalysisOptions& o) {
  const model::Trace& t = index.trace();
  std::vector<int64_t> cpu, gpu, delay;
  LaunchStats s;
  for (const DeviceTimeline& d : index.devices()) {
    for (const GpuOp& op : d.ops) {
      int32_t api = index.launchApi(op.op);
      if (api < 0) continue;
      ApiClass c = index.apiClass(api);
      if (c != ApiClass::kLaunch && c != ApiClass::kMemcpyAsync && c != ApiClass::kMemsetAsync) continue;
      int64_t cd = t.api_calls.end[api] - t.api_calls.start[api];
      int64_t gd = op.end - op.start;
      int64_t dl = std::max<int64_t>(0, op.start - t.api_calls.end[api]);
      cpu.push_back(cd);
      gpu.push_back(gd);
      delay.push_back(dl);
      if (gd < cd && cd <= o.runtime_cutoff_ns) ++s.short_kernels;
      if (cd > o.runtime_cutoff_ns) ++s.runtime_outliers;
      if (dl > o.launch_delay_cutoff_ns) ++s.delay_outliers;
    }
  }
  s.pairs = cpu.size();
  s.cpu_duration = distributionOf(cpu);
  s.gpu_duration = distributionOf(gpu);
  s.launch_delay = distributionOf(delay);
  return s;
}

}  // namespace gpuscope::analysis
