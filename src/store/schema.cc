#include "store/schema.h"

#include <array>

namespace gpuscope::store {

using model::ColumnInfo;
using model::ColumnType;

const char* const kCreateMetaSql = "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)";
const char* const kCreateStringsSql = "CREATE TABLE strings(id INTEGER PRIMARY KEY, value TEXT)";
const char* const kCreateDiagnosticsSql =
    "CREATE TABLE diagnostics(name TEXT, severity TEXT, count INTEGER, first_position TEXT, "
    "description TEXT)";
const char* const kCreateColumnChunksSql =
    "CREATE TABLE column_chunks(table_name TEXT, column_name TEXT, chunk INTEGER, rows INTEGER, "
    "codec TEXT, data BLOB, PRIMARY KEY(table_name, column_name, chunk))";

std::span<const char* const> indexSql() {
  static constexpr std::array<const char*, 4> kIndexes = {
      "CREATE INDEX kernels_pid_correlation ON kernels(pid, correlation_id)",
      "CREATE INDEX memcpys_pid_correlation ON memcpys(pid, correlation_id)",
      "CREATE INDEX memsets_pid_correlation ON memsets(pid, correlation_id)",
      "CREATE INDEX api_calls_pid_correlation ON api_calls(pid, correlation_id)",
  };
  return kIndexes;
}

std::string_view sqlTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kI64:
    case ColumnType::kI32:
    case ColumnType::kStr:
      return "INTEGER";
    case ColumnType::kF64:
      return "REAL";
  }
  return "INTEGER";
}

std::string quoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string createTableSql(std::string_view table, std::span<const ColumnInfo> columns) {
  std::string sql = "CREATE TABLE " + quoteIdentifier(table) + "(";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += quoteIdentifier(columns[i].name);
    sql += ' ';
    sql += sqlTypeName(columns[i].type);
    // A string id is never unknown: id 0 is the empty string.
    if (columns[i].type == ColumnType::kStr) sql += " NOT NULL REFERENCES strings(id)";
  }
  sql += ")";
  return sql;
}

std::string createNamedViewSql(std::string_view table, std::span<const ColumnInfo> columns) {
  std::string select;
  std::string joins;
  bool any_string = false;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) select += ", ";
    std::string col = quoteIdentifier(columns[i].name);
    if (columns[i].type == ColumnType::kStr) {
      any_string = true;
      std::string alias = quoteIdentifier(std::string("s_") + columns[i].name);
      select += alias + ".value AS " + col;
      joins += " LEFT JOIN strings AS " + alias + " ON " + alias + ".id = t." + col;
    } else {
      select += "t." + col;
    }
  }
  if (!any_string) return "";
  return "CREATE VIEW " + quoteIdentifier(std::string(table) + "_named") + " AS SELECT " + select +
         " FROM " + quoteIdentifier(table) + " AS t" + joins;
}

std::string insertSql(std::string_view table, std::span<const ColumnInfo> columns, size_t rows) {
  std::string sql = "INSERT INTO " + quoteIdentifier(table) + "(";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += quoteIdentifier(columns[i].name);
  }
  sql += ") VALUES ";
  std::string one = "(";
  for (size_t i = 0; i < columns.size(); ++i) one += i > 0 ? ",?" : "?";
  one += ")";
  for (size_t r = 0; r < rows; ++r) {
    if (r > 0) sql += ',';
    sql += one;
  }
  return sql;
}

std::string selectSql(std::string_view table, std::span<const ColumnInfo> columns) {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += quoteIdentifier(columns[i].name);
  }
  sql += " FROM " + quoteIdentifier(table) + " ORDER BY rowid";
  return sql;
}

}  // namespace gpuscope::store
