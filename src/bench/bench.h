// gpuscope bench: trtexec on gpuscope's engine. runBench takes the arguments
// after `bench` (trtexec syntax), builds or loads the engine, runs the timed
// inference (and the separate profiling run), prints trtexec's log and
// writes the requested files. The banner lines `&&&& RUNNING/PASSED/FAILED`
// bracket the run as in trtexec.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "base/status.h"
#include "bench/log.h"
#include "bench/options.h"

namespace gpuscope::bench {

// Option errors are InvalidInput (exit 2) and print nothing (the caller
// reports the message); a failed run after the options were accepted prints
// `&&&& FAILED ...` and returns the failure. INFO/VERBOSE go to `out`,
// warnings and errors to `err`.
Status runBench(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
Status runBench(const std::vector<std::string>& args);  // stdout / stderr

// The run itself, after parsing (run.cc).
Status runParsed(const BenchOptions& o, Logger& log);

// "&&&& RUNNING gpuscope.bench [gpuscope v0.1.0] # gpuscope bench --onnx=m.onnx"
std::string bannerLine(const std::string& state, const std::vector<std::string>& args);

}  // namespace gpuscope::bench
