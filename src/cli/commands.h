// Each subcommand lives in its own file and registers itself here. A command
// binds flags to an options struct, calls one library function and prints;
// failures come back as a Status, which main() turns into the exit code.
#pragma once

#include <functional>

#include "base/status.h"

namespace CLI {
class App;
}

namespace gpuscope::cli {

// The action a parsed subcommand runs. Set by the subcommand's callback.
using Action = std::function<Status()>;

void addImportCommand(CLI::App& app, Action& action);
void addStatsCommand(CLI::App& app, Action& action);
void addExportCommand(CLI::App& app, Action& action);
void addExploreCommand(CLI::App& app, Action& action);

}  // namespace gpuscope::cli
