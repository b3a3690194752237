// Rows on host threads: cpu_op / python_function -> cpu_ops,
// user_annotation -> nvtx (push/pop, default domain), cuda_runtime /
// cuda_driver -> api_calls.
#include "importers/kineto_json/event_sink.h"

namespace gpuscope::importers::kineto_json {

int64_t EventSink::endOf(const RawEvent& e) {
  if (!e.has_dur || e.dur_ns < 0) return e.ts_ns;  // Kineto clamps negative durations to 0
  return e.ts_ns + e.dur_ns;                         // overflow was rejected by the parser
}

int64_t EventSink::hostId(const IdField& id, bool is_pid, size_t offset) {
  if (id.numeric) return id.value;
  if (!id.present) return 0;
  // Non-numeric ids (generic Chrome traces) get stable synthetic negative
  // ids, far below Kineto's -1 overhead row.
  std::string key(is_pid ? "p:" : "t:");
  key.append(id.text);
  auto [it, inserted] = string_ids_.emplace(std::move(key), 0);
  if (inserted) it->second = -(int64_t{1} << 40) - static_cast<int64_t>(string_ids_.size());
  count("kineto_string_id_mapped", model::Severity::kInfo,
        "rows whose pid or tid was a non-numeric string: given a synthetic negative id", offset);
  return it->second;
}

void EventSink::noteHostPid(int64_t pid) {
  if (pid != last_host_pid_ || last_host_count_ == nullptr) {
    last_host_pid_ = pid;
    last_host_count_ = &host_pid_events_[pid];  // map values never move
  }
  ++*last_host_count_;
}

void EventSink::addCpuOp(const RawEvent& e, int32_t kind) {
  model::CpuOpTable::Row r;
  r.start = e.ts_ns;
  r.end = endOf(e);
  r.pid = hostId(e.pid, true, e.offset);
  r.tid = hostId(e.tid, false, e.offset);
  r.name = trace_.strings.intern(e.name);
  r.kind = kind;
  r.external_id = e.args.external_id;
  r.sequence_number = e.args.sequence_number;
  if (!e.args.input_dims.empty()) r.input_dims = trace_.strings.intern(e.args.input_dims);
  noteHostPid(r.pid);
  trace_.cpu_ops.push(r);
}

void EventSink::addUserAnnotation(const RawEvent& e) {
  model::NvtxTable::Row r;
  r.start = e.ts_ns;
  r.end = endOf(e);
  r.pid = hostId(e.pid, true, e.offset);
  r.tid = hostId(e.tid, false, e.offset);
  r.kind = static_cast<int32_t>(model::NvtxKind::kPushPop);
  r.text = trace_.strings.intern(e.name);
  r.domain = model::kEmptyString;
  r.depth = 0;  // computeNvtxDepth()
  noteHostPid(r.pid);
  trace_.nvtx.push(r);
}

void EventSink::addApiCall(const RawEvent& e, int32_t api_kind) {
  model::ApiCallTable::Row r;
  r.start = e.ts_ns;
  r.end = endOf(e);
  r.pid = hostId(e.pid, true, e.offset);
  r.tid = hostId(e.tid, false, e.offset);
  r.correlation_id = e.args.correlation;
  r.name = trace_.strings.intern(e.name);
  r.api_kind = api_kind;
  r.external_id = e.args.external_id;
  noteHostPid(r.pid);
  trace_.api_calls.push(r);
}

}  // namespace gpuscope::importers::kineto_json
