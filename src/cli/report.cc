// gpuscope report TRACE -o report.html: one self-contained HTML file with a
// zoomable timeline, the stats reports, analyze findings, the layer table
// and charts; it needs no network to open.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "base/file.h"
#include "cli/commands.h"
#include "cli/kernel_metrics_input.h"
#include "importers/registry.h"
#include "report/html_report.h"

namespace gpuscope::cli {
namespace {

struct ReportCliOptions {
  std::string input;
  std::string output;
  bool force = false;
  bool quiet = false;
  double gap_us = 10;
  report::HtmlReportOptions r;
  std::string kernel_metrics;  // --kernel-metrics FILE
};

Status runReportCommand(ReportCliOptions o) {
  if (o.gap_us < 0) return InvalidInput("--gap: expected a non-negative number of microseconds");
  o.r.gap_min_ns = static_cast<int64_t>(o.gap_us * 1000.0);
  // Refuse an existing output before the (possibly long) import.
  GS_RETURN_IF_ERROR(checkOutputPath(o.output, o.force));
  importers::LoadOptions load;
  load.quiet = o.quiet;  // every table: the report shows them all
  GS_ASSIGN_OR_RETURN(model::Trace trace, importers::loadTrace(o.input, load));
  if (!o.kernel_metrics.empty())
    GS_RETURN_IF_ERROR(attachKernelMetrics(trace, o.kernel_metrics, o.quiet));
  if (o.r.source.empty()) o.r.source = o.input;
  GS_ASSIGN_OR_RETURN(report::HtmlReportStats stats,
                      report::writeHtmlReport(trace, o.output, o.force, o.r));
  if (!o.quiet) {
    std::fprintf(stderr, "gpuscope: wrote %s (%zu timeline events, %.1f MB)\n", o.output.c_str(),
                 stats.events, static_cast<double>(stats.bytes) / 1e6);
  }
  return OkStatus();
}

}  // namespace

void addReportCommand(CLI::App& app, Action& action) {
  auto opts = std::make_shared<ReportCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report", "One self-contained HTML file: zoomable timeline, stats reports, findings, "
                "layer table and charts (opens offline in any browser)");
  cmd->add_option("input", opts->input, "trace file (nsys SQLite, Kineto JSON[.gz], .gpuscope)")
      ->required();
  cmd->add_option("-o,--output", opts->output, "HTML file to write")->required();
  cmd->add_option("--title", opts->r.title, "page title (default: the trace file name)");
  cmd->add_option("--gap", opts->gap_us, "smallest GPU idle gap reported as a finding, us")
      ->capture_default_str();
  cmd->add_flag("-f,--force", opts->force, "replace the output if it exists");
  cmd->add_flag("-q,--quiet", opts->quiet, "no progress or summary on stderr");
  cmd->add_option("--kernel-metrics", opts->kernel_metrics, "hardware metrics of the same program from gpuscope kernels -o FILE.gpuscope, joined to the trace's kernels by name (report kernel_metrics_sum)");
  cmd->callback([opts, &action] { action = [opts] { return runReportCommand(*opts); }; });
}

}  // namespace gpuscope::cli
