// gpuscope export --type chrome|csv|sqlite TRACE -o OUT: convert any supported
// trace to Chrome/Perfetto JSON, a directory of CSV tables, or the store.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/file.h"
#include "cli/commands.h"
#include "export/chrome_trace.h"
#include "export/csv_tables.h"
#include "export/output_directory.h"
#include "importers/registry.h"
#include "store/store.h"

namespace gpuscope::cli {
namespace {

struct ExportOptions {
  std::string type = "chrome";
  std::string input;
  std::string output;
  std::vector<std::string> tables;
  bool force = false;
  bool quiet = false;
};

Status runExport(const ExportOptions& o) {
  if (!o.tables.empty() && o.type != "csv") {
    return InvalidInput("--tables: only applies to --type csv");
  }
  // Check the output before the (possibly long) import; each writer checks
  // again when it commits.
  if (o.type == "csv") {
    exporters::CsvExportOptions csv{.tables = o.tables, .force = o.force};
    GS_RETURN_IF_ERROR(exporters::validateCsvTables(o.tables));
    GS_RETURN_IF_ERROR(exporters::checkOutputDirectory(o.output, o.force));
    GS_ASSIGN_OR_RETURN(model::Trace trace, importers::loadTrace(o.input, {.quiet = o.quiet}));
    GS_ASSIGN_OR_RETURN(auto written, exporters::exportCsvTables(trace, o.output, csv));
    if (!o.quiet) {
      size_t rows = 0;
      for (const auto& w : written) rows += w.rows;
      std::fprintf(stderr, "gpuscope: wrote %zu tables (%zu rows) to %s/\n", written.size(), rows,
                   o.output.c_str());
    }
    return OkStatus();
  }
  GS_RETURN_IF_ERROR(checkOutputPath(o.output, o.force));
  GS_ASSIGN_OR_RETURN(model::Trace trace, importers::loadTrace(o.input, {.quiet = o.quiet}));
  if (o.type == "sqlite") {
    GS_RETURN_IF_ERROR(store::writeStore(trace, o.output, o.force));
    if (!o.quiet) {
      std::fprintf(stderr, "gpuscope: wrote %zu events to %s\n", trace.eventCount(),
                   o.output.c_str());
    }
    return OkStatus();
  }
  GS_ASSIGN_OR_RETURN(exporters::ChromeTraceStats stats,
                      exporters::exportChromeTrace(trace, o.output, o.force));
  if (!o.quiet) {
    std::fprintf(stderr, "gpuscope: wrote %llu trace events (%llu flow ends) to %s\n",
                 static_cast<unsigned long long>(stats.events),
                 static_cast<unsigned long long>(stats.flows), o.output.c_str());
    if (stats.overlap_slices > 0) {
      std::fprintf(stderr,
                   "gpuscope: %llu slices overlapped a neighbour without nesting; they are on "
                   "\"(overlap N)\" rows\n",
                   static_cast<unsigned long long>(stats.overlap_slices));
    }
  }
  return OkStatus();
}

}  // namespace

void addExportCommand(CLI::App& app, Action& action) {
  auto opts = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Export a trace as Chrome/Perfetto JSON, CSV tables or a .gpuscope store");
  cmd->add_option("input", opts->input, "trace file; format is detected from its content")
      ->required();
  cmd->add_option("--type", opts->type,
                  "chrome: trace JSON for ui.perfetto.dev / chrome://tracing (.gz compresses); "
                  "csv: a directory with one <table>.csv per table; sqlite: a .gpuscope store")
      ->check(CLI::IsMember({"chrome", "csv", "sqlite"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", opts->output,
                  "output file (chrome, sqlite) or directory to create (csv)")
      ->required();
  cmd->add_option("--tables", opts->tables,
                  "csv only: tables to write, e.g. kernels,api_calls (default: all non-empty)")
      ->delimiter(',');
  cmd->add_flag("-f,--force", opts->force, "replace the output if it exists");
  cmd->add_flag("-q,--quiet", opts->quiet, "no progress or summary on stderr");
  cmd->callback([opts, &action] { action = [opts] { return runExport(*opts); }; });
}

}  // namespace gpuscope::cli
