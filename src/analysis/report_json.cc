// JSON rendering of an AnalysisReport, for tools. Times are integer ns;
// null where unknown.
#include <nlohmann/json.hpp>

#include "analysis/analysis.h"

namespace gpuscope::analysis {
namespace {

using nlohmann::json;

json nullable(int64_t v) { return v == model::kNullI64 ? json(nullptr) : json(v); }

json toJson(const Finding& f) {
  json j;
  j["id"] = f.id;
  j["rule"] = f.rule;
  j["title"] = f.title;
  j["severity"] = severityName(f.severity);
  j["where"] = {{"start_ns", f.start}, {"end_ns", f.end},       {"device", f.device < 0 ? json(nullptr) : json(f.device)},
                {"stream", nullable(f.stream)}, {"pid", nullable(f.pid)}, {"tid", nullable(f.tid)},
                {"kernels", f.kernels}};
  json ev = json::object();
  for (const Evidence& e : f.evidence) ev[e.name] = {{"value", e.value}, {"unit", e.unit}};
  j["evidence"] = ev;
  j["estimated_gain"] = {{"ns", f.gain_ns}, {"percent_of_span", f.gain_pct}};
  j["suggestion"] = f.suggestion;
  j["instance_count"] = f.instance_count;
  json in = json::array();
  for (const Instance& i : f.instances)
    in.push_back({{"start_ns", i.start}, {"end_ns", i.end}, {"device", i.device < 0 ? json(nullptr) : json(i.device)},
                  {"stream", nullable(i.stream)}, {"pid", nullable(i.pid)}, {"tid", nullable(i.tid)},
                  {"what", i.what}});
  j["instances"] = in;
  return j;
}

json toJson(const Distribution& d) {
  return {{"count", d.count}, {"mean_ns", d.mean}, {"median_ns", d.median}, {"p95_ns", d.p95}, {"max_ns", d.max}};
}

}  // namespace

std::string renderJson(const AnalysisReport& r) {
  json j;
  j["source"] = r.source;
  j["span"] = {{"start_ns", r.span_start}, {"end_ns", r.span_end}, {"duration_ns", r.span_end - r.span_start}};
  j["counts"] = {{"kernels", r.kernels}, {"memcpys", r.memcpys}, {"memsets", r.memsets}, {"api_calls", r.api_calls}};
  json fs = json::array();
  for (const Finding& f : r.findings) fs.push_back(toJson(f));
  j["findings"] = fs;

  const GraphAdvice& g = r.graph;
  json iters = json::array();
  for (const Iteration& it : g.iterations.items)
    iters.push_back({{"start_ns", it.start}, {"end_ns", it.end}, {"gpu_start_ns", it.gpu_start},
                     {"gpu_end_ns", it.gpu_end}, {"gpu_ops", it.ops.size()}, {"pid", nullable(it.pid)},
                     {"tid", nullable(it.tid)}});
  json blockers = json::array();
  for (const CaptureBlocker& b : g.blockers)
    blockers.push_back({{"api", b.api}, {"calls", b.calls}, {"first_start_ns", b.first_start}, {"reason", b.reason}});
  j["cuda_graph"] = {{"iteration_method", g.iterations.method},
                     {"iteration_name", g.iterations.name},
                     {"iterations", iters},
                     {"uses_graphs", g.uses_graphs},
                     {"launches_per_iteration", g.launches_per_iteration},
                     {"ops_per_iteration", g.ops_per_iteration},
                     {"median_gpu_span_ns", g.median_gpu_span},
                     {"median_busy_ns", g.median_busy},
                     {"mean_gap_ns", g.mean_gap_total},
                     {"mean_launch_gap_ns", g.mean_launch_gaps},
                     {"mean_launch_gap_count", g.mean_launch_gap_count},
                     {"mean_host_work_gap_ns", g.mean_host_work_gaps},
                     {"saving_per_iteration_ns", g.saving_per_iteration},
                     {"saving_percent_of_iteration", g.saving_pct},
                     {"capture_blockers", blockers},
                     {"verdict", g.verdict}};

  json temporal = json::array();
  for (const TemporalRow& t : r.temporal)
    temporal.push_back({{"device", t.device}, {"span_ns", t.span}, {"compute_ns", t.compute},
                        {"non_compute_ns", t.non_compute}, {"idle_ns", t.idle}});
  json idle = json::array();
  for (const IdleRow& i : r.idle)
    idle.push_back({{"device", i.device}, {"stream", i.stream}, {"host_wait_ns", i.host_wait},
                    {"kernel_wait_ns", i.kernel_wait}, {"other_ns", i.other}});
  json cats = json::array();
  for (const CategoryRow& c : r.kernel_breakdown.categories)
    cats.push_back({{"category", kernelCategoryName(c.category)}, {"count", c.count}, {"total_ns", c.total}});
  json top = json::array();
  for (const KernelRow& k : r.kernel_breakdown.top)
    top.push_back({{"name", k.name}, {"category", kernelCategoryName(k.category)}, {"count", k.count},
                   {"total_ns", k.total}, {"min_ns", k.min}, {"max_ns", k.max}, {"mean_ns", k.mean},
                   {"stddev_ns", k.stddev}});
  json seqs = json::array();
  for (const SequenceRow& s : r.sequences)
    seqs.push_back({{"launcher", s.launcher}, {"kernels", s.kernels}, {"count", s.count}, {"gpu_time_ns", s.gpu_time}});
  const LaunchStats& l = r.launch;
  j["breakdowns"] = {
      {"temporal", temporal},
      {"idle", idle},
      {"kernel_categories", cats},
      {"kernel_total_ns", r.kernel_breakdown.total},
      {"top_kernels", top},
      {"launch", {{"pairs", l.pairs}, {"cpu_duration", toJson(l.cpu_duration)}, {"gpu_duration", toJson(l.gpu_duration)},
                  {"launch_delay", toJson(l.launch_delay)}, {"short_kernels", l.short_kernels},
                  {"runtime_outliers", l.runtime_outliers}, {"delay_outliers", l.delay_outliers}}},
      {"frequent_sequences", seqs},
      {"nvtx_projection", {{"report", r.nvtx_projection.name}, {"header", r.nvtx_projection.header},
                           {"rows", r.nvtx_projection.rows}}}};
  // Kernels profiled by `gpuscope kernels` (null without kernel_metrics).
  j["profiled_kernels"] = r.profiled_kernels.rows.empty()
                              ? json(nullptr)
                              : json{{"report", r.profiled_kernels.name}, {"header", r.profiled_kernels.header},
                                     {"rows", r.profiled_kernels.rows}};

  if (r.layers) {
    json rows = json::array();
    for (const LayerRow& row : r.layers->rows) {
      const ParsedLayerName& p = row.parsed;
      rows.push_back({{"layer", row.layer}, {"kind", layerKindName(p.kind)}, {"inserted", p.inserted},
                      {"myelin", p.myelin}, {"pwn", p.pwn}, {"sources", p.sources}, {"constants", p.constants},
                      {"helpers", p.helpers}, {"target", p.target}, {"myelin_ops", p.myelin_ops},
                      {"mapped_by", row.source}, {"kernels", row.kernels}, {"calls", row.calls},
                      {"total_ns", row.total}, {"avg_ns", row.avg}, {"median_ns", row.median}, {"percent", row.pct},
                      {"per_iteration_ns", row.per_iteration}, {"top_kernel", row.top_kernel},
                      {"recognised", row.patterns}});
    }
    j["layers"] = {{"iterations", r.layers->iterations}, {"iteration_name", r.layers->iteration_name},
                   {"total_ns", r.layers->total}, {"rows", rows}};
  }
  // Kernel and NVTX names may hold invalid UTF-8: replace, never throw.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace gpuscope::analysis
