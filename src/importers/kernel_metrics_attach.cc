#include "importers/kernel_metrics_attach.h"

#include "importers/registry.h"

namespace gpuscope::importers {

Status attachKernelMetrics(model::Trace& trace, const std::string& path, bool quiet) {
  GS_ASSIGN_OR_RETURN(model::Trace from, loadTrace(path, {.quiet = quiet, .tables = {"kernel_metrics"}}));
  const model::KernelMetricTable& m = from.kernel_metrics;
  if (m.size() == 0)
    return InvalidInput(path + ": --kernel-metrics: no kernel_metrics rows (a store written by gpuscope kernels -o "
                        "FILE.gpuscope was expected)");
  auto str = [&](model::StringId id) { return trace.strings.intern(from.strings.get(id)); };
  for (size_t i = 0; i < m.size(); ++i) {
    model::KernelMetricTable::Row r = m.row(i);
    r.name = str(r.name);
    r.section = str(r.section);
    r.label = str(r.label);
    r.metric = str(r.metric);
    r.unit = str(r.unit);
    trace.kernel_metrics.push(r);
  }
  return OkStatus();
}

}  // namespace gpuscope::importers
