// Turns RawEvents into model rows, one handler per event kind, and keeps
// what the end of the import needs: flows, metadata rows, open "B" events
// and the skip counters. finish() links GPU work to its launching call,
// fills the process/thread/stream/context/device tables, computes NVTX
// depth and writes the counters to trace.diagnostics.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "importers/kineto_json/categories.h"
#include "importers/kineto_json/raw_event.h"
#include "model/trace.h"

namespace gpuscope::importers::kineto_json {

class EventSink {
 public:
  // `expected_events` sizes the tables (an estimate, from the file size).
  EventSink(model::Trace& trace, size_t expected_events);

  void handle(const RawEvent& e);
  void finish();

  // Counts a skipped event under `name` (created on first use).
  void count(std::string_view name, model::Severity severity, std::string_view description,
             size_t offset, int64_t n = 1);

 private:
  struct Counter {
    std::string name;
    model::Severity severity;
    std::string description;
    int64_t count;
    size_t first_offset;
  };
  struct FlowEnd {
    int64_t pid, tid, ts, id;
  };
  struct MetaRow {
    std::string_view kind;  // process_name, thread_name (static strings)
    int64_t pid, tid;
    model::StringId name;
  };
  struct OpenBegin {
    RawEvent event;  // strings re-pointed at interned copies
    size_t offset;
  };

  // Dispatch by phase.
  void handleComplete(const RawEvent& e, Category c);
  void handleBegin(const RawEvent& e);
  void handleEnd(const RawEvent& e);
  void handleFlow(const RawEvent& e, Category c);
  void handleMetadata(const RawEvent& e);
  void countSkippedCategory(const RawEvent& e, Category c, std::string_view prefix);

  // Host rows (host_events.cc).
  void addCpuOp(const RawEvent& e, int32_t kind);
  void addUserAnnotation(const RawEvent& e);
  void addApiCall(const RawEvent& e, int32_t api_kind);
  // GPU rows (gpu_events.cc).
  void addKernel(const RawEvent& e);
  void addMemcpy(const RawEvent& e);
  void addMemset(const RawEvent& e);
  void addSync(const RawEvent& e);
  void addGpuAnnotation(const RawEvent& e);

  // Finishing steps (linking.cc, entity_tables.cc).
  void linkCorrelations();
  void computeNvtxDepth();
  void fillEntityTables();
  void flushCounters();

  int64_t hostId(const IdField& id, bool is_pid, size_t offset);
  int64_t deviceOf(const RawEvent& e);
  // A row of a GPU table with the columns every GPU record shares filled in.
  template <typename Row>
  Row gpuRow(const RawEvent& e);
  int64_t streamOf(const RawEvent& e);
  void noteHostPid(int64_t pid);
  void noteDevicePid(int64_t pid);
  int64_t endOf(const RawEvent& e);
  model::StringId internKernelBase(model::StringId name);

  model::Trace& trace_;
  std::vector<Counter> counters_;
  size_t last_counter_ = 0;
  std::unordered_map<std::string, int64_t> string_ids_;  // non-numeric pid/tid -> synthetic id
  std::unordered_map<int64_t, int64_t> host_pid_events_;
  int64_t last_host_pid_ = model::kNullI64;
  int64_t* last_host_count_ = nullptr;
  std::unordered_set<int64_t> device_pids_;
  int64_t last_device_pid_ = model::kNullI64;
  std::vector<FlowEnd> ac2g_starts_, ac2g_ends_;
  std::vector<MetaRow> meta_rows_;
  std::unordered_map<std::string, std::vector<OpenBegin>> open_begins_;  // key: "pid/tid"
  std::vector<model::StringId> kernel_base_;  // indexed by name StringId
  std::vector<uint32_t> api_order_;            // api_calls rows sorted by correlation
  int64_t main_pid_ = model::kNullI64;
  int64_t span_start_ = model::kNullI64;
  int64_t span_end_ = model::kNullI64;
};

}  // namespace gpuscope::importers::kineto_json
