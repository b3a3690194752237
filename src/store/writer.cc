// writeStore: the trace goes into a fresh SQLite file under a temporary name
// in one transaction, with prepared multi-row INSERTs bound by column index,
// then the file is renamed into place (base/file.h AtomicOutput). The row
// tables come first, then the column cache (column_cache.h) and its
// triggers, then the indexes.
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "base/file.h"
#include "base/version.h"
#include "store/column_cache.h"
#include "store/schema.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace gpuscope::store {
namespace {

// kNull sentinels and NaN become SQL NULL; the reader maps them back.
inline int bindValue(sqlite3_stmt* s, int i, int64_t v) {
  return v == model::kNullI64 ? sqlite3_bind_null(s, i) : sqlite3_bind_int64(s, i, v);
}
inline int bindValue(sqlite3_stmt* s, int i, int32_t v) {
  return v == model::kNullI32 ? sqlite3_bind_null(s, i) : sqlite3_bind_int(s, i, v);
}
inline int bindValue(sqlite3_stmt* s, int i, double v) {
  return std::isnan(v) ? sqlite3_bind_null(s, i) : sqlite3_bind_double(s, i, v);
}
inline int bindValue(sqlite3_stmt* s, int i, model::StringId v) {
  return sqlite3_bind_int64(s, i, static_cast<sqlite3_int64>(v));
}
inline int bindText(sqlite3_stmt* s, int i, std::string_view v) {
  return sqlite3_bind_text64(s, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
}

Status stepDone(const Database& db, sqlite3_stmt* s, std::string_view table, size_t row) {
  if (sqlite3_step(s) != SQLITE_DONE) {
    return InvalidInput(db.path() + ": table " + std::string(table) + ": writing row " +
                        std::to_string(row) + ": " + sqlite3_errmsg(db.get()));
  }
  sqlite3_reset(s);
  return OkStatus();
}

// Binds rows [first, first+rows) of `t` into one multi-row statement.
template <typename Table>
int bindRows(sqlite3_stmt* s, const Table& t, size_t first, size_t rows) {
  int rc = SQLITE_OK;
  int index = 1;
  for (size_t i = first; i < first + rows; ++i) {
    Table::forEachColumn(t, [&](const model::ColumnInfo&, const auto& column) {
      rc |= bindValue(s, index++, column[i]);
    });
  }
  return rc;
}

template <typename Table>
Status writeTable(const Database& db, const Table& t) {
  const auto& columns = columnsOf<Table>();
  const char* name = Table::kSqlName;
  GS_RETURN_IF_ERROR(db.exec(createTableSql(name, columns), name));
  std::string view = createNamedViewSql(name, columns);
  if (!view.empty()) GS_RETURN_IF_ERROR(db.exec(view, name));
  const size_t n = t.size();
  if (n == 0) return OkStatus();

  // Many rows per statement: the per-step overhead dominates narrow rows.
  const size_t max_vars =
      static_cast<size_t>(sqlite3_limit(db.get(), SQLITE_LIMIT_VARIABLE_NUMBER, -1));
  const size_t batch = std::max<size_t>(1, std::min<size_t>(64, max_vars / columns.size()));
  GS_ASSIGN_OR_RETURN(Statement full, db.prepare(insertSql(name, columns, batch), name));
  size_t row = 0;
  for (; row + batch <= n; row += batch) {
    if (bindRows(full.get(), t, row, batch) != SQLITE_OK) return db.error(name);
    GS_RETURN_IF_ERROR(stepDone(db, full.get(), name, row));
  }
  if (row < n) {
    GS_ASSIGN_OR_RETURN(Statement rest, db.prepare(insertSql(name, columns, n - row), name));
    if (bindRows(rest.get(), t, row, n - row) != SQLITE_OK) return db.error(name);
    GS_RETURN_IF_ERROR(stepDone(db, rest.get(), name, row));
  }
  return OkStatus();
}

Status writeMeta(const Database& db, const model::Trace& trace) {
  GS_RETURN_IF_ERROR(db.exec(kCreateMetaSql, "meta"));
  std::map<std::string, std::string> meta = trace.meta;
  // Whatever the trace came from, this file is ours and of this version.
  meta[model::kMetaSchemaVersion] = std::to_string(kSchemaVersion);
  meta[model::kMetaProducer] = std::string("gpuscope ") + kVersion;
  GS_ASSIGN_OR_RETURN(Statement s,
                      db.prepare("INSERT INTO meta(key, value) VALUES (?, ?)", "meta"));
  size_t row = 0;
  for (const auto& [key, value] : meta) {
    if ((bindText(s.get(), 1, key) | bindText(s.get(), 2, value)) != SQLITE_OK) {
      return db.error("meta");
    }
    GS_RETURN_IF_ERROR(stepDone(db, s.get(), "meta", row++));
  }
  return OkStatus();
}

Status writeStrings(const Database& db, const model::StringTable& strings) {
  GS_RETURN_IF_ERROR(db.exec(kCreateStringsSql, "strings"));
  GS_ASSIGN_OR_RETURN(Statement s,
                      db.prepare("INSERT INTO strings(id, value) VALUES (?, ?)", "strings"));
  for (size_t id = 0; id < strings.size(); ++id) {
    if ((sqlite3_bind_int64(s.get(), 1, static_cast<sqlite3_int64>(id)) |
         bindText(s.get(), 2, strings.get(static_cast<model::StringId>(id)))) != SQLITE_OK) {
      return db.error("strings");
    }
    GS_RETURN_IF_ERROR(stepDone(db, s.get(), "strings", id));
  }
  return OkStatus();
}

Status writeDiagnostics(const Database& db, const model::Diagnostics& diagnostics) {
  GS_RETURN_IF_ERROR(db.exec(kCreateDiagnosticsSql, "diagnostics"));
  GS_ASSIGN_OR_RETURN(
      Statement s,
      db.prepare("INSERT INTO diagnostics(name, severity, count, first_position, description) "
                 "VALUES (?, ?, ?, ?, ?)",
                 "diagnostics"));
  size_t row = 0;
  for (const auto& d : diagnostics.all()) {
    int rc = bindText(s.get(), 1, d.name) | bindText(s.get(), 2, model::severityName(d.severity)) |
             sqlite3_bind_int64(s.get(), 3, d.count) | bindText(s.get(), 4, d.first_position) |
             bindText(s.get(), 5, d.description);
    if (rc != SQLITE_OK) return db.error("diagnostics");
    GS_RETURN_IF_ERROR(stepDone(db, s.get(), "diagnostics", row++));
  }
  return OkStatus();
}

// Every table and index takes at least one page: 16 KB pages read large
// traces faster, but made a 5-kernel trace 480 KB (30 tables and indexes),
// so small traces get 4 KB pages.
int pageSizeFor(const model::Trace& trace) {
  size_t rows = 0;
  trace.forEachTable([&](const auto& table) { rows += table.size(); });
  return rows < kSmallTraceRows ? 4096 : 16384;
}

Status writeAll(const Database& db, const model::Trace& trace, size_t chunk_rows) {
  // A fresh private file: no journal, no fsync per page (the rename is what
  // makes the output visible, and a failed run deletes the file anyway).
  // Worker threads and a larger cache speed up the index sorts at the end.
  GS_RETURN_IF_ERROR(
      db.exec("PRAGMA page_size=" + std::to_string(pageSizeFor(trace)) +
                  "; PRAGMA journal_mode=OFF; "
                  "PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; "
                  "PRAGMA cache_size=-131072; PRAGMA threads=4",
              "(pragma)"));
  GS_RETURN_IF_ERROR(db.exec("BEGIN", "(begin)"));
  GS_RETURN_IF_ERROR(writeMeta(db, trace));
  GS_RETURN_IF_ERROR(writeStrings(db, trace.strings));
  Status status;
  trace.forEachTable([&](const auto& table) {
    if (status.ok()) status = writeTable(db, table);
  });
  GS_RETURN_IF_ERROR(status);
  GS_RETURN_IF_ERROR(writeDiagnostics(db, trace.diagnostics));
  GS_RETURN_IF_ERROR(writeColumnCache(db, trace, chunk_rows));
  for (const char* sql : indexSql()) GS_RETURN_IF_ERROR(db.exec(sql, "(index)"));
  return db.exec("COMMIT", "(commit)");
}

}  // namespace

Status writeStore(const model::Trace& trace, const std::string& path, bool force) {
  return writeStore(trace, path, StoreWriteOptions{.force = force});
}

Status writeStore(const model::Trace& trace, const std::string& path,
                  const StoreWriteOptions& options) {
  if (options.chunk_rows == 0 || options.chunk_rows > kColumnChunkRows) {
    return InvalidInput(path + ": column cache chunk size " + std::to_string(options.chunk_rows) +
                        " is outside 1.." + std::to_string(kColumnChunkRows));
  }
  GS_ASSIGN_OR_RETURN(AtomicOutput out, AtomicOutput::create(path, options.force));
  {
    GS_ASSIGN_OR_RETURN(
        Database db,
        Database::open(out.tempPath(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, path));
    GS_RETURN_IF_ERROR(writeAll(db, trace, options.chunk_rows));
    GS_RETURN_IF_ERROR(db.close());
  }
  return out.commit();
}

}  // namespace gpuscope::store
