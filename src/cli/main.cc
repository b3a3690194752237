// gpuscope: one CLI for recording, explaining and benchmarking GPU work.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <string>

#include "base/version.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  // A file-size limit then surfaces as a write error (EFBIG), handled like a
  // full disk, instead of killing the process with a partial file behind.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"gpuscope: where the time goes in GPU programs", "gpuscope"};
  app.set_version_flag("--version", std::string("gpuscope ") + gpuscope::kVersion);
  app.require_subcommand(1);

  gpuscope::cli::Action action;
  gpuscope::cli::addTraceCommand(app, action);
  gpuscope::cli::addImportCommand(app, action);
  gpuscope::cli::addStatsCommand(app, action);
  gpuscope::cli::addExportCommand(app, action);
  gpuscope::cli::addReportCommand(app, action);
  gpuscope::cli::addKernelsCommand(app, action);
  gpuscope::cli::addAnalyzeCommand(app, action);
  gpuscope::cli::addDecodeCommand(app, action);
  gpuscope::cli::addExploreCommand(app, action);
  gpuscope::cli::addBenchCommand(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;  // usage errors are bad input (exit 2)
  }
  if (!action) return 0;
  gpuscope::Status status = action();
  if (!status.ok()) {
    std::fprintf(stderr, "gpuscope: error: %s\n", status.message().c_str());
    return status.exitCode();
  }
  return 0;
}
