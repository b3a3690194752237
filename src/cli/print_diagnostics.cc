#include "cli/print_diagnostics.h"

#include <cstdio>

namespace gpuscope::cli {

void printDiagnostics(const model::Trace& trace, const std::string& source) {
  for (const auto& d : trace.diagnostics.all()) {
    std::fprintf(stderr, "gpuscope: %s: %s [%s] x%lld: %s%s%s\n", source.c_str(),
                 std::string(model::severityName(d.severity)).c_str(), d.name.c_str(),
                 static_cast<long long>(d.count), d.description.c_str(),
                 d.first_position.empty() ? "" : " (first at ", 
                 d.first_position.empty() ? "" : (d.first_position + ")").c_str());
  }
}

}  // namespace gpuscope::cli
