// Walks several time-ordered tables as one sequence in (start ascending,
// end descending) order — the order in which a slice's parent comes before
// the slice, which both nesting checks and viewers that break timestamp ties
// by file order need.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace gpuscope::exporters {

class SliceCursor {
 public:
  // `start`/`end` are a table's columns; when `kind` is given only rows whose
  // kind equals `want_kind` are visited. Tables sorted by start (what
  // Trace::sortByTime() leaves) are walked in place; others get an index.
  SliceCursor(const std::vector<int64_t>& start, const std::vector<int64_t>& end,
              const std::vector<int32_t>* kind = nullptr, int32_t want_kind = 0);

  bool done() const { return pos_ >= seq().size() && next_raw_ >= limit(); }
  uint32_t index() const { return seq()[pos_]; }
  int64_t start() const { return (*start_)[index()]; }
  int64_t end() const { return effectiveEnd(index()); }
  void next();
  // Back to the first row.
  void reset();

  // The end a nesting decision uses: a range that never closed (NULL end)
  // stays open to the end of time; a negative duration counts as zero.
  int64_t effectiveEnd(uint32_t i) const;

 private:
  size_t limit() const { return full_order_ ? order_.size() : start_->size(); }
  // What is being handed out: the whole index, or the current start group.
  const std::vector<uint32_t>& seq() const { return full_order_ ? order_ : group_; }
  bool wanted(uint32_t i) const { return kind_ == nullptr || (*kind_)[i] == want_kind_; }
  void loadGroup();

  const std::vector<int64_t>* start_;
  const std::vector<int64_t>* end_;
  const std::vector<int32_t>* kind_;
  int32_t want_kind_;
  bool full_order_ = false;
  std::vector<uint32_t> order_;  // whole-table order when not sorted by start
  std::vector<uint32_t> group_;  // sorted tables: rows of one start time, in visiting order
  size_t pos_ = 0;
  size_t next_raw_ = 0;
};

// Calls f(source, row) for every row of every cursor, in (start ascending,
// end descending, source index ascending) order.
template <typename F>
void mergeSlices(std::span<SliceCursor> cursors, F&& f) {
  for (;;) {
    int best = -1;
    int64_t best_start = 0, best_end = 0;
    for (size_t s = 0; s < cursors.size(); ++s) {
      const SliceCursor& c = cursors[s];
      if (c.done()) continue;
      int64_t st = c.start(), en = c.end();
      if (best < 0 || st < best_start || (st == best_start && en > best_end)) {
        best = static_cast<int>(s);
        best_start = st;
        best_end = en;
      }
    }
    if (best < 0) return;
    f(static_cast<size_t>(best), cursors[static_cast<size_t>(best)].index());
    cursors[static_cast<size_t>(best)].next();
  }
}

}  // namespace gpuscope::exporters
