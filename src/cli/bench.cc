// gpuscope bench [trtexec options]: trtexec's command line on gpuscope's
// engine. trtexec's `--key=value` syntax, its boolean flags that ignore their
// value and its "Unknown option" errors are not CLI11's, so the subcommand
// takes everything after `bench` verbatim and src/bench parses it.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench.h"
#include "cli/commands.h"

namespace gpuscope::cli {

void addBenchCommand(CLI::App& app, Action& action) {
  CLI::App* cmd = app.add_subcommand(
      "bench", "Build or load an engine and benchmark it like trtexec (gpuscope bench --help lists "
               "trtexec's options; see docs/bench.md)");
  // --help/-h are trtexec options here (they print trtexec's option list).
  cmd->set_help_flag();
  cmd->prefix_command();  // every argument after `bench` goes to remaining()
  cmd->callback([cmd, &action] {
    auto args = std::make_shared<std::vector<std::string>>(cmd->remaining());
    action = [args] { return bench::runBench(*args); };
  });
}

}  // namespace gpuscope::cli
