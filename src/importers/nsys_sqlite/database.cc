#include "importers/nsys_sqlite/database.h"

#include <string>

namespace gpuscope::importers::nsys_sqlite {
namespace {

std::string quoteIdent(std::string_view name) {
  std::string q = "\"";
  for (char c : name) {
    if (c == '"') q += '"';
    q += c;
  }
  q += '"';
  return q;
}

const std::vector<std::string> kNoColumns;

// Prepares `SELECT <what> FROM <table> [WHERE <where>]`; errors name the table.
StatusOr<sqlite3_stmt*> prepareSelect(const Database& db, const std::string& what,
                                      std::string_view table, std::string_view where) {
  std::string sql = "SELECT " + what + " FROM " + quoteIdent(table);
  if (!where.empty()) sql += " WHERE " + std::string(where);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return db.error(table, rc);
  }
  return stmt;
}

}  // namespace

StatusOr<Database> Database::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return InvalidInput(path + ": cannot open as SQLite: " + msg);
  }
  Database d(db, path);
  GS_RETURN_IF_ERROR(d.loadSchema());
  return d;
}

Database::Database(Database&& other) noexcept
    : db_(other.db_), path_(std::move(other.path_)), columns_(std::move(other.columns_)) {
  other.db_ = nullptr;
}

Database::~Database() {
  if (db_) sqlite3_close(db_);
}

Status Database::error(std::string_view what, int rc) const {
  std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  return InvalidInput(path_ + ": " + std::string(what) + ": " + msg);
}

std::vector<std::string> Database::tableNames(sqlite3* db) {
  std::vector<std::string> names;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type IN ('table','view')", -1,
                         &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return names;
  }
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(stmt, 0);
    if (t) names.emplace_back(reinterpret_cast<const char*>(t));
  }
  sqlite3_finalize(stmt);
  return names;
}

Status Database::loadSchema() {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, "SELECT name FROM sqlite_master WHERE type IN ('table','view')",
                              -1, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    // SQLite reads the whole schema here: a damaged or truncated file, or
    // one that is not SQLite at all, fails at this point.
    Status s = error("sqlite_master", rc);
    sqlite3_finalize(stmt);
    return s;
  }
  std::vector<std::string> tables;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(stmt, 0);
    if (t) tables.emplace_back(reinterpret_cast<const char*>(t));
  }
  if (rc != SQLITE_DONE) {
    Status s = InvalidInput(path_ + ": sqlite_master: " + sqlite3_errmsg(db_) + " at row " +
                            std::to_string(tables.size() + 1));
    sqlite3_finalize(stmt);
    return s;
  }
  sqlite3_finalize(stmt);
  for (const std::string& t : tables) {
    std::string sql = "PRAGMA table_info(" + quoteIdent(t) + ")";
    rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      Status s = error(t + ": table_info", rc);
      sqlite3_finalize(stmt);
      return s;
    }
    std::vector<std::string>& cols = columns_[t];
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      const unsigned char* c = sqlite3_column_text(stmt, 1);  // (cid, name, type, ...)
      cols.emplace_back(c ? reinterpret_cast<const char*>(c) : "");
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return error(t + ": table_info", rc);
  }
  return OkStatus();
}

bool Database::hasTable(std::string_view table) const {
  return columns_.count(std::string(table)) != 0;
}

const std::vector<std::string>& Database::columns(std::string_view table) const {
  auto it = columns_.find(std::string(table));
  return it == columns_.end() ? kNoColumns : it->second;
}

bool Database::hasColumn(std::string_view table, std::string_view column) const {
  for (const std::string& c : columns(table)) {
    if (c == column) return true;
  }
  return false;
}

StatusOr<TableCursor> TableCursor::open(const Database& db, std::string_view table,
                                        const std::vector<std::string_view>& columns,
                                        std::string_view where) {
  std::vector<bool> present;
  std::string list;  // absent columns are selected as NULL: fixed indexes for the readers
  for (std::string_view c : columns) {
    bool has = db.hasColumn(table, c);
    present.push_back(has);
    if (!list.empty()) list += ", ";
    list += has ? quoteIdent(c) : std::string("NULL");
  }
  GS_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, prepareSelect(db, list, table, where));
  TableCursor cursor(&db, stmt, std::string(table));
  cursor.present_ = std::move(present);
  return cursor;
}

TableCursor::TableCursor(TableCursor&& other) noexcept
    : db_(other.db_),
      stmt_(other.stmt_),
      table_(std::move(other.table_)),
      present_(std::move(other.present_)),
      row_(other.row_) {
  other.stmt_ = nullptr;
}

TableCursor::~TableCursor() {
  if (stmt_) sqlite3_finalize(stmt_);
}

StatusOr<bool> TableCursor::next() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    ++row_;
    return true;
  }
  if (rc == SQLITE_DONE) return false;
  return InvalidInput(db_->path() + ": " + table_ + ": " + sqlite3_errmsg(db_->handle()) +
                      " at row " + std::to_string(row_ + 1));
}

std::string TableCursor::position() const {
  return "row " + std::to_string(row_) + " of " + table_;
}

std::string_view TableCursor::text(int col) const {
  const unsigned char* t = sqlite3_column_text(stmt_, col);
  if (!t) return {};
  return {reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

StatusOr<int64_t> countRows(const Database& db, std::string_view table, std::string_view where) {
  if (!db.hasTable(table)) return int64_t{0};
  GS_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, prepareSelect(db, "count(*)", table, where));
  int rc = sqlite3_step(stmt);
  int64_t n = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
  if (rc != SQLITE_ROW) {
    Status s = db.error(std::string(table) + ": count(*)", rc);
    sqlite3_finalize(stmt);
    return s;
  }
  sqlite3_finalize(stmt);
  return n;
}

int64_t rowCountHint(const Database& db, std::string_view table) {
  StatusOr<int64_t> n = countRows(db, table);
  return n.ok() ? *n : 0;
}

}  // namespace gpuscope::importers::nsys_sqlite
