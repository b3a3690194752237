#include "report/page_data.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "analysis/kernel_category.h"
#include "export/json_text.h"
#include "report/columnar.h"
#include "stats/cell_text.h"
#include "stats/format.h"
#include "stats/registry.h"
#include "stats/reports/reports.h"

namespace gpuscope::report {
namespace {

using exporters::appendJsonString;

// A minimal JSON writer: commas are managed by the caller's structure.
class Json {
 public:
  explicit Json(std::string& out) : out_(out) {}
  Json& key(std::string_view k) {
    comma();
    appendJsonString(out_, k);
    out_.push_back(':');
    fresh_ = true;
    return *this;
  }
  Json& str(std::string_view s) { comma(); appendJsonString(out_, s); return *this; }
  Json& num(int64_t v) { comma(); out_ += std::to_string(v); return *this; }
  Json& num(double v) {
    comma();
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.6g", std::isfinite(v) ? v : 0.0);
    out_ += buf;
    return *this;
  }
  Json& boolean(bool b) { comma(); out_ += b ? "true" : "false"; return *this; }
  Json& null() { comma(); out_ += "null"; return *this; }
  Json& open(char c) { comma(); out_.push_back(c); fresh_ = true; return *this; }
  Json& close(char c) { out_.push_back(c); fresh_ = false; return *this; }

 private:
  void comma() {
    if (!fresh_) out_.push_back(',');
    fresh_ = false;
  }
  std::string& out_;
  bool fresh_ = true;
};

void writeTracks(Json& j, const TimelineData& d) {
  j.key("tracks").open('[');
  for (const Track& t : d.tracks) {
    j.open('{').key("group").str(t.group).key("name").str(t.name).key("kind").num(int64_t{static_cast<int>(t.kind)});
    j.key("first").num(int64_t{t.first}).key("count").num(int64_t{t.count}).key("lanes").num(int64_t{t.lanes});
    j.close('}');
  }
  j.close(']');
  j.key("strings").open('[');
  for (const std::string& s : d.strings) j.str(s);
  j.close(']');
}

void writeFinding(Json& j, const analysis::Finding& f) {
  j.open('{').key("id").str(f.id).key("rule").str(f.rule).key("title").str(f.title);
  j.key("severity").str(analysis::severityName(f.severity));
  j.key("start").num(f.start).key("end").num(f.end).key("device").num(int64_t{f.device});
  j.key("gain_ns").num(f.gain_ns).key("gain_pct").num(f.gain_pct).key("suggestion").str(f.suggestion);
  j.key("kernels").open('[');
  for (const std::string& k : f.kernels) j.str(k);
  j.close(']').key("evidence").open('[');
  for (const analysis::Evidence& e : f.evidence)
    j.open('{').key("name").str(e.name).key("value").num(e.value).key("unit").str(e.unit).close('}');
  j.close(']').key("instances").open('[');
  for (const analysis::Instance& in : f.instances)
    j.open('{').key("start").num(in.start).key("end").num(in.end).key("what").str(in.what).close('}');
  j.close(']').key("instance_count").num(static_cast<int64_t>(f.instance_count)).close('}');
}

void writeAnalysis(Json& j, const analysis::AnalysisReport& r) {
  j.key("findings").open('[');
  for (const analysis::Finding& f : r.findings) writeFinding(j, f);
  j.close(']');
  j.key("categories").open('[');
  for (const analysis::CategoryRow& c : r.kernel_breakdown.categories)
    j.open('{').key("name").str(analysis::kernelCategoryName(c.category)).key("count")
        .num(static_cast<int64_t>(c.count)).key("total").num(c.total).close('}');
  j.close(']');
  j.key("top_kernels").open('[');
  for (const analysis::KernelRow& k : r.kernel_breakdown.top) {
    j.open('{').key("name").str(k.name).key("category").str(analysis::kernelCategoryName(k.category));
    j.key("count").num(static_cast<int64_t>(k.count)).key("total").num(k.total).key("min").num(k.min);
    j.key("max").num(k.max).key("mean").num(k.mean).close('}');
  }
  j.close(']');
  j.key("temporal").open('[');
  for (const analysis::TemporalRow& t : r.temporal)
    j.open('{').key("device").num(int64_t{t.device}).key("span").num(t.span).key("idle").num(t.idle)
        .key("compute").num(t.compute).key("non_compute").num(t.non_compute).close('}');
  j.close(']');
  j.key("layers");
  if (!r.layers || r.layers->rows.empty()) {
    j.null();
  } else {
    const analysis::LayerTable& l = *r.layers;
    j.open('{').key("iterations").num(static_cast<int64_t>(l.iterations)).key("iteration_name").str(l.iteration_name);
    j.key("total").num(l.total).key("rows").open('[');
    for (const analysis::LayerRow& row : l.rows) {
      j.open('{').key("layer").str(row.layer).key("source").str(row.source);
      j.key("kernels").num(static_cast<int64_t>(row.kernels)).key("calls").num(static_cast<int64_t>(row.calls));
      j.key("total").num(row.total).key("median").num(row.median).key("avg").num(row.avg).key("pct").num(row.pct);
      j.key("top_kernel").str(row.top_kernel).close('}');
    }
    j.close(']').close('}');
  }
}

// One report row as display cells (times in us, as the stats page shows them).
void writeDisplayRow(Json& j, const stats::ReportTable& t, size_t r, std::string& cell) {
  j.open('[');
  for (size_t c = 0; c < t.columnCount(); ++c) {
    cell.clear();
    stats::appendDisplayCell(t, r, c, stats::TimeUnit::kUs, cell);
    j.str(cell);
  }
  j.close(']');
}

void writeStatsTable(Json& j, const stats::ReportTable& t, const stats::FormatOptions& fo, size_t max_rows) {
  j.open('{').key("name").str(t.name()).key("title").str(t.title());
  j.key("skipped");
  if (t.skipped()) j.str(stats::skippedNote(t, fo)); else j.null();
  j.key("header").open('[');
  for (const stats::Column& c : t.columns()) j.str(stats::columnHeader(c, fo.time_unit));
  j.close(']').key("numeric").open('[');
  for (const stats::Column& c : t.columns()) j.boolean(c.type != stats::ValueType::kText);
  j.close(']').key("row_count").num(static_cast<int64_t>(t.rowCount())).key("rows").open('[');
  std::string cell;
  const size_t rows = std::min(t.rowCount(), max_rows);
  for (size_t r = 0; r < rows; ++r) writeDisplayRow(j, t, r, cell);
  j.close(']').close('}');
}

// nsys's default reports, and kernel_metrics_sum (the hardware metrics of
// kernels profiled by `gpuscope kernels` or ncu) when the trace holds them.
void writeStats(Json& j, const model::Trace& trace, const HtmlReportOptions& o,
                const stats::ReportTable* kernel_metrics) {
  stats::ReportContext ctx(trace);
  stats::FormatOptions fo{.format = stats::OutputFormat::kTable, .time_unit = stats::TimeUnit::kUs,
                          .source_name = o.source};
  j.key("stats").open('[');
  for (const std::string& name : stats::defaultReportNames()) {
    const stats::ReportInfo* info = stats::findReport(name);
    if (info == nullptr) continue;
    writeStatsTable(j, stats::runReport(ctx, stats::ReportRequest{info, {}}), fo, o.stats_rows);
  }
  if (kernel_metrics != nullptr) writeStatsTable(j, *kernel_metrics, fo, o.stats_rows);
  j.close(']');
}

// Rows of a profiled-kernel table by stats::kernelJoinKey of their name.
using RowsByKey = std::map<std::string, std::vector<size_t>, std::less<>>;

// {timeline kernel name: [rows]} for the timeline's distinct kernel names
// (in StringId order) whose join key has rows; write_row(i) writes row i.
template <typename WriteRow>
void writeByTimelineName(Json& j, const model::Trace& trace, const RowsByKey& by_key, WriteRow&& write_row) {
  std::vector<uint8_t> seen(trace.strings.size(), 0);
  std::vector<model::StringId> names;
  for (model::StringId id : trace.kernels.name)
    if (!std::exchange(seen[id], 1)) names.push_back(id);
  std::sort(names.begin(), names.end());
  j.open('{');
  for (model::StringId name : names) {
    auto k = by_key.find(stats::kernelJoinKey(trace.strings.get(name)));
    if (k == by_key.end()) continue;
    j.key(trace.strings.get(name)).open('[');
    for (size_t i : k->second) write_row(i);
    j.close(']');
  }
  j.close('}');
}

// kernel_metrics_sum's rows keyed by the timeline's kernel names (joined by
// stats::kernelJoinKey, as the report joins them), for the selection panel:
// a selected kernel shows the hardware metrics of the profiled kernels of its
// name. Null without kernel metrics.
void writeKernelMetricsByName(Json& j, const model::Trace& trace, const stats::ReportTable* t) {
  j.key("kernel_metrics");
  if (t == nullptr) {
    j.null();
    return;
  }
  size_t name_col = t->columnCount();
  j.open('{').key("header").open('[');
  for (size_t c = 0; c < t->columnCount(); ++c) {
    j.str(stats::columnHeader(t->columns()[c], stats::TimeUnit::kUs));
    if (t->columns()[c].label == "Name") name_col = c;
  }
  j.close(']').key("by_name");
  RowsByKey by_key;
  for (size_t r = 0; r < t->rowCount() && name_col < t->columnCount(); ++r)
    by_key[stats::kernelJoinKey(t->textAt(r, name_col))].push_back(r);
  std::string cell;
  writeByTimelineName(j, trace, by_key, [&](size_t r) { writeDisplayRow(j, *t, r, cell); });
  j.close('}');
}

// kernel_rules (ncu's guidance for the profiled kernels, from gpuscope
// kernels or ncu's rule rows) keyed like writeKernelMetricsByName: per
// timeline kernel name, [kernel id, type, rule, estimate text, description]
// rows. Null without rules.
void writeKernelRulesByName(Json& j, const model::Trace& trace) {
  j.key("kernel_rules");
  const model::KernelRuleTable& r = trace.kernel_rules;
  if (r.size() == 0) {
    j.null();
    return;
  }
  RowsByKey by_key;
  for (size_t i = 0; i < r.size(); ++i) by_key[stats::kernelJoinKey(trace.strings.get(r.name[i]))].push_back(i);
  j.open('{').key("by_name");
  writeByTimelineName(j, trace, by_key, [&](size_t i) {
    const std::string_view type = trace.strings.get(r.speedup_type[i]);
    char estimate[64] = "";
    if (!type.empty() && !std::isnan(r.speedup[i]))
      std::snprintf(estimate, sizeof(estimate), "Est. %s Speedup: %.2f%%", type == "global" ? "Global" : "Local",
                    r.speedup[i]);
    j.open('[').num(r.kernel_id[i]).str(trace.strings.get(r.type[i])).str(trace.strings.get(r.rule[i]))
        .str(estimate).str(trace.strings.get(r.description[i])).close(']');
  });
  j.close('}');
}

// The longest single kernels, each with its event index for "zoom to".
void writeLongest(Json& j, const TimelineData& d, size_t n) {
  std::vector<uint32_t> idx;
  for (uint32_t i = 0; i < d.size(); ++i)
    if (d.kind[i] == static_cast<uint8_t>(EventKind::kKernel)) idx.push_back(i);
  n = std::min(n, idx.size());
  std::partial_sort(idx.begin(), idx.begin() + static_cast<ptrdiff_t>(n), idx.end(),
                    [&](uint32_t a, uint32_t b) { return d.dur[a] != d.dur[b] ? d.dur[a] > d.dur[b] : a < b; });
  j.key("longest").open('[');
  for (size_t i = 0; i < n; ++i)
    j.open('{').key("event").num(int64_t{idx[i]}).key("dur").num(d.dur[idx[i]]).close('}');
  j.close(']');
}

void writeUtilisation(Json& j, const TimelineData& d) {
  constexpr size_t kBins = 300;
  j.key("utilisation").open('{').key("bins").num(static_cast<int64_t>(kBins)).key("series").open('[');
  for (size_t t = 0; t < d.tracks.size(); ++t) {
    if (d.tracks[t].kind != EventKind::kBusy) continue;
    j.open('{').key("name").str(d.tracks[t].group).key("track").num(static_cast<int64_t>(t)).key("busy").open('[');
    for (double v : utilisationBins(d, t, d.t0, d.t1, kBins)) j.num(v);
    j.close(']').close('}');
  }
  j.close(']').close('}');
}

}  // namespace

std::vector<double> utilisationBins(const TimelineData& d, size_t track, int64_t t0, int64_t t1, size_t bins) {
  std::vector<double> busy(bins, 0.0);
  if (bins == 0 || t1 <= t0 || track >= d.tracks.size()) return busy;
  const Track& tr = d.tracks[track];
  double width = static_cast<double>(t1 - t0) / static_cast<double>(bins);
  for (uint32_t i = tr.first; i < tr.first + tr.count; ++i) {
    if (d.kind[i] != static_cast<uint8_t>(EventKind::kBusy)) continue;
    int64_t s = std::max(d.start[i], t0), e = std::min(d.start[i] + d.dur[i], t1);
    if (e <= s) continue;
    size_t b = std::min(bins - 1, static_cast<size_t>(static_cast<double>(s - t0) / width));
    while (b < bins && s < e) {
      double bin_end = static_cast<double>(t0) + width * static_cast<double>(b + 1);
      int64_t piece_end = b + 1 == bins ? e : std::min<int64_t>(e, static_cast<int64_t>(bin_end));
      if (piece_end > s) busy[b] += static_cast<double>(piece_end - s);
      s = std::max(s, piece_end);
      ++b;
    }
  }
  for (double& v : busy) v = std::min(1.0, v / width);
  return busy;
}

StatusOr<PageData> buildPageData(const model::Trace& trace, const TimelineData& d,
                                 const analysis::AnalysisReport& analysis, const HtmlReportOptions& o) {
  PageData page;
  page.events = d.size();
  ColumnSet cols;
  size_t c_start = cols.addColumn("start", false), c_dur = cols.addColumn("dur", false);
  size_t c_name = cols.addColumn("name", false), c_info = cols.addColumn("info", false);
  size_t c_layer = cols.addColumn("layer", false), c_kind = cols.addColumn("kind", false);
  size_t c_depth = cols.addColumn("depth", false), c_link = cols.addColumn("link", false);
  for (const Track& tr : d.tracks) {
    int64_t prev = d.t0;
    for (uint32_t i = tr.first; i < tr.first + tr.count; ++i) {
      cols.put(c_start, d.start[i] - prev);
      prev = d.start[i];
      cols.put(c_dur, d.dur[i]);
      cols.put(c_name, d.name[i]);
      cols.put(c_info, d.info[i]);
      cols.put(c_layer, d.layer[i]);
      cols.put(c_kind, d.kind[i]);
      cols.put(c_depth, d.depth[i]);
      cols.put(c_link, int64_t{d.link[i]} + 1);
    }
  }
  GS_ASSIGN_OR_RETURN(std::string gz, gzipCompress(cols.bytes()));
  page.blob_base64 = base64Encode(gz);

  std::string& out = page.json;
  out.reserve(1 << 16);
  Json j(out);
  j.open('{');
  j.key("title").str(o.title).key("source").str(o.source);
  j.key("source_format");
  auto fmt = trace.meta.find(model::kMetaSourceFormat);
  j.str(fmt == trace.meta.end() ? std::string() : fmt->second);
  j.key("t0").num(d.t0).key("t1").num(d.t1).key("events").num(static_cast<int64_t>(d.size()));
  j.key("gap_min_ns").num(o.gap_min_ns);
  j.key("counts").open('{').key("kernels").num(static_cast<int64_t>(trace.kernels.size()))
      .key("memcpys").num(static_cast<int64_t>(trace.memcpys.size()))
      .key("memsets").num(static_cast<int64_t>(trace.memsets.size()))
      .key("api_calls").num(static_cast<int64_t>(trace.api_calls.size()))
      .key("nvtx").num(static_cast<int64_t>(trace.nvtx.size()))
      .key("cpu_ops").num(static_cast<int64_t>(trace.cpu_ops.size()))
      .key("os_runtime").num(static_cast<int64_t>(trace.os_runtime.size())).close('}');
  j.key("gpu_span").open('[').num(analysis.span_start).num(analysis.span_end).close(']');
  j.key("columns").open('[');
  for (size_t c = 0; c < cols.columnCount(); ++c)
    j.open('{').key("name").str(cols.name(c)).key("length").num(static_cast<int64_t>(cols.length(c))).close('}');
  j.close(']');
  writeTracks(j, d);
  writeAnalysis(j, analysis);
  // kernel_metrics_sum once, for the stats page and the selection panel.
  std::optional<stats::ReportTable> kernel_metrics;
  if (trace.kernel_metrics.size() > 0) {
    stats::ReportContext ctx(trace);
    kernel_metrics = stats::kernelMetricsSum(ctx, {});
  }
  const stats::ReportTable* km = kernel_metrics ? &*kernel_metrics : nullptr;
  writeStats(j, trace, o, km);
  writeKernelMetricsByName(j, trace, km);
  writeKernelRulesByName(j, trace);
  writeLongest(j, d, 20);
  writeUtilisation(j, d);
  j.close('}');
  return page;
}

}  // namespace gpuscope::report
