// Row decoding for the store reader: the helpers that turn SQLite values
// into column values and say what was found when they cannot, and the
// diagnostics table. The model tables themselves are read by readTable
// (reader_tables.h), a template over the table type.
#include <sqlite3.h>

#include <string>
#include <string_view>

#include "store/reader_tables.h"

namespace gpuscope::store {
namespace {

std::string_view storedTypeName(int type) {
  switch (type) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_INTEGER:
      return "integer";
    case SQLITE_FLOAT:
      return "real";
    case SQLITE_TEXT:
      return "text";
    default:
      return "blob";
  }
}

StatusOr<model::Severity> parseSeverity(std::string_view s) {
  for (auto v : {model::Severity::kInfo, model::Severity::kDataLoss, model::Severity::kError}) {
    if (model::severityName(v) == s) return v;
  }
  return InvalidInput(std::string(s));
}

}  // namespace

std::string columnText(sqlite3_stmt* s, int i) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return p == nullptr ? std::string()
                      : std::string(p, static_cast<size_t>(sqlite3_column_bytes(s, i)));
}

std::string describeValue(sqlite3_stmt* s, int i) {
  std::string text = columnText(s, i);
  if (text.size() > 40) text = text.substr(0, 40) + "...";
  return std::string(storedTypeName(sqlite3_column_type(s, i))) + " '" + text + "'";
}

StatusOr<int64_t> countRows(const Database& db, std::string_view table) {
  GS_ASSIGN_OR_RETURN(Statement s,
                      db.prepare("SELECT count(*) FROM " + quoteIdentifier(table), table));
  if (sqlite3_step(s.get()) != SQLITE_ROW) return db.error(table);
  return sqlite3_column_int64(s.get(), 0);
}

Status readDiagnostics(const Database& db, model::Diagnostics& diagnostics) {
  Status status;
  if (!db.hasTable("diagnostics", &status)) return status;
  GS_ASSIGN_OR_RETURN(
      Statement s,
      db.prepare("SELECT name, severity, count, first_position, description FROM diagnostics "
                 "ORDER BY rowid",
                 "diagnostics"));
  int rc;
  size_t row = 0;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    ++row;
    auto severity = parseSeverity(columnText(s.get(), 1));
    if (!severity.ok()) {
      return InvalidInput(db.path() + ": table diagnostics: row " + std::to_string(row) +
                          ": unknown severity '" + columnText(s.get(), 1) +
                          "' (expected info, data_loss or error)");
    }
    diagnostics.restore(model::Diagnostic{columnText(s.get(), 0), *severity,
                                          sqlite3_column_int64(s.get(), 2), columnText(s.get(), 3),
                                          columnText(s.get(), 4)});
  }
  if (rc != SQLITE_DONE) return db.error("diagnostics");
  return OkStatus();
}

}  // namespace gpuscope::store
