// gpuscope explore: the TensorRT Engine Explorer (TREx) replacement. Each
// sub-subcommand binds flags, calls one library function in src/explore/ and
// prints or writes (atomically) what it returns.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fmt/format.h>
#include <memory>
#include <optional>

#include "base/file.h"
#include "explore/build_log.h"
#include "cli/commands.h"
#include "explore/compare.h"
#include "explore/conv_stats.h"
#include "explore/engine_plan.h"
#include "explore/graph.h"
#include "explore/lint.h"
#include "explore/report_card.h"
#include "explore/summary.h"
#include "explore/timing.h"

namespace gpuscope::cli {
namespace {

using namespace gpuscope::explore;

struct CommonOptions {
  LoadOptions load;
  std::string format = "table";
  std::string output;
  std::string timing;
  double warmup_ms = -1;
  bool force = false;
  bool quiet = false;
};

void addPlanFlags(CLI::App* cmd, CommonOptions& o, bool with_graph = true) {
  // Per-file companions only make sense for one engine; compare relies on
  // the X.profile.json naming beside each X.graph.json.
  if (with_graph) {
    cmd->add_option("graph", o.load.graph, "engine layer JSON (trtexec --exportLayerInfo)")->required();
    cmd->add_option("--profile", o.load.profile, "per-layer profile JSON (trtexec --exportProfile)");
    cmd->add_option("--profile-metadata", o.load.profile_metadata, "TREx profile metadata JSON (device, performance)");
    cmd->add_option("--build-metadata", o.load.build_metadata, "TREx build metadata JSON (builder configuration)");
    cmd->add_option("--timing", o.timing, "per-query timing JSON (trtexec --exportTimes)");
  }
  cmd->add_option("--profile-id", o.load.profile_id, "optimisation profile to show (default 0)");
  cmd->add_flag("--trex-compat", o.load.trex_compat,
                "reproduce TREx's sizes exactly (BF16/Bool tensors 0 B, only Int8/FP16/FP32/Int32 weights)");
  cmd->add_flag("!--no-siblings", o.load.discover_siblings,
                "do not pick X.profile.json etc. beside X.graph.json automatically");
  cmd->add_flag("-q,--quiet", o.quiet, "no warnings on stderr");
}

void addOutputFlags(CLI::App* cmd, CommonOptions& o, bool formats = true) {
  if (formats)
    cmd->add_option("--format", o.format, "table, csv or json")->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->add_option("-o,--output", o.output, "write to this file instead of stdout");
  cmd->add_flag("-f,--force", o.force, "overwrite the output if it exists");
}

StatusOr<EnginePlan> load(const CommonOptions& o) {
  GS_ASSIGN_OR_RETURN(EnginePlan plan, loadEnginePlan(o.load));
  if (!o.quiet)
    for (const auto& w : plan.warnings) std::fprintf(stderr, "gpuscope: warning: %s\n", w.c_str());
  return plan;
}

Status emit(const CommonOptions& o, const std::string& text) {
  if (o.output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return OkStatus();
  }
  GS_ASSIGN_OR_RETURN(AtomicOutput out, AtomicOutput::create(o.output, o.force));
  GS_RETURN_IF_ERROR(out.write(text));
  return out.commit();
}

OutputFormat formatOf(const CommonOptions& o) {
  OutputFormat f = OutputFormat::kTable;
  parseOutputFormat(o.format, f);
  return f;
}

// Timing file: given, or X.timing.json beside X.graph.json.
StatusOr<std::optional<TimingSummary>> timingFor(const CommonOptions& o, const EnginePlan* plan) {
  std::string path = o.timing;
  if (path.empty() && o.load.discover_siblings && !o.load.graph.empty())
    path = siblingPath(o.load.graph, ".timing.json");
  if (path.empty()) return std::optional<TimingSummary>();
  GS_ASSIGN_OR_RETURN(auto records, readTimingJson(path));
  TimingOptions t;
  t.warmup_ms = o.warmup_ms;
  if (t.warmup_ms < 0) {
    t.warmup_ms = 200;  // trtexec's default --warmUp
    if (plan && plan->inference.contains("Duration") && plan->inference["Duration"].is_string())
      t.warmup_ms = warmupFromDuration(plan->inference["Duration"].get<std::string>(), 200);
  }
  GS_ASSIGN_OR_RETURN(TimingSummary s, summarizeTiming(records, t));
  return std::optional<TimingSummary>(std::move(s));
}

Table timingTable(const TimingSummary& s) {
  Table t{"Timing (recomputed)", {"key", "value"}, {}};
  auto add = [&](std::string k, const MetricStats& m) {
    std::string v = fmt::format("min = {:g} ms, max = {:g} ms, mean = {:g} ms, median = {:g} ms", m.min, m.max,
                                m.mean, m.median);
    for (size_t i = 0; i < s.percentile_levels.size(); ++i)
      v += fmt::format(", percentile({:g}%) = {:g} ms", s.percentile_levels[i], m.percentiles[i]);
    t.rows.push_back({std::move(k), std::move(v)});
  };
  t.rows.push_back({std::string("Throughput"), fmt::format("{:g} qps", s.throughput_qps)});
  add("Latency", s.latency);
  add("GPU Compute Time", s.gpu_compute);
  t.rows.push_back({std::string("GPU Compute CoV"), fmt::format("{:g} %", s.gpu_compute.cov_percent)});
  t.rows.push_back({std::string("Total Host Walltime"), fmt::format("{:g} s", s.walltime_s)});
  t.rows.push_back({std::string("Total GPU Compute Time"), fmt::format("{:g} s", s.gpu_compute_total_s)});
  t.rows.push_back({std::string("Queries"), fmt::format("{} measured, {} warm-up", s.measured, s.warmup)});
  return t;
}

Status runSummary(const CommonOptions& o, bool layers_only, bool with_layers) {
  GS_ASSIGN_OR_RETURN(EnginePlan plan, load(o));
  std::vector<Table> tables;
  if (!layers_only) {
    EngineSummary s = summarizePlan(plan);
    tables.push_back(overviewTable(plan, s));
    tables.push_back(groupTable("By type", s.by_type));
    tables.push_back(groupTable("By precision", s.by_precision));
    if (!plan.device.empty()) tables.push_back(metadataTable("Device Properties", plan.device));
    if (!plan.builder.empty()) tables.push_back(metadataTable("Builder Configuration", plan.builder));
    if (!plan.performance.empty()) tables.push_back(metadataTable("Performance Summary", plan.performance));
    GS_ASSIGN_OR_RETURN(auto timing, timingFor(o, &plan));
    if (timing) tables.push_back(timingTable(*timing));
  }
  if (layers_only || with_layers) tables.push_back(layerTable(plan));
  // One table (explore layers) prints bare: a plain CSV, a JSON array.
  if (tables.size() == 1) return emit(o, renderTable(tables[0], formatOf(o)));
  return emit(o, renderTables(tables, formatOf(o)));
}

Status runLint(const CommonOptions& o, bool trex_only) {
  GS_ASSIGN_OR_RETURN(EnginePlan plan, load(o));
  LintOptions lo;
  lo.trex_only = trex_only;
  auto findings = lintPlan(plan, lo);
  return emit(o, renderTable(lintTable(findings), formatOf(o)));
}

Status runTiming(CommonOptions o) {
  EnginePlan* plan_ptr = nullptr;
  EnginePlan plan;
  if (!o.load.profile_metadata.empty()) {
    GS_ASSIGN_OR_RETURN(auto m, parseJsonFile(o.load.profile_metadata));
    if (m.is_object() && m.contains("inference_options") && m["inference_options"].is_object())
      plan.inference = m["inference_options"];
    plan_ptr = &plan;
  }
  GS_ASSIGN_OR_RETURN(auto s, timingFor(o, plan_ptr));
  if (!s) return InvalidInput("explore timing: no timing JSON given");
  if (formatOf(o) == OutputFormat::kTable) return emit(o, formatPerformanceSummary(*s));
  Table t{"Performance summary", {"metric", "min", "max", "mean", "median"}, {}};
  for (float p : s->percentile_levels) t.columns.push_back(fmt::format("p{:g}", p));
  t.columns.push_back("cov_percent");
  auto row = [&](const char* n, const MetricStats& m) {
    std::vector<Cell> r;
    r.emplace_back(std::string(n));
    for (float v : {m.min, m.max, m.mean, m.median}) r.emplace_back(double(v));
    for (float v : m.percentiles) r.emplace_back(double(v));
    r.emplace_back(double(m.cov_percent));
    t.rows.push_back(std::move(r));
  };
  row("Latency", s->latency);
  row("Enqueue Time", s->enqueue);
  row("H2D Latency", s->h2d);
  row("GPU Compute Time", s->gpu_compute);
  row("D2H Latency", s->d2h);
  Table totals{"Totals", {"key", "value"}, {}};
  totals.rows.push_back({std::string("Throughput (qps)"), double(s->throughput_qps)});
  totals.rows.push_back({std::string("Total Host Walltime (s)"), double(s->walltime_s)});
  totals.rows.push_back({std::string("Total GPU Compute Time (s)"), double(s->gpu_compute_total_s)});
  totals.rows.push_back({std::string("Records"), int64_t(s->records)});
  totals.rows.push_back({std::string("Warm-up records"), int64_t(s->warmup)});
  return emit(o, renderTables({t, totals}, formatOf(o)));
}

struct GraphCliOptions {
  std::string color = "type";
  std::string collapse = "auto";
  std::string format;  // svg, png, dot; default from the output's extension
  bool show_constants = false, hide_reformats = false, no_edge_labels = false, no_names = false;
};

Status runGraph(const CommonOptions& o, const GraphCliOptions& g) {
  if (o.output.empty()) return InvalidInput("explore graph: -o/--output is required (.svg, .png or .dot)");
  std::string format = g.format;
  if (format.empty()) {
    size_t dot = o.output.rfind('.');
    format = dot == std::string::npos ? "svg" : o.output.substr(dot + 1);
  }
  if (format != "svg" && format != "png" && format != "dot")
    return InvalidInput("explore graph: --format: expected svg, png or dot, got '" + format + "'");
  GS_RETURN_IF_ERROR(checkOutputPath(o.output, o.force));
  GS_ASSIGN_OR_RETURN(EnginePlan plan, load(o));
  GraphOptions go;
  go.coloring = g.color == "precision" ? GraphColoring::kPrecision : GraphColoring::kType;
  go.collapse = g.collapse == "none"    ? GraphCollapse::kNone
                : g.collapse == "block" ? GraphCollapse::kBlock
                : g.collapse == "type"  ? GraphCollapse::kType
                                        : GraphCollapse::kAuto;
  go.show_constants = g.show_constants;
  go.hide_reformats = g.hide_reformats;
  go.edge_labels = !g.no_edge_labels;
  go.layer_names = !g.no_names;
  GS_ASSIGN_OR_RETURN(std::string rendered, renderDot(planToDot(plan, go), format));
  GS_RETURN_IF_ERROR(emit(o, rendered));
  if (!o.quiet) std::fprintf(stderr, "gpuscope: wrote %s (%zu layers)\n", o.output.c_str(), plan.layers.size());
  return OkStatus();
}

Status runCompare(const CommonOptions& o, const std::vector<std::string>& graphs, const CompareOptions& co) {
  if (graphs.size() < 2) return InvalidInput("explore compare: give two or more engine graph JSON files");
  std::vector<EnginePlan> plans;
  for (const auto& g : graphs) {
    CommonOptions one = o;
    one.load.graph = g;
    GS_ASSIGN_OR_RETURN(EnginePlan p, load(one));
    plans.push_back(std::move(p));
  }
  return emit(o, renderTables(comparePlans(plans, co), formatOf(o)));
}

Status runReport(const CommonOptions& o, bool no_graph) {
  if (o.output.empty()) return InvalidInput("explore report: -o/--output is required (an .html file)");
  GS_RETURN_IF_ERROR(checkOutputPath(o.output, o.force));
  GS_ASSIGN_OR_RETURN(EnginePlan plan, load(o));
  ReportOptions ro;
  ro.include_graph = !no_graph;
  GS_ASSIGN_OR_RETURN(ro.timing, timingFor(o, &plan));
  GS_ASSIGN_OR_RETURN(std::string html, renderReportCard(plan, ro));
  GS_RETURN_IF_ERROR(emit(o, html));
  if (!o.quiet) std::fprintf(stderr, "gpuscope: wrote %s\n", o.output.c_str());
  return OkStatus();
}

struct LogCliOptions {
  std::string log;
  size_t max_rows = 50;
  std::string metadata_json;
};

Status runLog(const CommonOptions& o, const LogCliOptions& l) {
  GS_ASSIGN_OR_RETURN(BuildLog log, readBuildLog(l.log));
  if (!l.metadata_json.empty()) {
    GS_ASSIGN_OR_RETURN(AtomicOutput out, AtomicOutput::create(l.metadata_json, o.force));
    GS_RETURN_IF_ERROR(out.write(buildLogMetadata(log).dump(2) + "\n"));
    GS_RETURN_IF_ERROR(out.commit());
  }
  return emit(o, renderTables(buildLogTables(log, l.max_rows), formatOf(o)));
}

}  // namespace

void addExploreCommand(CLI::App& app, Action& action) {
  CLI::App* explore = app.add_subcommand(
      "explore", "Explore TensorRT engines (TREx replacement): summary, layers, lint, timing, compare, graph, report, log");
  explore->require_subcommand(1);

  {
    auto o = std::make_shared<CommonOptions>();
    auto with_layers = std::make_shared<bool>(false);
    CLI::App* cmd = explore->add_subcommand("summary", "Engine overview: layers, latency, weights, activations, I/O, device");
    addPlanFlags(cmd, *o);
    addOutputFlags(cmd, *o);
    cmd->add_flag("--layers", *with_layers, "append the per-layer table");
    cmd->callback([o, with_layers, &action] { action = [o, with_layers] { return runSummary(*o, false, *with_layers); }; });
  }
  {
    auto o = std::make_shared<CommonOptions>();
    CLI::App* cmd = explore->add_subcommand("layers", "Per-layer table: type, precision, latency, shapes, formats, tactic");
    addPlanFlags(cmd, *o);
    addOutputFlags(cmd, *o);
    cmd->callback([o, &action] { action = [o] { return runSummary(*o, true, true); }; });
  }
  {
    auto o = std::make_shared<CommonOptions>();
    CLI::App* cmd = explore->add_subcommand("convs", "Convolutions as implicit GEMMs: MACs, bytes, arithmetic intensity, efficiency");
    addPlanFlags(cmd, *o);
    addOutputFlags(cmd, *o);
    cmd->callback([o, &action] {
      action = [o]() -> Status {
        GS_ASSIGN_OR_RETURN(EnginePlan plan, load(*o));
        return emit(*o, renderTable(convolutionTable(plan, convolutionStats(plan)), formatOf(*o)));
      };
    });
  }
  {
    auto o = std::make_shared<CommonOptions>();
    auto trex_only = std::make_shared<bool>(false);
    CLI::App* cmd = explore->add_subcommand("lint", "Engine linters (TREx's four and ours)");
    addPlanFlags(cmd, *o);
    addOutputFlags(cmd, *o);
    cmd->add_flag("--trex-only", *trex_only, "run only TREx's linters (conv, reformat, slice, qdq)");
    cmd->callback([o, trex_only, &action] { action = [o, trex_only] { return runLint(*o, *trex_only); }; });
  }
  {
    auto o = std::make_shared<CommonOptions>();
    CLI::App* cmd = explore->add_subcommand("timing", "trtexec's performance summary recomputed from --exportTimes JSON");
    cmd->add_option("timing", o->timing, "timing JSON (trtexec --exportTimes)")->required();
    cmd->add_option("--profile-metadata", o->load.profile_metadata, "metadata JSON whose Duration gives the warm-up");
    cmd->add_option("--warmup-ms", o->warmup_ms, "warm-up cutoff on startComputeMs (default: from metadata, else 200)");
    addOutputFlags(cmd, *o);
    cmd->callback([o, &action] { action = [o] { return runTiming(*o); }; });
  }
  {
    auto o = std::make_shared<CommonOptions>();
    auto g = std::make_shared<GraphCliOptions>();
    CLI::App* cmd = explore->add_subcommand("graph", "Layer graph through Graphviz (SVG, PNG, DOT)");
    addPlanFlags(cmd, *o);
    addOutputFlags(cmd, *o, false);
    cmd->add_option("--format", g->format, "svg, png or dot (default: from the output's extension)");
    cmd->add_option("--color", g->color, "colour layers by type or precision")->check(CLI::IsMember({"type", "precision"}));
    cmd->add_option("--collapse", g->collapse, "auto (above 1000 layers), none, block or type")
        ->check(CLI::IsMember({"auto", "none", "block", "type"}));
    cmd->add_flag("--show-constants", g->show_constants, "draw Constant layers");
    cmd->add_flag("--hide-reformats", g->hide_reformats, "connect around Reformat layers");
    cmd->add_flag("--no-edge-labels", g->no_edge_labels, "no shape/format on edges");
    cmd->add_flag("--no-layer-names", g->no_names, "show only type and latency in layer nodes");
    cmd->callback([o, g, &action] { action = [o, g] { return runGraph(*o, *g); }; });
  }
  {
    auto o = std::make_shared<CommonOptions>();
    auto l = std::make_shared<LogCliOptions>();
    CLI::App* cmd = explore->add_subcommand("log", "trtexec --verbose log: build time, phases, fusions, tactics, Myelin nodes");
    cmd->add_option("log", l->log, "trtexec/TensorRT log file")->required();
    addOutputFlags(cmd, *o);
    cmd->add_option("--max-rows", l->max_rows, "rows in the per-layer and fusion tables (default 50)");
    cmd->add_option("--metadata-json", l->metadata_json, "also write TREx's metadata JSON (option sections) here");
    cmd->callback([o, l, &action] { action = [o, l] { return runLog(*o, *l); }; });
  }
  {
    auto o = std::make_shared<CommonOptions>();
    auto no_graph = std::make_shared<bool>(false);
    CLI::App* cmd = explore->add_subcommand("report", "Self-contained offline HTML report card");
    addPlanFlags(cmd, *o);
    addOutputFlags(cmd, *o, false);
    cmd->add_flag("--no-graph", *no_graph, "leave the layer graph out");
    cmd->callback([o, no_graph, &action] { action = [o, no_graph] { return runReport(*o, *no_graph); }; });
  }
  {
    auto o = std::make_shared<CommonOptions>();
    auto graphs = std::make_shared<std::vector<std::string>>();
    auto co = std::make_shared<CompareOptions>();
    CLI::App* cmd = explore->add_subcommand("compare", "Compare engines: latency by type/precision, aligned layers");
    cmd->add_option("graphs", *graphs, "two or more engine layer JSON files")->required();
    addPlanFlags(cmd, *o, false);
    addOutputFlags(cmd, *o);
    cmd->add_flag("--exact", co->exact, "match layers on all I/O tensors, not just the first");
    cmd->add_flag("--trex-alignment", co->trex_alignment, "TREx's alignment only (no name matching)");
    cmd->add_flag("--changed-only", co->changed_only, "list only layers that differ");
    cmd->add_option("--threshold", co->threshold, "relative latency change shown as faster/slower (0.03)");
    cmd->callback([o, graphs, co, &action] { action = [o, graphs, co] { return runCompare(*o, *graphs, *co); }; });
  }
}

}  // namespace gpuscope::cli
