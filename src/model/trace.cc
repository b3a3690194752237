#include "model/trace.h"

#include <algorithm>
#include <numeric>
#include <type_traits>
#include <vector>

namespace gpuscope::model {
namespace {

template <typename T>
concept TimedTable = requires(T t) {
  t.start;
  t.end;
};

template <typename Column>
void permute(Column& column, const std::vector<uint32_t>& order) {
  Column out;
  out.reserve(column.size());
  for (uint32_t i : order) out.push_back(column[i]);
  column.swap(out);
}

template <typename Table>
void sortTable(Table& t) {
  if constexpr (TimedTable<Table>) {
    const auto& s = t.start;
    const auto& e = t.end;
    if (std::is_sorted(s.begin(), s.end())) return;  // the common case: already ordered
    std::vector<uint32_t> order(t.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return s[a] != s[b] ? s[a] < s[b] : e[a] < e[b];
    });
    Table::forEachColumn(t, [&](const ColumnInfo&, auto& column) { permute(column, order); });
  }
}

}  // namespace

void Trace::sortByTime() {
  forEachTable([](auto& t) { sortTable(t); });
}

size_t Trace::eventCount() const {
  size_t n = 0;
  forEachTable([&](const auto& t) {
    if constexpr (TimedTable<std::decay_t<decltype(t)>>) n += t.size();
  });
  return n;
}

}  // namespace gpuscope::model
