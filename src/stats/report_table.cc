#include "stats/report_table.h"

namespace gpuscope::stats {

size_t ReportTable::addColumn(std::string label, Unit unit, ValueType type) {
  columns_.push_back(Column{std::move(label), unit, type});
  return columns_.size() - 1;
}

size_t ReportTable::appendRow() {
  size_t row = rowCount();
  for (const Column& c : columns_) {
    Cell cell;
    switch (c.type) {
      case ValueType::kInt: cell.i = kNullInt; break;
      case ValueType::kDouble: cell.d = std::numeric_limits<double>::quiet_NaN(); break;
      case ValueType::kText: cell.text = kNullText; break;
    }
    cells_.push_back(cell);
  }
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
