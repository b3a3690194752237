// ReportTable: what a stats report computes, before any formatting. Columns
// carry a unit kind (as nsys's `Label:type` annotations do) so that the
// formatters, not the reports, decide how a value is scaled and printed.
// Cells are 8 bytes and typed by their column; text cells index a pool that
// either points into the trace's string table (no copy) or owns the text.
// A ReportTable that references trace strings must not outlive the Trace.
#pragma once

#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/string_table.h"

namespace gpuscope::stats {

// nsys column annotation kinds: dur_ns, ts_ns, mem_B, thru_B, ratio_%, plain.
enum class Unit : uint8_t {
  kDurNs,   // duration, scaled by --timeunit
  kTsNs,    // timestamp, scaled by --timeunit
  kCount,   // plain number (counts, ids, sizes in elements)
  kMemB,    // bytes, shown as MB (1e6 bytes)
  kThruB,   // bytes per second, shown as MB/s (1e6 bytes/s)
  kRatio,   // percentage, already 0..100
  kText,
};

enum class ValueType : uint8_t { kInt, kDouble, kText };

struct Column {
  std::string label;  // without unit suffix: "Total Time", "Avg", "Name"
  Unit unit = Unit::kCount;
  ValueType type = ValueType::kInt;
};

union Cell {
  int64_t i;
  double d;
  uint32_t text;
};

inline constexpr int64_t kNullInt = std::numeric_limits<int64_t>::min();
inline constexpr uint32_t kNullText = std::numeric_limits<uint32_t>::max();

class ReportTable {
 public:
  ReportTable() = default;
  ReportTable(std::string name, std::string title) : name_(std::move(name)), title_(std::move(title)) {}
  ReportTable(ReportTable&&) = default;
  ReportTable& operator=(ReportTable&&) = default;

  const std::string& name() const { return name_; }
  const std::string& title() const { return title_; }

  // When set, the report had no input data; the phrase completes
  // "SKIPPED: <file> ...", e.g. "does not contain CUDA kernel data".
  const std::optional<std::string>& skipped() const { return skipped_; }
  void setSkipped(std::string phrase) { skipped_ = std::move(phrase); }

  size_t addColumn(std::string label, Unit unit, ValueType type);
  const std::vector<Column>& columns() const { return columns_; }
  size_t columnCount() const { return columns_.size(); }
  size_t rowCount() const { return columns_.empty() ? 0 : cells_.size() / columns_.size(); }

  void reserveRows(size_t n) { cells_.reserve(n * columns_.size()); }
  // Appends a row of NULL cells and returns its index.
  size_t appendRow();
  void setInt(size_t row, size_t col, int64_t v) { cell(row, col).i = v; }
  void setDouble(size_t row, size_t col, double v) { cell(row, col).d = v; }
  void setText(size_t row, size_t col, uint32_t text_id) { cell(row, col).text = text_id; }

  Cell at(size_t row, size_t col) const { return cells_[row * columns_.size() + col]; }
  bool isNull(size_t row, size_t col) const;
  int64_t intAt(size_t row, size_t col) const { return at(row, col).i; }
  double doubleAt(size_t row, size_t col) const { return at(row, col).d; }
  std::string_view textAt(size_t row, size_t col) const;

  // Text pool. internText copies (once per distinct value); traceText refers
  // to the trace's string table without copying; addText copies the
  // concatenation a + b + c without looking for an equal text, into blocks
  // filled in call order, so that texts added in row order are read back
  // sequentially by the formatters (millions of distinct range names).
  uint32_t internText(std::string_view s);
  uint32_t traceText(const model::StringTable& strings, model::StringId id);
  uint32_t addText(std::string_view a, std::string_view b = {}, std::string_view c = {});
  void reserveTexts(size_t n) { texts_.reserve(texts_.size() + n); }
  std::string_view text(uint32_t id) const { return texts_[id]; }
  // Where text id's view is stored, for prefetching ahead of a scan that
  // visits texts in random order (large reports sorted by time).
  const std::string_view* textSlot(uint32_t id) const { return &texts_[id]; }

  // Reorders rows: new row i is old row order[i].
  void permuteRows(const std::vector<uint32_t>& order);

 private:
  Cell& cell(size_t row, size_t col) { return cells_[row * columns_.size() + col]; }

  std::string name_;
  std::string title_;
  std::optional<std::string> skipped_;
  std::vector<Column> columns_;
  std::vector<Cell> cells_;
  std::vector<std::string_view> texts_;
  std::deque<std::string> owned_;
  std::unordered_map<std::string_view, uint32_t> owned_index_;
  std::vector<uint32_t> trace_index_;  // StringId -> text id, kNullText if not yet seen
  std::vector<std::unique_ptr<char[]>> blocks_;  // addText storage; blocks never move
  char* block_pos_ = nullptr;
  size_t block_left_ = 0;
  std::vector<Cell> null_row_;  // one row of NULL cells, appended by appendRow
};

}  // namespace gpuscope::stats
