// gpu_time_util (nsys algorithm, reference/nsys.md §4) and launch-bound
// phases (kernels that finish before the host has launched the next one).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analysis/rules/rules.h"

namespace gpuscope::analysis {

void gpuTimeUtilRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out) {
  int chunks = std::clamp(o.util_chunks, 1, 1000);
  for (const DeviceTimeline& d : index.devices()) {
    int64_t span = d.last_end - d.first_start;
    if (span <= 0) continue;
    int64_t size = (span + chunks - 1) / chunks;  // ceil(span / chunks)
    int n = static_cast<int>((span + size - 1) / size);
    // Sum of per-op overlaps per chunk: concurrent streams can exceed 100 %.
    std::vector<double> used(n, 0);
    for (const GpuOp& op : d.ops) {
      int64_t s = op.start - d.first_start, e = op.end - d.first_start;
      for (int64_t c = s / size; c < n && c * size < e; ++c) {
        int64_t cs = c * size, ce = cs + size;
        used[c] += static_cast<double>(std::min(e, ce) - std::max(s, cs));
      }
    }
    struct Window {
      int64_t start, end;
      double in_use;
    };
    std::vector<Window> windows;
    for (int c = 0; c < n; ++c) {
      int64_t cs = d.first_start + c * size, ce = std::min(cs + size, d.last_end);
      double pct = 100.0 * used[c] / static_cast<double>(size);
      if (pct >= o.util_threshold_pct) continue;
      if (!windows.empty() && windows.back().end == cs) {
        // Merge with a size-weighted average of In-Use.
        Window& w = windows.back();
        double a = static_cast<double>(w.end - w.start), b = static_cast<double>(ce - cs);
        w.in_use = (w.in_use * a + pct * b) / (a + b);
        w.end = ce;
      } else {
        windows.push_back({cs, ce, pct});
      }
    }
    if (windows.empty()) continue;
    Finding f;
    f.rule = "gpu_time_util";
    f.title = "GPU utilisation below " + std::to_string(static_cast<int>(o.util_threshold_pct)) + "% in " +
              std::to_string(windows.size()) + " window(s)";
    f.device = d.device;
    int64_t idle = 0, low_time = 0;
    const Window* worst = &windows.front();
    for (const Window& w : windows) {
      int64_t len = w.end - w.start;
      low_time += len;
      idle += len - coveredIn(d.busy, w.start, w.end);
      if (w.in_use < worst->in_use) worst = &w;
    }
    // Instances as nsys lists them: In-Use ascending.
    std::vector<const Window*> order;
    for (const Window& w : windows) order.push_back(&w);
    std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->in_use < b->in_use; });
    for (const Window* w : order) {
      if (o.rows >= 0 && f.instances.size() >= static_cast<size_t>(o.rows)) break;
      char what[64];
      std::snprintf(what, sizeof what, "in use %.1f%%", w->in_use);
      f.instances.push_back({w->start, w->end, d.device, model::kNullI64, model::kNullI64, model::kNullI64, what});
    }
    f.instance_count = windows.size();
    f.start = worst->start;
    f.end = worst->end;
    f.evidence = {{"chunk_size", static_cast<double>(size), "ns"},
                  {"chunks", static_cast<double>(n), "count"},
                  {"low_windows", static_cast<double>(windows.size()), "count"},
                  {"low_time", static_cast<double>(low_time), "ns"},
                  {"lowest_in_use", worst->in_use, "%"},
                  {"idle_in_low_windows", static_cast<double>(idle), "ns"}};
    f.setGain(idle, index.span());
    f.suggestion =
        "the GPU is mostly idle in these windows: see the gaps found there and their causes; if the work "
        "itself is small, batch requests or run independent work on other streams";
    out.push_back(std::move(f));
  }
}

void launchBoundRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out) {
  const model::Trace& t = index.trace();
  for (const DeviceTimeline& d : index.devices()) {
    // Kernels launched one by one from the host (graph replays excluded).
    std::vector<const GpuOp*> ks;
    std::vector<int32_t> api;
    for (const GpuOp& op : d.ops) {
      if (!index.isKernel(op.op)) continue;
      int32_t a = index.launchApi(op.op);
      if (a < 0 || index.apiClass(a) != ApiClass::kLaunch) continue;
      ks.push_back(&op);
      api.push_back(a);
    }
    struct Phase {
      size_t first, last;  // indices in ks, inclusive
      int64_t idle, gain, kernel_time, launch_span;
    };
    std::vector<Phase> phases;
    size_t run_start = 0;
    auto close = [&](size_t first, size_t last) {  // kernels first..last, last is the one launched after
      if (last - first < static_cast<size_t>(o.launch_bound_min_kernels)) return;
      Phase p{first, last, 0, 0, 0, 0};
      for (size_t i = first; i < last; ++i) {
        int64_t gap = ks[i + 1]->start - ks[i]->end;
        p.idle += gap;
        p.gain += std::max<int64_t>(0, gap - o.graph_residual_gap_ns);
        p.kernel_time += ks[i]->end - ks[i]->start;
      }
      p.launch_span = t.api_calls.start[api[last]] - t.api_calls.start[api[first]];
      phases.push_back(p);
    };
    for (size_t i = 0; i + 1 < ks.size(); ++i) {
      int64_t interval = t.api_calls.start[api[i + 1]] - t.api_calls.start[api[i]];
      int64_t dur = ks[i]->end - ks[i]->start;
      bool bound = interval > 0 && dur < interval && ks[i + 1]->start > ks[i]->end;
      if (!bound) {
        close(run_start, i);
        run_start = i + 1;
      }
    }
    if (!ks.empty()) close(run_start, ks.size() - 1);
    if (phases.empty()) continue;
    Finding f;
    f.rule = "launch_bound";
    f.device = d.device;
    int64_t idle = 0, gain = 0, kernel_time = 0, launch_span = 0;
    size_t kernels = 0;
    const Phase* worst = &phases.front();
    for (const Phase& p : phases) {
      idle += p.idle;
      gain += p.gain;
      kernel_time += p.kernel_time;
      launch_span += p.launch_span;
      kernels += p.last - p.first;
      if (p.idle > worst->idle) worst = &p;
      f.instances.push_back({ks[p.first]->start, ks[p.last]->start, d.device, ks[p.first]->stream,
                             t.api_calls.pid[api[p.first]], t.api_calls.tid[api[p.first]],
                             std::to_string(p.last - p.first) + " kernels, idle " + formatNs(p.idle)});
    }
    f.instance_count = phases.size();
    keepTopInstances(f.instances, o.rows);
    f.title = "launch-bound: " + std::to_string(kernels) + " kernels finish before the host launches the next";
    f.start = ks[worst->first]->start;
    f.end = ks[worst->last]->start;
    f.stream = ks[worst->first]->stream;
    f.pid = t.api_calls.pid[api[worst->first]];
    f.tid = t.api_calls.tid[api[worst->first]];
    for (size_t i = worst->first; i <= worst->last && f.kernels.size() < 5; ++i) {
      std::string n = kernelNameOf(index, ks[i]->op);
      if (std::find(f.kernels.begin(), f.kernels.end(), n) == f.kernels.end()) f.kernels.push_back(n);
    }
    f.evidence = {{"phases", static_cast<double>(phases.size()), "count"},
                  {"kernels", static_cast<double>(kernels), "count"},
                  {"mean_kernel_duration", static_cast<double>(kernel_time) / kernels, "ns"},
                  {"mean_launch_interval", static_cast<double>(launch_span) / kernels, "ns"},
                  {"idle_between_kernels", static_cast<double>(idle), "ns"}};
    f.setGain(gain, index.span());
    f.suggestion =
        "kernels run shorter than the host needs to launch them, so the GPU waits on every launch: "
        "capture these launches in a CUDA graph (one cudaGraphLaunch replaces them), fuse kernels, or "
        "raise the batch size so each kernel does more work";
    out.push_back(std::move(f));
  }
}

}  // namespace gpuscope::analysis
