// End of import: processes, threads, devices, contexts and streams are
// derived from the rows (so every id a row uses has its entity row), named
// from the metadata events where Kineto wrote names; then the skip counters
// go to trace.diagnostics.
#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "importers/kineto_json/event_sink.h"

namespace gpuscope::importers::kineto_json {
namespace {

using model::kNullI64;
using model::Severity;

constexpr size_t kNoOffset = std::numeric_limits<size_t>::max();

template <typename Table>
void collectThreads(const Table& t, std::set<std::pair<int64_t, int64_t>>& out) {
  int64_t last_pid = kNullI64, last_tid = kNullI64;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t.pid[i] == last_pid && t.tid[i] == last_tid) continue;  // runs are common
    last_pid = t.pid[i];
    last_tid = t.tid[i];
    out.emplace(last_pid, last_tid);
  }
}

}  // namespace

void EventSink::finish() {
  for (const auto& [key, stack] : open_begins_) {
    for (const OpenBegin& open : stack) {
      count("kineto_begin_without_end", Severity::kDataLoss,
            "\"B\" events never closed by an \"E\" event on their thread", open.offset);
    }
  }
  open_begins_.clear();

  // The main host process: the one with the most host rows.
  int64_t best = -1;
  for (const auto& [pid, n] : host_pid_events_) {
    if (n > best || (n == best && pid < main_pid_)) {
      best = n;
      main_pid_ = pid;
    }
  }
  if (main_pid_ == kNullI64) {
    for (const MetaRow& m : meta_rows_) {
      if (m.kind == std::string_view("process_name") && !device_pids_.count(m.pid)) {
        main_pid_ = m.pid;
        break;
      }
    }
  }

  linkCorrelations();
  computeNvtxDepth();
  fillEntityTables();
  if (span_start_ != kNullI64) {
    trace_.meta["kineto_span_start_ns"] = std::to_string(span_start_);
    trace_.meta["kineto_span_end_ns"] = std::to_string(span_end_);
  }
  flushCounters();
}

void EventSink::fillEntityTables() {
  std::map<int64_t, model::StringId> process_names;
  std::map<std::pair<int64_t, int64_t>, model::StringId> thread_names;
  for (const MetaRow& m : meta_rows_) {
    const bool process = m.kind == std::string_view("process_name");
    if (device_pids_.count(m.pid)) {
      count(std::string("kineto_skipped_metadata:") + std::string(m.kind), Severity::kInfo,
            "names of GPU device and stream rows: devices and streams are identified by id",
            kNoOffset);
      continue;
    }
    if (process) process_names[m.pid] = m.name;
    else thread_names[{m.pid, m.tid}] = m.name;
  }

  std::set<std::pair<int64_t, int64_t>> threads;
  collectThreads(trace_.cpu_ops, threads);
  collectThreads(trace_.api_calls, threads);
  collectThreads(trace_.nvtx, threads);
  for (const auto& [key, name] : thread_names) threads.insert(key);

  std::set<int64_t> pids;
  for (const auto& [pid, n] : host_pid_events_) pids.insert(pid);
  for (const auto& [pid, name] : process_names) pids.insert(pid);
  for (const auto& [pid, tid] : threads) pids.insert(pid);

  std::set<std::tuple<int64_t, int32_t, int64_t, int64_t>> streams;  // pid, device, ctx, stream
  std::set<int32_t> devices;
  auto collectGpu = [&](const auto& t) {
    for (size_t i = 0; i < t.size(); ++i) {
      streams.emplace(t.pid[i], t.device_id[i], t.context_id[i], t.stream_id[i]);
      if (t.device_id[i] != model::kNullI32) devices.insert(t.device_id[i]);
    }
  };
  collectGpu(trace_.kernels);
  collectGpu(trace_.memcpys);
  collectGpu(trace_.memsets);
  collectGpu(trace_.syncs);
  for (size_t i = 0; i < trace_.gpu_annotations.size(); ++i) {
    if (trace_.gpu_annotations.device_id[i] != model::kNullI32) {
      devices.insert(trace_.gpu_annotations.device_id[i]);
    }
  }
  for (const auto& s : streams) {
    if (std::get<0>(s) != kNullI64) pids.insert(std::get<0>(s));
  }

  for (int64_t pid : pids) {
    auto it = process_names.find(pid);
    trace_.processes.push({pid, it == process_names.end() ? model::kEmptyString : it->second});
  }
  for (const auto& key : threads) {
    auto it = thread_names.find(key);
    trace_.threads.push({key.first, key.second,
                         it == thread_names.end() ? model::kEmptyString : it->second});
  }

  // deviceProperties rows were added by the top-level reader; add bare
  // rows for devices that events use but the header does not describe.
  std::set<int32_t> described(trace_.devices.id.begin(), trace_.devices.id.end());
  for (int32_t d : devices) {
    if (described.count(d)) continue;
    model::DeviceTable::Row r;
    r.id = d;
    trace_.devices.push(r);
  }

  std::set<std::tuple<int64_t, int32_t, int64_t>> contexts;
  for (const auto& [pid, device, context, stream] : streams) {
    if (context != kNullI64) contexts.emplace(pid, device, context);
    model::StreamTable::Row r;
    r.pid = pid;
    r.device_id = device;
    r.context_id = context;
    r.stream_id = stream;
    trace_.streams.push(r);
  }
  for (const auto& [pid, device, context] : contexts) trace_.contexts.push({pid, device, context});
}

void EventSink::flushCounters() {
  for (const Counter& c : counters_) {
    std::string position =
        c.first_offset == kNoOffset ? std::string() : "byte " + std::to_string(c.first_offset);
    trace_.diagnostics.add(c.name, c.severity, c.description, position, c.count);
  }
  counters_.clear();
}

}  // namespace gpuscope::importers::kineto_json
