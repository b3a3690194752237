#include "bench/bench.h"

#include <iostream>

#include "base/version.h"

namespace gpuscope::bench {

std::string bannerLine(const std::string& state, const std::vector<std::string>& args) {
  std::string line = "&&&& " + state + " gpuscope.bench [gpuscope v" + std::string(kVersion) + "] # gpuscope bench";
  for (const std::string& a : args) line += " " + a;
  return line;
}

Status runBench(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {  // trtexec without arguments prints the help and passes
    out << helpText(TrtexecVersion{});
    return OkStatus();
  }
  StatusOr<ParsedOptions> parsed = parseBenchOptions(args);
  if (!parsed.ok()) return parsed.status();
  const BenchOptions& o = parsed->options;
  if (o.help) {
    out << helpText(o.version);
    return OkStatus();
  }
  Logger log(out, err, o.verbose);
  log.raw(bannerLine("RUNNING", args));
  for (const std::string& w : parsed->warnings) log.warn(w);
  Status st = runParsed(o, log);
  log.raw(bannerLine(st.ok() ? "PASSED" : "FAILED", args));
  return st;
}

Status runBench(const std::vector<std::string>& args) { return runBench(args, std::cout, std::cerr); }

}  // namespace gpuscope::bench
