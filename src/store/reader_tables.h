// The store reader's decoders, shared by reader.cc (which opens and checks
// the file), reader_rows.cc (row tables, diagnostics) and reader_strings.cc
// (the string table). Private to src/store/.
#pragma once

#include <sqlite3.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "base/status.h"
#include "model/trace.h"
#include "store/schema.h"
#include "store/sqlite_db.h"

namespace gpuscope::store {

// Each returns false when the stored value cannot be the column's type.
inline bool readValue(sqlite3_stmt* s, int i, size_t, int64_t& out) {
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_NULL:
      out = model::kNullI64;
      return true;
    case SQLITE_INTEGER:
      out = sqlite3_column_int64(s, i);
      return true;
    default:
      return false;
  }
}
inline bool readValue(sqlite3_stmt* s, int i, size_t, int32_t& out) {
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_NULL:
      out = model::kNullI32;
      return true;
    case SQLITE_INTEGER: {
      sqlite3_int64 v = sqlite3_column_int64(s, i);
      if (v <= std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
        return false;
      }
      out = static_cast<int32_t>(v);
      return true;
    }
    default:
      return false;
  }
}
inline bool readValue(sqlite3_stmt* s, int i, size_t, double& out) {
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_NULL:
      out = std::nan("");
      return true;
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
      out = sqlite3_column_double(s, i);
      return true;
    default:
      return false;
  }
}
inline bool readValue(sqlite3_stmt* s, int i, size_t string_count, model::StringId& out) {
  if (sqlite3_column_type(s, i) != SQLITE_INTEGER) return false;
  sqlite3_int64 v = sqlite3_column_int64(s, i);
  if (v < 0 || static_cast<uint64_t>(v) >= string_count) return false;
  out = static_cast<model::StringId>(v);
  return true;
}

// The text of column i ("" for NULL), bytes as stored.
std::string columnText(sqlite3_stmt* s, int i);

// "text 'abc'", "integer 4294967296": what was found, for error messages.
std::string describeValue(sqlite3_stmt* s, int i);

StatusOr<int64_t> countRows(const Database& db, std::string_view table);

// Fills `t` from the rows of its table (absent: an empty table); a value
// that cannot be its column's type, or a string id out of range, is
// InvalidInput naming the table, row and column.
template <typename Table>
Status readTable(const Database& db, size_t string_count, Table& t) {
  const char* name = Table::kSqlName;
  Status status;
  if (!db.hasTable(name, &status)) return status;  // absent: an empty table
  const auto& columns = columnsOf<Table>();
  GS_ASSIGN_OR_RETURN(int64_t rows, countRows(db, name));
  t.reserve(static_cast<size_t>(rows));
  GS_ASSIGN_OR_RETURN(Statement s, db.prepare(selectSql(name, columns), name));
  size_t row = 0;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    int index = 0;
    int bad = -1;
    Table::forEachColumn(t, [&](const model::ColumnInfo&, auto& column) {
      typename std::decay_t<decltype(column)>::value_type v{};
      if (!readValue(s.get(), index, string_count, v) && bad < 0) bad = index;
      column.push_back(v);
      ++index;
    });
    if (bad >= 0) {
      return InvalidInput(db.path() + ": table " + name + ": row " + std::to_string(row + 1) +
                          ": column '" + columns[bad].name + "': invalid value " +
                          describeValue(s.get(), bad));
    }
    ++row;
  }
  if (rc != SQLITE_DONE) return db.error(name);
  t.setSizeFromColumns();
  return OkStatus();
}

// The diagnostics table (absent: none), in row order.
Status readDiagnostics(const Database& db, model::Diagnostics& diagnostics);

// The strings table into `strings`, ids preserved exactly (reader_strings.cc).
Status readStrings(const Database& db, model::StringTable& strings);

}  // namespace gpuscope::store
