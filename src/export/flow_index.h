// Which API calls launched GPU work that is in the trace, and the flow id
// that ties the two ends of each arrow together. A flow is drawn only when
// both ends exist, so every "s" event has its "f" and no "f" dangles.
//
// Correlation ids are unique only within a process, so the id combines a
// dense process index with the correlation id: index * 2^32 + correlation + 1,
// which stays below 2^53 and so survives JavaScript's number type.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "model/trace.h"

namespace gpuscope::exporters {

class FlowIndex {
 public:
  explicit FlowIndex(const model::Trace& trace);

  // The flow id for API call `i`, or 0 when no GPU work shares its key.
  uint64_t apiFlow(size_t i) const;
  // The flow id for GPU work of (pid, correlation), or 0 when no API call has it.
  uint64_t gpuFlow(int64_t pid, int64_t correlation) const;

 private:
  // Open-addressing set of 64-bit keys: one probe sequence in one array,
  // no allocation per key (traces hold 10^7 launches). Correlation ids are
  // counters, so the slot is the id itself plus a per-process offset:
  // lookups in time order then walk the array almost sequentially instead
  // of missing the cache on every launch.
  class KeySet {
   public:
    void reserve(size_t n);
    void insert(uint64_t key);
    bool contains(uint64_t key) const;

   private:
    static constexpr uint64_t kEmpty = ~uint64_t{0};
    size_t slot(uint64_t key) const {
      return static_cast<size_t>((key & 0xFFFFFFFFu) + (key >> 32) * 0x9E3779B1u) & mask_;
    }
    std::vector<uint64_t> slots_;
    size_t size_ = 0;
    size_t mask_ = 0;
  };

  // kNoKey when the pair cannot carry a flow (NULL or out-of-range ids).
  static constexpr uint64_t kNoKey = ~uint64_t{0};
  uint64_t key(int64_t pid, int64_t correlation) const;
  uint64_t keyAdding(int64_t pid, int64_t correlation);

  const model::Trace& trace_;
  std::unordered_map<int64_t, uint32_t> pid_index_;
  // The last process looked up: consecutive events mostly share it.
  mutable int64_t last_pid_ = 0;
  mutable int64_t last_index_ = -1;
  KeySet api_keys_;
  KeySet gpu_keys_;
};

}  // namespace gpuscope::exporters
