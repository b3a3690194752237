// gpuscope-bench: the process behind `gpuscope bench`. The engine links
// cudart, cuBLASLt, cuDNN and NVRTC (about 0.1 s and 240 MiB of mapped
// libraries at start-up); keeping it out of the main binary keeps every other
// command as light as it was. `gpuscope bench ARGS` execs this program with
// the same arguments.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench.h"

int main(int argc, char** argv) {
  std::signal(SIGXFSZ, SIG_IGN);  // as in gpuscope: a file-size limit is a write error
  std::vector<std::string> args(argv + 1, argv + argc);
  gpuscope::Status status = gpuscope::bench::runBench(args);
  if (!status.ok()) {
    std::fprintf(stderr, "gpuscope: error: %s\n", status.message().c_str());
    return status.exitCode();
  }
  return 0;
}
