// Thin, error-reporting layer over the sqlite3 C API for the nsys importer:
// a read-only connection, the schema as it is (tables and their columns from
// PRAGMA table_info), and a row cursor whose errors name the file, the table
// and the row ("prof.sqlite: CUPTI_ACTIVITY_KIND_KERNEL: database disk image
// is malformed at row 1200").
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "model/table_macros.h"

namespace gpuscope::importers::nsys_sqlite {

class Database {
 public:
  // Opens `path` read-only. Fails (InvalidInput) if it cannot be opened or
  // is not an SQLite database; the schema is read here.
  static StatusOr<Database> open(const std::string& path);
  Database(Database&& other) noexcept;
  Database& operator=(Database&&) = delete;
  Database(const Database&) = delete;
  ~Database();

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

  // Reads table names and, lazily per table, their columns.
  static std::vector<std::string> tableNames(sqlite3* db);
  bool hasTable(std::string_view table) const;
  bool hasColumn(std::string_view table, std::string_view column) const;
  const std::vector<std::string>& columns(std::string_view table) const;

  // "<path>: <what>: <sqlite message>" as InvalidInput.
  Status error(std::string_view what, int rc) const;

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status loadSchema();

  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<std::string, std::vector<std::string>> columns_;
};

// A prepared SELECT over one table, stepped row by row. Columns the caller
// asks for that the table lacks are selected as NULL, so a reader addresses
// every column by a fixed index whatever the schema version.
class TableCursor {
 public:
  // Builds "SELECT c1, c2, NULL, ... FROM table [WHERE where]". `columns`
  // may hold SQL expressions only for names that exist (checked by name).
  static StatusOr<TableCursor> open(const Database& db, std::string_view table,
                                    const std::vector<std::string_view>& columns,
                                    std::string_view where = {});
  TableCursor(TableCursor&& other) noexcept;
  TableCursor& operator=(TableCursor&&) = delete;
  TableCursor(const TableCursor&) = delete;
  ~TableCursor();

  // Advances; returns false at the end. A step error is InvalidInput with
  // the table and row number.
  StatusOr<bool> next();
  // 1-based number of the current row, for diagnostics.
  int64_t row() const { return row_; }
  const std::string& table() const { return table_; }
  std::string position() const;  // "row N of TABLE"
  bool present(int col) const { return present_[static_cast<size_t>(col)]; }

  bool isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  // NULL reads as 0 through sqlite3_column_int64, so the (comparatively
  // costly) type check is only needed for a 0.
  int64_t i64(int col) const {
    int64_t v = sqlite3_column_int64(stmt_, col);
    return v == 0 && isNull(col) ? model::kNullI64 : v;
  }
  // Narrowed like a C cast: nsys stores some signed 32-bit values as their
  // unsigned bit pattern (stream priority -5 as 4294967291).
  int32_t i32(int col) const {
    int64_t v = sqlite3_column_int64(stmt_, col);
    if (v == 0 && isNull(col)) return model::kNullI32;
    return static_cast<int32_t>(static_cast<uint32_t>(v));
  }
  std::string_view text(int col) const;

 private:
  TableCursor(const Database* db, sqlite3_stmt* stmt, std::string table)
      : db_(db), stmt_(stmt), table_(std::move(table)) {}
  const Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string table_;
  std::vector<bool> present_;
  int64_t row_ = 0;
};

// Row count for reserve(): count(*), or 0 when the table is absent or the
// count fails (a damaged table is then reported by the TableCursor that
// reads it, with the row number).
int64_t rowCountHint(const Database& db, std::string_view table);

// SELECT count(*) FROM table (0 when the table is absent).
StatusOr<int64_t> countRows(const Database& db, std::string_view table,
                            std::string_view where = {});

}  // namespace gpuscope::importers::nsys_sqlite
