// Each subcommand lives in its own file and registers itself here. A command
// binds flags to an options struct, calls one library function and prints;
// failures come back as a Status, which main() turns into the exit code.
#pragma once

#include <functional>
#include <string>
#include <vector>

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
void addAnalyzeCommand(CLI::App& app, Action& action);
void addDecodeCommand(CLI::App& app, Action& action);
void addReportCommand(CLI::App& app, Action& action);
void addTraceCommand(CLI::App& app, Action& action);
void addKernelsCommand(CLI::App& app, Action& action);
void addBenchCommand(CLI::App& app, Action& action);

// Prints what each kernel name says: the fused Myelin op chain and the
// patterns it forms, or the library, data types, tile and layout of a
// cuDNN/cuBLAS/CUTLASS/TensorRT kernel (shared by decode and analyze --decode).
void printDecodedKernels(const std::vector<std::string>& names);

}  // namespace gpuscope::cli
