#include "stats/report_table.h"

#include <algorithm>
#include <cstring>

namespace gpuscope::stats {

size_t ReportTable::addColumn(std::string label, Unit unit, ValueType type) {
  columns_.push_back(Column{std::move(label), unit, type});
  Cell cell;
  switch (type) {
    case ValueType::kInt: cell.i = kNullInt; break;
    case ValueType::kDouble: cell.d = std::numeric_limits<double>::quiet_NaN(); break;
    case ValueType::kText: cell.text = kNullText; break;
  }
  null_row_.push_back(cell);
  return columns_.size() - 1;
}

size_t ReportTable::appendRow() {
  size_t row = rowCount();
  cells_.insert(cells_.end(), null_row_.begin(), null_row_.end());
  return row;
}

bool ReportTable::isNull(size_t row, size_t col) const {
  Cell c = at(row, col);
  switch (columns_[col].type) {
    case ValueType::kInt: return c.i == kNullInt;
    case ValueType::kDouble: return std::isnan(c.d);
    case ValueType::kText: return c.text == kNullText;
  }
  return true;
}

std::string_view ReportTable::textAt(size_t row, size_t col) const {
  uint32_t id = at(row, col).text;
  return id == kNullText ? std::string_view() : texts_[id];
}

uint32_t ReportTable::internText(std::string_view s) {
  auto it = owned_index_.find(s);
  if (it != owned_index_.end()) return it->second;
  owned_.emplace_back(s);
  std::string_view stable = owned_.back();
  uint32_t id = static_cast<uint32_t>(texts_.size());
  texts_.push_back(stable);
  owned_index_.emplace(stable, id);
  return id;
}

uint32_t ReportTable::traceText(const model::StringTable& strings, model::StringId id) {
  if (trace_index_.size() < strings.size()) trace_index_.resize(strings.size(), kNullText);
  uint32_t& slot = trace_index_[id];
  if (slot == kNullText) {
    slot = static_cast<uint32_t>(texts_.size());
    texts_.push_back(strings.get(id));  // StringTable storage is stable (deque)
  }
  return slot;
}

uint32_t ReportTable::addText(std::string_view a, std::string_view b, std::string_view c) {
  constexpr size_t kBlockBytes = size_t{1} << 20;
  size_t n = a.size() + b.size() + c.size();
  if (n > block_left_) {
    size_t size = std::max(kBlockBytes, n);
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    block_pos_ = blocks_.back().get();
    block_left_ = size;
  }
  char* p = block_pos_;
  if (!a.empty()) std::memcpy(p, a.data(), a.size());
  if (!b.empty()) std::memcpy(p + a.size(), b.data(), b.size());
  if (!c.empty()) std::memcpy(p + a.size() + b.size(), c.data(), c.size());
  block_pos_ += n;
  block_left_ -= n;
  uint32_t id = static_cast<uint32_t>(texts_.size());
  texts_.emplace_back(p, n);
  return id;
}

void ReportTable::permuteRows(const std::vector<uint32_t>& order) {
  size_t n = columns_.size();
  std::vector<Cell> out;
  out.reserve(order.size() * n);
  for (uint32_t r : order) {
    for (size_t c = 0; c < n; ++c) out.push_back(cells_[r * n + c]);
  }
  cells_.swap(out);
}

}  // namespace gpuscope::stats
