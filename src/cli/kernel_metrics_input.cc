#include "cli/kernel_metrics_input.h"

#include "base/file.h"
#include "importers/registry.h"
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
  const model::KernelRuleTable& rules = from.kernel_rules;
  for (size_t i = 0; i < rules.size(); ++i) {
    model::KernelRuleTable::Row r = rules.row(i);
    r.name = str(r.name);
    r.section = str(r.section);
    r.rule = str(r.rule);
    r.type = str(r.type);
    r.description = str(r.description);
    r.speedup_type = str(r.speedup_type);
    trace.kernel_rules.push(r);
  }
  return OkStatus();
}

}  // namespace gpuscope::cli
