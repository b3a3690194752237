// cuda_api_sum and cuda_api_trace: CUDA runtime/driver API calls.
#include <unordered_map>

#include "stats/reports/reports.h"
#include "stats/summary_table.h"

namespace gpuscope::stats {

using model::kNullI64;

bool isCudaApiRow(const model::Trace& trace, size_t i) {
  int32_t kind = trace.api_calls.api_kind[i];
  return kind != static_cast<int32_t>(model::ApiKind::kCudnn) &&
         kind != static_cast<int32_t>(model::ApiKind::kCublas);
}

NameGroups cudaApiGroups(const model::Trace& tr) {
  const auto& a = tr.api_calls;
  return summarizeByName(
      a.size(), tr.strings.size(), [&](size_t i) { return isCudaApiRow(tr, i) && a.end[i] != kNullI64; },
      [&](size_t i) { return a.name[i]; }, [&](size_t i) { return a.end[i] - a.start[i]; });
}

ReportTable cudaApiSum(ReportContext& ctx, const ReportOptions&) {
  const model::Trace& tr = ctx.trace();
  ReportTable t("cuda_api_sum", "CUDA API Summary");
  buildNameSummary(t, tr, cudaApiGroups(tr), SummarySpec{true, "Total Time", "Num Calls", Unit::kDurNs, {"Name"}},
                   "does not contain CUDA API data");
  return t;
}

ReportTable cudaApiTrace(ReportContext& ctx, const ReportOptions&) {
  const model::Trace& tr = ctx.trace();
  const auto& a = tr.api_calls;
  ReportTable t("cuda_api_trace", "CUDA API Trace");
  size_t c_start = t.addColumn("Start", Unit::kTsNs, ValueType::kInt);
  size_t c_dur = t.addColumn("Duration", Unit::kDurNs, ValueType::kInt);
  size_t c_name = t.addColumn("Name", Unit::kText, ValueType::kText);
  size_t c_result = t.addColumn("Result", Unit::kCount, ValueType::kInt);
  size_t c_corr = t.addColumn("CorrID", Unit::kCount, ValueType::kInt);
  size_t c_pid = t.addColumn("Pid", Unit::kCount, ValueType::kInt);
  size_t c_tid = t.addColumn("Tid", Unit::kCount, ValueType::kInt);
  t.addColumn("T-Pri", Unit::kCount, ValueType::kInt);  // thread priority: not in the model
  size_t c_thread = t.addColumn("Thread Name", Unit::kText, ValueType::kText);

  std::unordered_map<int64_t, std::unordered_map<int64_t, model::StringId>> thread_names;
  for (size_t i = 0; i < tr.threads.size(); ++i) {
    thread_names[tr.threads.pid[i]][tr.threads.tid[i]] = tr.threads.name[i];
  }
  t.reserveRows(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (!isCudaApiRow(tr, i) || a.end[i] == kNullI64) continue;
    size_t r = t.appendRow();
    t.setInt(r, c_start, a.start[i]);
    t.setInt(r, c_dur, a.end[i] - a.start[i]);
    t.setText(r, c_name, t.traceText(tr.strings, a.name[i]));
    t.setInt(r, c_result, a.return_code[i]);
    t.setInt(r, c_corr, a.correlation_id[i]);
    t.setInt(r, c_pid, a.pid[i]);
    t.setInt(r, c_tid, a.tid[i]);
    auto p = thread_names.find(a.pid[i]);
    if (p != thread_names.end()) {
      auto q = p->second.find(a.tid[i]);
      if (q != p->second.end() && q->second != model::kEmptyString) {
        t.setText(r, c_thread, t.traceText(tr.strings, q->second));
      }
    }
  }
  if (t.rowCount() == 0) t.setSkipped("does not contain CUDA API data");
  return t;
}

}  // namespace gpuscope::stats
