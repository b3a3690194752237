// diagnostics: the import's counters of what it skipped or repaired (a
// gpuscope report; nsys has no import step to account for).
#include "model/diagnostics.h"
#include "stats/reports/reports.h"

namespace gpuscope::stats {

ReportTable diagnosticsReport(ReportContext& ctx, const ReportOptions&) {
  const model::Trace& tr = ctx.trace();
  ReportTable t("diagnostics", "Import Diagnostics");
  size_t c_name = t.addColumn("Name", Unit::kText, ValueType::kText);
  size_t c_sev = t.addColumn("Severity", Unit::kText, ValueType::kText);
  size_t c_count = t.addColumn("Count", Unit::kCount, ValueType::kInt);
  size_t c_pos = t.addColumn("First Position", Unit::kText, ValueType::kText);
  size_t c_desc = t.addColumn("Description", Unit::kText, ValueType::kText);
  for (const model::Diagnostic& d : tr.diagnostics.all()) {
    size_t r = t.appendRow();
    t.setText(r, c_name, t.internText(d.name));
    t.setText(r, c_sev, t.internText(model::severityName(d.severity)));
    t.setInt(r, c_count, d.count);
    if (!d.first_position.empty()) t.setText(r, c_pos, t.internText(d.first_position));
    t.setText(r, c_desc, t.internText(d.description));
  }
  if (t.rowCount() == 0) t.setSkipped("has no import diagnostics: nothing was skipped or repaired");
  return t;
}

}  // namespace gpuscope::stats
