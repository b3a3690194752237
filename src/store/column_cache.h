// The column cache of a store (schema version 2): table column_chunks holds
// every model column in chunks of compressed native values, so that a
// reader fills its column vectors at memory speed instead of stepping
// through SQLite rows (~0.8 us a row). The row tables stay the truth for
// sqlite3 users: triggers on every row table delete that table's chunks on
// any INSERT, UPDATE or DELETE, and the reader uses the chunks of a table
// only when they are complete and the triggers are in place; otherwise it
// reads the rows.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/trace.h"
#include "store/schema.h"
#include "store/sqlite_db.h"

namespace gpuscope::store {

// Writes column_chunks for every table of `trace` (chunks of at most
// `chunk_rows` values) and then the invalidation triggers. Call after the
// row tables are filled, inside the writer's transaction.
Status writeColumnCache(const Database& db, const model::Trace& trace, size_t chunk_rows);

// The triggers' names, "<table>_cache_insert" etc., and their SQL.
std::vector<std::string> cacheTriggerNames(std::string_view table);
std::vector<std::string> createCacheTriggersSql(std::string_view table);

// What column_chunks holds for one table, checked for completeness.
struct CachedChunk {
  size_t rows = 0;
  std::string codec;
  std::string data;
};
struct CachedTable {
  size_t rows = 0;                               // per column
  std::vector<std::vector<CachedChunk>> chunks;  // per model column, in chunk order
};

// The complete cache of `table`, or nullopt when there is none to trust
// (no column_chunks table, a column or chunk missing, row counts that
// disagree, triggers dropped). A chunk whose row count is impossible is
// InvalidInput naming the table, column and chunk.
StatusOr<std::optional<CachedTable>> readCachedTable(const Database& db, std::string_view table,
                                                     std::span<const model::ColumnInfo> columns);

// Decodes `cached` into the column memory `dest` (one pointer per model
// column, each sized for cached.rows values), chunks in parallel. String
// ids are checked against `string_count`. A damaged chunk is InvalidInput
// naming the file, table, column and chunk.
Status decodeCachedTable(const Database& db, std::string_view table,
                         std::span<const model::ColumnInfo> columns, const CachedTable& cached,
                         std::span<void* const> dest, size_t string_count);

// Runs f(0..n-1) on up to one thread per core.
void runParallel(size_t n, const std::function<void(size_t)>& f);

// Fills `t` from the cache; false (and `t` untouched) when the cache of the
// table is absent or incomplete.
template <typename Table>
StatusOr<bool> readTableFromCache(const Database& db, size_t string_count, Table& t) {
  const auto& columns = columnsOf<Table>();
  GS_ASSIGN_OR_RETURN(std::optional<CachedTable> cached,
                      readCachedTable(db, Table::kSqlName, columns));
  if (!cached) return false;
  // Sizing the vectors (page faults, zero fill) costs about as much as
  // decoding into them: a column per thread. (Transparent huge pages would
  // be faster when the kernel has them ready, and slower than this when it
  // must compact memory first: measured 0.09..1.1 s against 0.35..0.5 s for
  // 1.3 GB.)
  const size_t rows = cached->rows;
  std::vector<std::function<void()>> sizers;
  Table::forEachColumn(t, [&](const model::ColumnInfo&, auto& column) {
    sizers.push_back([&column, rows] { column.resize(rows); });
  });
  runParallel(sizers.size(), [&](size_t i) { sizers[i](); });
  std::vector<void*> dest;
  Table::forEachColumn(t, [&](const model::ColumnInfo&, auto& column) {
    dest.push_back(column.data());
  });
  Status status = decodeCachedTable(db, Table::kSqlName, columns, *cached, dest, string_count);
  if (!status.ok()) return status;
  t.setSizeFromColumns();
  return true;
}

}  // namespace gpuscope::store
