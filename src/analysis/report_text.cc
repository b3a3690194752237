// Text rendering of an AnalysisReport: findings first (worst first), then
// the CUDA-graph advice, the breakdowns and the layer table.
#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <string>

#include "analysis/analysis.h"
#include "analysis/rules/rules.h"

namespace gpuscope::analysis {
namespace {

class Out {
 public:
  void line(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    s_ += buf;
    s_ += '\n';
  }
  void raw(const std::string& x) { s_ += x; }
  std::string take() { return std::move(s_); }

 private:
  std::string s_;
};

std::string clip(const std::string& s, size_t n = 90) { return s.size() <= n ? s : s.substr(0, n - 3) + "..."; }

// A stats table as "a | b | c |" lines, header first.
void printTable(Out& out, const TableView& t) {
  std::string h;
  for (const auto& c : t.header) h += c + " | ";
  out.line("%s", h.c_str());
  for (const auto& row : t.rows) {
    std::string line;
    for (const auto& c : row) line += clip(c, 60) + " | ";
    out.line("%s", line.c_str());
  }
}
std::string ns(int64_t v) { return formatNs(v); }

std::string evidenceText(const Evidence& e) {
  char buf[128];
  if (e.unit == "ns") return e.name + "=" + formatNs(static_cast<int64_t>(e.value));
  if (e.unit == "%") std::snprintf(buf, sizeof buf, "%s=%.1f%%", e.name.c_str(), e.value);
  else if (e.value == static_cast<double>(static_cast<int64_t>(e.value)))
    std::snprintf(buf, sizeof buf, "%s=%lld", e.name.c_str(), static_cast<long long>(e.value));
  else std::snprintf(buf, sizeof buf, "%s=%.2f", e.name.c_str(), e.value);
  return buf;
}

std::string whereText(const Finding& f) {
  std::string w = std::to_string(f.start) + ".." + std::to_string(f.end) + " ns (" + formatNs(f.end - f.start) + ")";
  if (f.device >= 0) w += ", device " + std::to_string(f.device);
  if (f.stream != model::kNullI64) w += ", stream " + std::to_string(f.stream);
  if (f.pid != model::kNullI64) w += ", pid " + std::to_string(f.pid);
  if (f.tid != model::kNullI64) w += ", tid " + std::to_string(f.tid);
  return w;
}

double pct(int64_t a, int64_t b) { return percentOf(a, b); }

}  // namespace

std::string renderText(const AnalysisReport& r, const AnalysisOptions& o) {
  Out out;
  out.line("gpuscope analyze%s%s", r.source.empty() ? "" : ": ", r.source.c_str());
  out.line("GPU span %s (%lld..%lld ns); %zu kernels, %zu memcpys, %zu memsets, %zu API calls",
           ns(r.span_end - r.span_start).c_str(), static_cast<long long>(r.span_start),
           static_cast<long long>(r.span_end), r.kernels, r.memcpys, r.memsets, r.api_calls);
  out.line("thresholds: gap >= %s (nsys: 500 ms), utilisation < %.0f%% over %d chunks, rows %d",
           ns(o.gap_min_ns).c_str(), o.util_threshold_pct, o.util_chunks, o.rows);

  out.line("\n== Findings (%zu) ==", r.findings.size());
  if (r.findings.empty()) out.line("no problems found");
  for (const Finding& f : r.findings) {
    std::string sev = severityName(f.severity);
    for (char& c : sev) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out.line("\n[%s] %s  %s", sev.c_str(), f.id.c_str(), f.title.c_str());
    out.line("  where: %s", whereText(f).c_str());
    if (!f.kernels.empty()) {
      std::string k;
      for (size_t i = 0; i < f.kernels.size(); ++i) k += (i ? " | " : "") + clip(f.kernels[i], 70);
      out.line("  kernels: %s", k.c_str());
    }
    std::string ev;
    for (size_t i = 0; i < f.evidence.size(); ++i) ev += (i ? ", " : "") + evidenceText(f.evidence[i]);
    out.line("  evidence: %s", ev.c_str());
    out.line("  estimated gain: %s (%.1f%% of the GPU span)", ns(f.gain_ns).c_str(), f.gain_pct);
    out.line("  suggestion: %s", f.suggestion.c_str());
    size_t shown = std::min<size_t>(f.instances.size(), 5);
    if (shown) out.line("  top %zu of %zu:", shown, f.instance_count);
    for (size_t i = 0; i < shown; ++i) {
      const Instance& in = f.instances[i];
      out.line("    %lld..%lld ns (%s) %s", static_cast<long long>(in.start), static_cast<long long>(in.end),
               ns(in.end - in.start).c_str(), clip(in.what, 100).c_str());
    }
  }

  const GraphAdvice& g = r.graph;
  out.line("\n== CUDA graphs ==");
  if (g.iterations.items.empty()) {
    out.line("%s", g.verdict.c_str());
  } else {
    out.line("iterations: %zu x \"%s\" (found by %s)", g.iterations.items.size(), g.iterations.name.c_str(),
             g.iterations.method.c_str());
    out.line("per iteration: %.1f launches, %.1f GPU ops, GPU span %s (median), busy %s, gaps %s, of which "
             "launch overhead %s in %zu gaps",
             g.launches_per_iteration, g.ops_per_iteration, ns(g.median_gpu_span).c_str(), ns(g.median_busy).c_str(),
             ns(g.mean_gap_total).c_str(), ns(g.mean_launch_gaps).c_str(), g.mean_launch_gap_count);
    if (g.mean_host_work_gaps > 0)
      out.line("not counted: %s per iteration of CPU-work gaps longer than %s (host work a graph does not remove)",
               ns(g.mean_host_work_gaps).c_str(), ns(o.graph_max_cpu_gap_ns).c_str());
    out.line("%s", g.verdict.c_str());
    for (const CaptureBlocker& b : g.blockers)
      out.line("  capture blocker: %s x%zu (first at %lld ns): %s", b.api.c_str(), b.calls,
               static_cast<long long>(b.first_start), b.reason.c_str());
  }

  out.line("\n== Temporal breakdown (HTA) ==");
  out.line("%-7s %14s %14s %14s %14s %8s %8s %8s", "device", "span", "compute", "non-compute", "idle", "comp%",
           "noncomp%", "idle%");
  for (const TemporalRow& t : r.temporal)
    out.line("%-7d %14s %14s %14s %14s %7.2f%% %7.2f%% %7.2f%%", t.device, ns(t.span).c_str(), ns(t.compute).c_str(),
             ns(t.non_compute).c_str(), ns(t.idle).c_str(), pct(t.compute, t.span), pct(t.non_compute, t.span),
             pct(t.idle, t.span));

  out.line("\n== Idle time per stream (HTA: host wait / kernel wait < %s / other) ==", ns(o.kernel_wait_ns).c_str());
  out.line("%-7s %10s %14s %14s %14s %14s", "device", "stream", "host wait", "kernel wait", "other", "total");
  for (const IdleRow& i : r.idle)
    out.line("%-7d %10lld %14s %14s %14s %14s", i.device, static_cast<long long>(i.stream), ns(i.host_wait).c_str(),
             ns(i.kernel_wait).c_str(), ns(i.other).c_str(), ns(i.total()).c_str());

  const KernelBreakdown& kb = r.kernel_breakdown;
  out.line("\n== Kernels by category (total %s) ==", ns(kb.total).c_str());
  for (const CategoryRow& c : kb.categories)
    out.line("%-24s %8zu kernels %14s %6.1f%%", kernelCategoryName(c.category), c.count, ns(c.total).c_str(),
             pct(c.total, kb.total));
  out.line("\n== Top %zu kernels ==", kb.top.size());
  for (const KernelRow& k : kb.top)
    out.line("%6.1f%% %12s %6zu x avg %10s  %-12s %s", pct(k.total, kb.total), ns(k.total).c_str(), k.count,
             ns(static_cast<int64_t>(k.mean)).c_str(), kernelCategoryName(k.category), clip(k.name).c_str());

  const LaunchStats& l = r.launch;
  out.line("\n== Launch statistics (%zu launch/op pairs) ==", l.pairs);
  if (l.pairs) {
    auto dist = [&](const char* what, const Distribution& d) {
      out.line("%-14s mean %10s  median %10s  p95 %10s  max %10s", what, ns(static_cast<int64_t>(d.mean)).c_str(),
               ns(d.median).c_str(), ns(d.p95).c_str(), ns(d.max).c_str());
    };
    dist("cpu duration", l.cpu_duration);
    dist("gpu duration", l.gpu_duration);
    dist("launch delay", l.launch_delay);
    out.line("short kernels (gpu < cpu launch time): %zu; launch calls > %s: %zu; launch delay > %s: %zu",
             l.short_kernels, ns(o.runtime_cutoff_ns).c_str(), l.runtime_outliers,
             ns(o.launch_delay_cutoff_ns).c_str(), l.delay_outliers);
  }

  out.line("\n== Frequent kernel sequences (>= %d kernels) ==", o.min_pattern_len);
  if (r.sequences.empty()) out.line("none repeated");
  for (const SequenceRow& s : r.sequences) {
    out.line("%5zu x %s  GPU %s  (%s)", s.count, s.launcher.empty() ? "?" : clip(s.launcher, 40).c_str(),
             ns(s.gpu_time).c_str(), std::to_string(s.kernels.size()).append(" kernels").c_str());
    for (size_t i = 0; i < s.kernels.size() && i < 8; ++i) out.line("        %s", clip(s.kernels[i], 100).c_str());
    if (s.kernels.size() > 8) out.line("        ... %zu more", s.kernels.size() - 8);
  }

  out.line("\n== NVTX ranges projected onto the GPU (%s) ==", r.nvtx_projection.name.c_str());
  if (r.nvtx_projection.rows.empty()) out.line("no NVTX ranges with GPU work");
  else printTable(out, r.nvtx_projection);

  if (!r.profiled_kernels.rows.empty()) {
    out.line("\n== Kernels profiled by gpuscope kernels (%s) ==", r.profiled_kernels.name.c_str());
    printTable(out, r.profiled_kernels);
  }

  if (r.layers) {
    const LayerTable& t = *r.layers;
    out.line("\n== Layers (%zu iteration(s)%s%s; kernel time %s, per iteration %s) ==", t.iterations,
             t.iteration_name.empty() ? "" : " of ", t.iteration_name.c_str(), ns(t.total).c_str(),
             ns(t.total / static_cast<int64_t>(t.iterations)).c_str());
    out.line("%7s %12s %12s %7s %6s %10s %10s  %-16s %s", "%", "total", "per iter", "calls", "kerns", "avg",
             "median", "kind", "layer");
    for (const LayerRow& row : t.rows) {
      std::string kind = layerKindName(row.parsed.kind);
      if (row.parsed.inserted) kind += ",inserted";
      out.line("%6.2f%% %12s %12s %7zu %6zu %10s %10s  %-16s %s", row.pct, ns(row.total).c_str(),
               ns(static_cast<int64_t>(row.per_iteration)).c_str(), row.calls, row.kernels,
               ns(static_cast<int64_t>(row.avg)).c_str(), ns(row.median).c_str(), kind.c_str(),
               clip(row.layer, 80).c_str());
      if (row.parsed.sources.size() > 1 || row.parsed.kind == LayerKind::kForeignNode) {
        std::string s;
        for (size_t i = 0; i < row.parsed.sources.size(); ++i) s += (i ? ", " : "") + row.parsed.sources[i];
        out.line("%66s sources: %s", "", clip(s, 120).c_str());
      }
      if (!row.patterns.empty()) {
        std::string p;
        for (size_t i = 0; i < row.patterns.size(); ++i) p += (i ? ", " : "") + row.patterns[i];
        out.line("%66s recognised: %s", "", p.c_str());
      }
    }
  }
  return out.take();
}

}  // namespace gpuscope::analysis
