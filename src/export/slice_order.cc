#include "export/slice_order.h"

#include <algorithm>

#include "model/table_macros.h"

namespace gpuscope::exporters {

SliceCursor::SliceCursor(const std::vector<int64_t>& start, const std::vector<int64_t>& end,
                         const std::vector<int32_t>* kind, int32_t want_kind)
    : start_(&start), end_(&end), kind_(kind), want_kind_(want_kind) {
  if (!std::is_sorted(start.begin(), start.end())) {
    full_order_ = true;
    for (uint32_t i = 0; i < start.size(); ++i) {
      if (wanted(i)) order_.push_back(i);
    }
    std::stable_sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
      if (start[a] != start[b]) return start[a] < start[b];
      return effectiveEnd(a) > effectiveEnd(b);
    });
  }
  reset();
}

int64_t SliceCursor::effectiveEnd(uint32_t i) const {
  int64_t e = (*end_)[i];
  if (e == model::kNullI64) return std::numeric_limits<int64_t>::max();
  return std::max(e, (*start_)[i]);
}

void SliceCursor::reset() {
  pos_ = 0;
  next_raw_ = 0;
  group_.clear();
  loadGroup();
}

void SliceCursor::next() {
  ++pos_;
  if (!full_order_ && pos_ >= group_.size()) loadGroup();
}

void SliceCursor::loadGroup() {
  group_.clear();
  pos_ = 0;
  if (full_order_) {
    next_raw_ = order_.size();  // the index is already in visiting order
    return;
  }
  const auto& s = *start_;
  while (group_.empty() && next_raw_ < s.size()) {
    size_t first = next_raw_;
    size_t last = first + 1;
    while (last < s.size() && s[last] == s[first]) ++last;
    for (size_t i = first; i < last; ++i) {
      if (wanted(static_cast<uint32_t>(i))) group_.push_back(static_cast<uint32_t>(i));
    }
    next_raw_ = last;
  }
  if (group_.size() > 1) {
    std::stable_sort(group_.begin(), group_.end(),
                     [&](uint32_t a, uint32_t b) { return effectiveEnd(a) > effectiveEnd(b); });
  }
}

}  // namespace gpuscope::exporters
