// ReportContext: the joins several reports share, computed once per trace
// and only when a report asks for them (kernel -> launching API call, API
// call -> the GPU ops it launched, NVTX ranges -> API calls they contain).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/trace.h"

namespace gpuscope::stats {

// GPU operations, as (table, row) packed in 32 bits.
enum class GpuOpTable : uint32_t { kKernel = 0, kMemcpy = 1, kMemset = 2 };
inline uint32_t packGpuOp(GpuOpTable t, uint32_t row) { return (static_cast<uint32_t>(t) << 30) | row; }
inline GpuOpTable gpuOpTable(uint32_t op) { return static_cast<GpuOpTable>(op >> 30); }
inline uint32_t gpuOpRow(uint32_t op) { return op & 0x3FFFFFFFu; }

// (pid, correlation id) -> api_calls row. Correlation ids are unique only
// within a process; per process they are usually dense, so most lookups are
// one array index.
class ApiIndex {
 public:
  explicit ApiIndex(const model::Trace& trace);
  // The api_calls row launching the GPU op, or -1.
  int64_t find(int64_t pid, int64_t correlation_id) const;

 private:
  struct PerProcess {
    int64_t pid = 0;
    int64_t base = 0;                // smallest correlation id
    std::vector<int32_t> dense;      // corr - base -> row, -1 if none
    std::vector<std::pair<int64_t, int32_t>> sparse;  // sorted, when ids are not dense
  };
  std::vector<PerProcess> processes_;
};

// NVTX ranges as the GPU-projection reports see them: push/pop and
// start/end ranges that ended on their own thread, open ones closed at the
// largest NVTX range timestamp, with their nesting tree per thread.
struct NvtxRangeSet {
  std::vector<uint32_t> row;      // nvtx table row
  std::vector<int64_t> start;
  std::vector<int64_t> end;
  std::vector<uint32_t> thread;   // dense (pid, tid) id
  std::vector<int32_t> parent;    // index in this set, -1 for a root
  std::vector<int32_t> level;     // 0 = root
  size_t size() const { return row.size(); }
};

class ReportContext {
 public:
  explicit ReportContext(const model::Trace& trace) : trace_(trace) {}
  const model::Trace& trace() const { return trace_; }

  const ApiIndex& apiIndex();
  // api_calls row launching each kernel / memcpy / memset row, -1 if none.
  const std::vector<int32_t>& kernelApi();
  const std::vector<int32_t>& memcpyApi();
  const std::vector<int32_t>& memsetApi();
  // GPU ops launched by api_calls row a: ops()[opsBegin()[a] .. opsBegin()[a+1]).
  const std::vector<uint32_t>& opsBegin();
  const std::vector<uint32_t>& ops();

  // Largest start or end over NVTX ranges (not marks): where open ranges end.
  int64_t nvtxMaxTimestamp();
  const NvtxRangeSet& projectionRanges();
  // Every (range index in projectionRanges(), api_calls row) with the call
  // on the range's thread, start and end inside the range, and at least one
  // GPU op launched.
  const std::vector<std::pair<uint32_t, uint32_t>>& rangeApiPairs();

  // Dense id of thread (pid, tid); ids are assigned on first sight.
  uint32_t threadId(int64_t pid, int64_t tid);

 private:
  void buildGpuApiJoin();  // kernel/memcpy/memset -> api row
  void buildOpJoin();      // api row -> GPU ops (CSR)

  const model::Trace& trace_;
  std::optional<ApiIndex> api_index_;
  bool gpu_api_built_ = false;
  bool op_join_built_ = false;
  std::vector<int32_t> kernel_api_, memcpy_api_, memset_api_;
  std::vector<uint32_t> ops_begin_, ops_;
  std::optional<int64_t> nvtx_max_ts_;
  std::optional<NvtxRangeSet> ranges_;
  std::optional<std::vector<std::pair<uint32_t, uint32_t>>> range_api_pairs_;
  struct PairHash {
    size_t operator()(const std::pair<int64_t, int64_t>& p) const {
      return std::hash<int64_t>()(p.first * 1000003 ^ p.second);
    }
  };
  std::unordered_map<std::pair<int64_t, int64_t>, uint32_t, PairHash> thread_ids_;
};

// "domain:text" when the range has a non-default domain, else "text".
std::string nvtxRangeName(const model::Trace& trace, size_t nvtx_row);

}  // namespace gpuscope::stats
