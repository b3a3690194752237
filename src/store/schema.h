// The store's SQL schema, generated from the table declarations in
// model/tables.h so that the file format and the in-memory model cannot
// disagree. One SQL table per model table, same names; STR columns hold the
// StringId (an INTEGER referring to strings.id) and a view `<table>_named`
// shows the text instead. docs/trace-format.md documents the result.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/table_macros.h"

namespace gpuscope::store {

// The column list of a model table, in declaration order.
template <typename Table>
const std::vector<model::ColumnInfo>& columnsOf() {
  static const std::vector<model::ColumnInfo> columns = [] {
    std::vector<model::ColumnInfo> v;
    Table t;
    Table::forEachColumn(t, [&](const model::ColumnInfo& c, auto&) { v.push_back(c); });
    return v;
  }();
  return columns;
}

std::string_view sqlTypeName(model::ColumnType type);  // "INTEGER", "REAL"
std::string quoteIdentifier(std::string_view name);    // "end" -> "\"end\""

std::string createTableSql(std::string_view table, std::span<const model::ColumnInfo> columns);
// A view joining every STR column with strings(id, value); empty when the
// table has no STR column.
std::string createNamedViewSql(std::string_view table, std::span<const model::ColumnInfo> columns);
// INSERT of `rows` rows at once (multi-row VALUES amortises the per-step cost).
std::string insertSql(std::string_view table, std::span<const model::ColumnInfo> columns,
                      size_t rows);
// SELECT of all columns in declaration order, in insertion (rowid) order.
std::string selectSql(std::string_view table, std::span<const model::ColumnInfo> columns);

// Fixed tables and indexes (not model tables).
extern const char* const kCreateMetaSql;
extern const char* const kCreateStringsSql;
extern const char* const kCreateDiagnosticsSql;
// The column cache (column_cache.h); schema version 2 and later.
extern const char* const kCreateColumnChunksSql;
// Indexes created after the bulk insert, on the joins every analysis makes.
std::span<const char* const> indexSql();

}  // namespace gpuscope::store
