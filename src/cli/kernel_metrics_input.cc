#include "cli/kernel_metrics_input.h"

#include <vector>

#include "base/file.h"
#include "importers/registry.h"
#include "model/table_append.h"
#include "profiler/ncu_csv.h"

namespace gpuscope::cli {
namespace {

StatusOr<model::Trace> loadMetrics(const std::string& path, bool quiet) {
  GS_ASSIGN_OR_RETURN(std::string head, readHead(path, 4096));
  if (profiler::looksLikeNcuCsv(head)) {
    GS_ASSIGN_OR_RETURN(std::string text, readFile(path));
    return profiler::importNcuCsv(text, path);
  }
  return importers::loadTrace(path, {.quiet = quiet, .tables = {"kernel_metrics", "kernel_rules"}});
}

}  // namespace

Status attachKernelMetrics(model::Trace& trace, const std::string& path, bool quiet) {
  GS_ASSIGN_OR_RETURN(model::Trace from, loadMetrics(path, quiet));
  const model::KernelMetricTable& m = from.kernel_metrics;
  if (m.size() == 0)
    return InvalidInput(path + ": --kernel-metrics: no kernel metrics (expected a store written by gpuscope kernels "
                        "-o FILE.gpuscope, or ncu --csv output)");
  const std::vector<model::StringId> remap = model::remapStrings(from.strings, trace.strings);
  model::appendRows(trace.kernel_metrics, m, remap);
  model::appendRows(trace.kernel_rules, from.kernel_rules, remap);
  return OkStatus();
}

}  // namespace gpuscope::cli
