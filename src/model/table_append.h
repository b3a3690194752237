// Copying rows of a table from one Trace into another: string columns hold
// ids into their own Trace's strings, so they go through a remap. Used where
// traces are joined (tracer/merge.cc: per-process recordings into one trace;
// cli/kernel_metrics_input.cc: a kernels store or ncu CSV into a timeline).
#pragma once

#include <type_traits>
#include <vector>

#include "model/string_table.h"
#include "model/table_macros.h"

namespace gpuscope::model {

// from's ids, each re-interned into `to` once: remap[id in from] = id in to.
inline std::vector<StringId> remapStrings(const StringTable& from, StringTable& to) {
  std::vector<StringId> remap(from.size());
  for (size_t i = 0; i < remap.size(); ++i) remap[i] = to.intern(from.get(StringId(i)));
  return remap;
}

// Appends src's rows where keep[i] (all when keep is empty) to dst: string
// columns through remap, the values of an int64 column through
// i64_map(column), asked once per column for a function of the value. The
// columns come from the table's declaration, so one added later is carried
// too.
template <typename Table, typename I64Map>
void appendRows(Table& dst, const Table& src, const std::vector<StringId>& remap, const std::vector<char>& keep,
                I64Map&& i64_map) {
  std::vector<void*> columns;
  Table::forEachColumn(dst, [&](const ColumnInfo&, auto& c) { columns.push_back(&c); });
  size_t k = 0;
  Table::forEachColumn(src, [&](const ColumnInfo& info, const auto& c) {
    using Vec = std::decay_t<decltype(c)>;
    Vec& d = *static_cast<Vec*>(columns[k++]);
    [[maybe_unused]] auto map = [&] {
      if constexpr (std::is_same_v<typename Vec::value_type, int64_t>) return i64_map(info);
      else return 0;
    }();
    for (size_t i = 0; i < c.size(); ++i) {
      if (!keep.empty() && !keep[i]) continue;
      auto v = c[i];
      if constexpr (std::is_same_v<typename Vec::value_type, StringId>) {
        if (info.type == ColumnType::kStr) v = remap[v];
      } else if constexpr (std::is_same_v<typename Vec::value_type, int64_t>) {
        v = map(v);
      }
      d.push_back(v);
    }
  });
  dst.setSizeFromColumns();
}

// The same, all rows, int64 values as they are.
template <typename Table>
void appendRows(Table& dst, const Table& src, const std::vector<StringId>& remap) {
  appendRows(dst, src, remap, {}, [](const ColumnInfo&) { return [](int64_t v) { return v; }; });
}

}  // namespace gpuscope::model
