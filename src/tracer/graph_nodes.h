// CUDA graph nodes -> the NVTX range open when they were captured. CUPTI
// reports a replayed kernel with the id of the *instantiated* (cloned)
// node; the NVTX stack is only known when the original node was created
// during stream capture. So: remember each created node's innermost NVTX
// range, follow GRAPHNODE_CLONED from original to clone, and emit a
// graph_nodes row for both (the CUPTI sample cuda_graphs_trace does this).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tracer/recording.h"

namespace gpuscope::tracer {

// One thread's NVTX push/pop stack. Nesting is per domain (NVTX rule), so
// a pop removes the innermost range of its own domain. It runs inside every
// nvtxRangePush/Pop of the traced program (cuBLAS and cuDNN push ranges
// per call when an NVTX tool is attached), so in steady state it allocates
// nothing: popped entries keep their string capacity for the next push.
class NvtxStack {
 public:
  void push(uintptr_t domain, std::string_view text);
  void pop(uintptr_t domain);
  // The innermost open range of any domain, "" when none.
  std::string_view innermost() const {
    return size_ == 0 ? std::string_view() : std::string_view(items_[size_ - 1].text);
  }
  size_t depth() const { return size_; }

 private:
  struct Item { uintptr_t domain; std::string text; };
  std::vector<Item> items_;  // [0, size_) open; the rest are spare storage
  size_t size_ = 0;
};

// Not thread-safe: the injection serializes calls (node creation is rare).
class GraphNodeTracker {
 public:
  GraphNodeTracker(Recording* out, int64_t pid) : out_(out), pid_(pid) {}

  // GRAPHNODE_CREATED. `inside_instantiate`: the callback fired inside
  // cudaGraphInstantiate, whose CREATED events are copies, not captures.
  void onNodeCreated(int64_t graph_id, uint64_t node_id, int32_t node_type,
                     std::string_view nvtx_range, bool inside_instantiate);
  // GRAPHNODE_CLONED: `node_id` in `graph_id` is a copy of `original_node_id`.
  void onNodeCloned(int64_t graph_id, uint64_t node_id, uint64_t original_node_id, int32_t node_type);

  // The capture-time NVTX range of a node (original or clone), "" if none.
  std::string_view rangeOf(uint64_t node_id) const;

 private:
  Recording* out_;
  int64_t pid_;
  std::unordered_map<uint64_t, model::StringId> node_range_;
};

}  // namespace gpuscope::tracer
