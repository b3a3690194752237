// gpuscope import IN -o OUT.gpuscope: convert any supported trace to the store.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "base/file.h"
#include "base/progress.h"
#include "cli/commands.h"
#include "cli/print_diagnostics.h"
#include "importers/registry.h"
#include "store/store.h"

namespace gpuscope::cli {
namespace {

struct ImportOptions {
  std::string input;
  std::string output;
  bool force = false;
  bool quiet = false;
};

Status runImport(const ImportOptions& o) {
  // Check the output before the (possibly long) import, and again on commit.
  GS_RETURN_IF_ERROR(checkOutputPath(o.output, o.force));
  GS_ASSIGN_OR_RETURN(model::Trace trace, importers::loadTrace(o.input, {.quiet = o.quiet}));
  {
    Progress progress(!o.quiet);
    progress.stage("writing " + o.output);
    GS_RETURN_IF_ERROR(store::writeStore(trace, o.output, o.force));
  }
  if (!o.quiet) {
    printDiagnostics(trace, o.input);
    std::fprintf(stderr, "gpuscope: imported %zu events from %s (%s) into %s\n",
                 trace.eventCount(), o.input.c_str(),
                 trace.meta.count(model::kMetaSourceFormat)
                     ? trace.meta.at(model::kMetaSourceFormat).c_str()
                     : "?",
                 o.output.c_str());
  }
  return OkStatus();
}

}  // namespace

void addImportCommand(CLI::App& app, Action& action) {
  auto opts = std::make_shared<ImportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Convert a trace (nsys SQLite, Kineto JSON[.gz], .gpuscope) to a .gpuscope file");
  cmd->add_option("input", opts->input, "trace file; format is detected from its content")
      ->required();
  cmd->add_option("-o,--output", opts->output, "output .gpuscope file")->required();
  cmd->add_flag("-f,--force", opts->force, "overwrite the output if it exists");
  cmd->add_flag("-q,--quiet", opts->quiet, "no progress or summary on stderr");
  cmd->callback([opts, &action] { action = [opts] { return runImport(*opts); }; });
}

}  // namespace gpuscope::cli
