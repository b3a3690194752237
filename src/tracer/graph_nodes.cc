#include "tracer/graph_nodes.h"

#include <algorithm>

namespace gpuscope::tracer {

void NvtxStack::push(uintptr_t domain, std::string_view text) {
  if (size_ == items_.size()) items_.emplace_back();
  Item& item = items_[size_++];
  item.domain = domain;
  item.text.assign(text.data(), text.size());  // reuses the capacity a popped range left
}

void NvtxStack::pop(uintptr_t domain) {
  for (size_t i = size_; i-- > 0;) {
    if (items_[i].domain == domain) {
      // Moves the popped item past the open ones (rotating keeps every
      // string's buffer), then shrinks the open part.
      std::rotate(items_.begin() + static_cast<std::ptrdiff_t>(i),
                  items_.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                  items_.begin() + static_cast<std::ptrdiff_t>(size_));
      --size_;
      return;
    }
  }
}

void GraphNodeTracker::onNodeCreated(int64_t graph_id, uint64_t node_id, int32_t node_type,
                                     std::string_view nvtx_range, bool inside_instantiate) {
  if (inside_instantiate) return;
  model::StringId text = out_->rows.strings.intern(nvtx_range);
  node_range_[node_id] = text;
  model::GraphNodeTable::Row r;
  r.pid = pid_;
  r.graph_id = graph_id;
  r.node_id = static_cast<int64_t>(node_id);
  r.node_type = node_type;
  r.nvtx_text = text;
  out_->rows.graph_nodes.push(r);
}

void GraphNodeTracker::onNodeCloned(int64_t graph_id, uint64_t node_id, uint64_t original_node_id,
                                    int32_t node_type) {
  auto it = node_range_.find(original_node_id);
  model::StringId text = it == node_range_.end() ? model::kEmptyString : it->second;
  // A clone of a clone (graph exec update, re-instantiation) keeps the range.
  node_range_[node_id] = text;
  model::GraphNodeTable::Row r;
  r.pid = pid_;
  r.graph_id = graph_id;
  r.node_id = static_cast<int64_t>(node_id);
  r.original_node_id = static_cast<int64_t>(original_node_id);
  r.node_type = node_type;
  r.nvtx_text = text;
  out_->rows.graph_nodes.push(r);
}

std::string_view GraphNodeTracker::rangeOf(uint64_t node_id) const {
  auto it = node_range_.find(node_id);
  return it == node_range_.end() ? std::string_view() : out_->rows.strings.get(it->second);
}

}  // namespace gpuscope::tracer
