// gpuscope stats [-r REPORT[:ARG],...] [--format table|csv|json]
//                [--timeunit ns|us|ms|sec] [-o BASE [--force]] TRACE
// nsys stats' reports computed from any supported trace.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/file.h"
#include "cli/commands.h"
#include "cli/kernel_metrics_input.h"
#include "importers/registry.h"
#include "stats/context.h"
#include "stats/format.h"
#include "stats/registry.h"

namespace gpuscope::cli {
namespace {

struct StatsOptions {
  std::string input;
  std::string reports;
  std::string format;  // default: table on stdout, csv into files (as nsys)
  std::string timeunit = "ns";
  std::string output;
  bool force = false;
  bool quiet = false;
  bool help_reports = false;
  std::string kernel_metrics;  // --kernel-metrics FILE
};

void printReportList() {
  std::printf("Reports (nsys names; the pre-2023 short names are accepted too):\n\n");
  for (const stats::ReportInfo& r : stats::reportCatalogue()) {
    std::string name = r.name;
    if (r.arg_names[0] != '\0') name += "[:" + std::string(r.arg_names) + "]";
    std::string old = r.old_name[0] != '\0' ? " (" + std::string(r.old_name) + ")" : "";
    std::printf("  %-40s %s%s\n", name.c_str(), r.description, old.c_str());
  }
  std::string defaults;
  for (const std::string& d : stats::defaultReportNames()) defaults += (defaults.empty() ? "" : ",") + d;
  std::printf("\nDefault set: %s\n", defaults.c_str());
}

// The model tables a report reads (a .gpuscope store loads only those).
// Reports do not declare them, so this list follows src/stats/reports/*.cc;
// a report not listed here loads everything. The small descriptive tables
// (processes, threads, devices, contexts, streams) are always loaded.
std::vector<std::string> tablesForReport(std::string_view report) {
  static const std::vector<std::pair<std::string_view, std::vector<std::string>>> kTables = {
      {"cuda_api_sum", {"api_calls"}},
      {"cuda_api_trace", {"api_calls"}},
      {"cuda_gpu_kern_sum", {"kernels"}},
      {"cuda_gpu_kern_gb_sum", {"kernels"}},
      {"cuda_gpu_sum", {"kernels", "memcpys", "memsets"}},
      {"cuda_api_gpu_sum", {"api_calls", "kernels", "memcpys", "memsets"}},
      {"cuda_gpu_mem_time_sum", {"memcpys", "memsets"}},
      {"cuda_gpu_mem_size_sum", {"memcpys", "memsets"}},
      {"cuda_kern_exec_sum", {"kernels", "api_calls"}},
      {"cuda_kern_exec_trace", {"kernels", "api_calls"}},
      {"cuda_gpu_trace", {"kernels", "memcpys", "memsets"}},
      {"nvtx_sum", {"nvtx"}},
      {"nvtx_pushpop_sum", {"nvtx"}},
      {"nvtx_startend_sum", {"nvtx"}},
      {"nvtx_pushpop_trace", {"nvtx"}},
      {"nvtx_kern_sum", {"nvtx", "api_calls", "kernels", "memcpys", "memsets"}},
      {"nvtx_gpu_proj_sum", {"nvtx", "api_calls", "kernels", "memcpys", "memsets"}},
      {"nvtx_gpu_proj_trace", {"nvtx", "api_calls", "kernels", "memcpys", "memsets"}},
      {"osrt_sum", {"os_runtime"}},
      {"diagnostics", {}},  // diagnostics are always loaded
      {"kernel_metrics_sum", {"kernel_metrics", "kernels"}},
  };
  for (const auto& [name, tables] : kTables) {
    if (name == report) return tables;
  }
  return {};
}

// Empty = all tables (some report needs more than this file knows).
std::vector<std::string> tablesForReports(const std::vector<stats::ReportRequest>& requests) {
  std::vector<std::string> out = {"processes", "threads", "devices", "contexts", "streams"};
  for (const auto& r : requests) {
    std::string_view name = r.info->name;
    std::vector<std::string> tables = tablesForReport(name);
    if (tables.empty() && name != "diagnostics") return {};
    for (std::string& t : tables) {
      if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(std::move(t));
    }
  }
  return out;
}

Status runStats(const StatsOptions& o) {
  if (o.help_reports) {
    printReportList();
    return OkStatus();
  }
  if (o.input.empty()) return InvalidInput("stats: a trace file is required (see gpuscope stats --help)");
  std::string list = o.reports;
  if (list.empty()) {
    for (const std::string& d : stats::defaultReportNames()) list += (list.empty() ? "" : ",") + d;
  }
  GS_ASSIGN_OR_RETURN(std::vector<stats::ReportRequest> requests, stats::parseReportList(list));
  bool to_files = !o.output.empty() && o.output != "-";
  std::string format_name = !o.format.empty() ? o.format : (to_files ? "csv" : "table");
  GS_ASSIGN_OR_RETURN(stats::OutputFormat format, stats::parseOutputFormat(format_name));
  GS_ASSIGN_OR_RETURN(stats::TimeUnit unit, stats::parseTimeUnit(o.timeunit));
  stats::FormatOptions fo{format, unit, o.input};

  // Refuse existing outputs before the (possibly long) load.
  std::vector<std::string> paths;
  if (to_files) {
    for (const auto& r : requests) {
      std::string path = o.output + "_" + r.info->name;
      for (const std::string& arg : r.options.args) path += "_" + arg;  // cuda_gpu_kern_sum:base
      path += "." + std::string(stats::fileExtension(format));
      if (std::find(paths.begin(), paths.end(), path) != paths.end()) {
        return InvalidInput("-r: report " + std::string(r.info->name) + " is listed twice");
      }
      paths.push_back(path);
      GS_RETURN_IF_ERROR(checkOutputPath(paths.back(), o.force));
    }
  }
  GS_ASSIGN_OR_RETURN(model::Trace loaded,
                      importers::loadTrace(o.input, {.quiet = o.quiet,
                                                     .tables = tablesForReports(requests)}));
  // The trace is kept to process exit on purpose and never freed: a 10M-event
  // trace is millions of allocations (string table nodes) whose freeing costs
  // a noticeable part of a `stats` run and gains nothing, as the process ends
  // right after this command. A static raw pointer (no destructor at exit)
  // keeps it reachable, so LeakSanitizer reports no leak; a second run in
  // the same process frees the previous one.
  if (!o.kernel_metrics.empty())
    GS_RETURN_IF_ERROR(attachKernelMetrics(loaded, o.kernel_metrics, o.quiet));
  static model::Trace* kept = nullptr;
  delete kept;
  kept = new model::Trace(std::move(loaded));
  const model::Trace& trace = *kept;
  stats::ReportContext context(trace);
  std::vector<stats::ReportTable> tables;
  for (const auto& r : requests) tables.push_back(stats::runReport(context, r));

  if (!to_files) {
    {
      stats::TextSink sink(stdout);
      stats::writeReports(tables, fo, sink);
    }
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) return InvalidInput("stdout: write failed");
    return OkStatus();
  }
  // Write every file under a temporary name, then rename them all: a
  // failure leaves none of them behind.
  std::vector<AtomicOutput> outputs;
  for (size_t i = 0; i < tables.size(); ++i) {
    GS_ASSIGN_OR_RETURN(AtomicOutput out, AtomicOutput::create(paths[i], o.force));
    GS_ASSIGN_OR_RETURN(std::FILE * f, out.stream());
    {
      stats::TextSink sink(f);
      stats::writeReport(tables[i], fo, sink);
    }
    if (std::ferror(f)) return InvalidInput(paths[i] + ": write failed");
    outputs.push_back(std::move(out));
  }
  for (AtomicOutput& out : outputs) GS_RETURN_IF_ERROR(out.commit());
  if (!o.quiet) {
    for (const std::string& p : paths) std::fprintf(stderr, "gpuscope: wrote %s\n", p.c_str());
  }
  return OkStatus();
}

}  // namespace

void addStatsCommand(CLI::App& app, Action& action) {
  auto opts = std::make_shared<StatsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "stats", "nsys-compatible summary and trace reports (cuda_api_sum, cuda_gpu_kern_sum, nvtx_sum, ...)");
  cmd->add_option("input", opts->input, "trace file (.gpuscope, nsys SQLite, Kineto JSON[.gz])");
  cmd->add_option("-r,--report", opts->reports,
                  "comma-separated reports, e.g. cuda_api_sum,cuda_gpu_kern_sum:base "
                  "(default: nvtx_sum,osrt_sum,cuda_api_sum,cuda_gpu_kern_sum,"
                  "cuda_gpu_mem_time_sum,cuda_gpu_mem_size_sum)");
  cmd->add_option("--format", opts->format,
                  "table (aligned columns), csv or json; default table on stdout, csv with -o");
  cmd->add_option("--timeunit", opts->timeunit, "unit of times: ns, us, ms or sec")->capture_default_str();
  cmd->add_option("-o,--output", opts->output,
                  "write each report to BASE_<report>.<txt|csv|json> instead of stdout");
  cmd->add_flag("--force", opts->force, "overwrite existing output files");
  cmd->add_flag("-q,--quiet", opts->quiet, "no progress on stderr");
  cmd->add_flag("--help-reports", opts->help_reports, "list the reports and exit");
  cmd->add_option("--kernel-metrics", opts->kernel_metrics, "hardware metrics of the same program from gpuscope kernels -o FILE.gpuscope, joined to the trace's kernels by name (report kernel_metrics_sum)");
  cmd->callback([opts, &action] { action = [opts] { return runStats(*opts); }; });
}

}  // namespace gpuscope::cli
