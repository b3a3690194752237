// gpuscope bench [trtexec options]: trtexec's command line on gpuscope's
// engine. trtexec's `--key=value` syntax, its boolean flags that ignore their
// value and its "Unknown option" errors are not CLI11's, so the subcommand
// takes everything after `bench` verbatim and hands it to gpuscope-bench
// (src/bench/main), which this process becomes: the engine's CUDA libraries
// are loaded only by the command that uses them.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace gpuscope::cli {
namespace {

std::string benchExecutable() {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "gpuscope-bench";
  std::string path(self, size_t(n));
  return path.substr(0, path.rfind('/') + 1) + "gpuscope-bench";
}

Status execBench(const std::vector<std::string>& args) {
  const std::string exe = benchExecutable();
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>("gpuscope-bench"));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  execv(exe.c_str(), argv.data());
  return EnvironmentError(exe + ": cannot run the benchmark program (" + std::strerror(errno) +
                          "); it is built next to gpuscope");
}

}  // namespace

void addBenchCommand(CLI::App& app, Action& action) {
  CLI::App* cmd = app.add_subcommand(
      "bench", "Build or load an engine and benchmark it like trtexec (gpuscope bench --help lists "
               "trtexec's options; see docs/bench.md)");
  // --help/-h are trtexec options here (they print trtexec's option list).
  cmd->set_help_flag();
  cmd->prefix_command();  // every argument after `bench` goes to remaining()
  cmd->callback([cmd, &action] {
    auto args = std::make_shared<std::vector<std::string>>(cmd->remaining());
    action = [args] { return execBench(*args); };
  });
}

}  // namespace gpuscope::cli
