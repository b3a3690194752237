// The option echo trtexec prints after parsing (=== Model Options === ...
// === Reporting Options ===), `Key: value` lines in its wording per dialect.
// TREx's log parser and `gpuscope explore --log` read these blocks
// (Duration's "(+ 200ms warm up)" gives them the warm-up cut-off).
#pragma once

#include "bench/log.h"
#include "bench/options.h"

namespace gpuscope::bench {

void printOptionEcho(const BenchOptions& o, Logger& log);

// "1x3x224x224" (trtexec's dims text); "scalar" is printed for rank 0.
std::string dimsText(const engine::Shape& shape);

}  // namespace gpuscope::bench
