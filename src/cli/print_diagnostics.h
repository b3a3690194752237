#pragma once

#include <string>

#include "model/trace.h"

namespace gpuscope::cli {

// One stderr line per diagnostics counter of an import, e.g.
// "gpuscope: skipped 12 kernel rows in x.sqlite: end < start (first at row 17 of ...)".
void printDiagnostics(const model::Trace& trace, const std::string& source);

}  // namespace gpuscope::cli
