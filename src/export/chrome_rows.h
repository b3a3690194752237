// The row layout of a Chrome/Perfetto trace: which (pid, tid) each event is
// drawn on, what the process and thread rows are called and how they sort.
//
// Host processes keep their OS pid and host threads their OS tid. Each GPU
// is one process ("GPU 0: NVIDIA H100 ..."), placed after all hosts, with one
// thread row per CUDA stream ("Stream 7") and a separate row for the
// stream's synchronization records (host-side waits, which would otherwise
// overlap the kernels they wait for).
//
// Complete ("X") events on one row must nest: each slice either contains or
// is disjoint from the next. Real traces sometimes break this (clock jitter
// between sources, a range popped out of order); such a slice is moved to an
// extra "overlap" row beside its own instead of being drawn wrongly or
// dropped by the viewer. assignLane() makes that choice as events arrive in
// (start ascending, end descending) order.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "export/buffered_writer.h"
#include "model/trace.h"

namespace gpuscope::exporters {

class ChromeRows {
 public:
  // Output pids of GPUs start here: above Linux's pid limit (2^22), so they
  // never meet a real pid. Viewers parse pid/tid as uint32.
  static constexpr int64_t kGpuPidBase = 0x40000000;
  // Replacement ids for pids/tids that do not fit (null, negative, huge).
  static constexpr int64_t kSyntheticPidBase = 0x60000000;
  static constexpr int64_t kSyntheticTidBase = 0x70000000;
  // A row has at most this many lanes; the last one takes whatever is left.
  static constexpr int kMaxLanes = 255;

  explicit ChromeRows(const model::Trace& trace) : trace_(trace) {}

  // Row ids, created on first use.
  uint32_t hostThreadRow(int64_t pid, int64_t tid);
  uint32_t streamRow(int64_t device, int64_t pid, int64_t stream, bool sync_row);

  // Lane of the next slice [start, end] on `row`; slices must arrive in
  // (start ascending, end descending) order. `end` is INT64_MAX for a range
  // that never closed.
  uint8_t assignLane(uint32_t row, int64_t start, int64_t end);

  // Fixes output ids, names and sort indices; call after every row exists.
  void finishLayout();
  int64_t outPid(uint32_t row) const { return processes_[rows_[row].process].out_pid; }
  int64_t outTid(uint32_t row, uint8_t lane) const { return rows_[row].lane_tids[lane]; }
  // ph "M" events for every process and row (each preceded by ",\n" unless
  // `*first`, which is then cleared); returns how many were written.
  uint64_t writeMetadata(BufferedWriter& w, bool* first) const;

  size_t rowCount() const { return rows_.size(); }

 private:
  enum class RowKind : int32_t { kHostThread, kStream, kStreamSync };
  struct RowKey {
    RowKind kind;
    int64_t a, b, c;  // host: pid, tid; stream: device, pid, stream id
    bool operator==(const RowKey&) const = default;
  };
  struct RowKeyHash {
    size_t operator()(const RowKey& k) const;
  };
  struct Process {
    bool gpu = false;
    int64_t key = 0;  // OS pid, or device ordinal
    int64_t out_pid = 0;
    int sort_index = 0;
    std::string name;
  };
  struct Row {
    RowKey key;
    uint32_t process = 0;
    std::vector<std::vector<int64_t>> open_ends;  // per lane, the enclosing slices' ends
    std::vector<int64_t> lane_tids;
    std::vector<int> lane_sort;
    std::string name;
  };

  uint32_t rowFor(const RowKey& key, bool gpu, int64_t process_key);
  void nameHostProcess(Process& p) const;
  void nameGpuProcess(Process& p) const;
  void layoutRows();

  const model::Trace& trace_;
  std::vector<Process> processes_;
  std::unordered_map<RowKey, uint32_t, RowKeyHash> row_index_;
  std::unordered_map<int64_t, uint32_t> host_process_index_;
  std::unordered_map<int64_t, uint32_t> gpu_process_index_;
  std::vector<Row> rows_;
};

}  // namespace gpuscope::exporters
