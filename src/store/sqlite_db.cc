#include "store/sqlite_db.h"

namespace gpuscope::store {

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

StatusOr<Database> Database::open(const std::string& path, int flags,
                                  const std::string& display_path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return InvalidInput(display_path + ": cannot open SQLite database: " + msg);
  }
  // Report corruption as errors instead of trusting damaged pages.
  sqlite3_extended_result_codes(db, 1);
  return Database(db, display_path);
}

Status Database::error(std::string_view where) const {
  return InvalidInput(path_ + ": table " + std::string(where) + ": " + sqlite3_errmsg(db_));
}

Status Database::exec(const std::string& sql, std::string_view where) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return InvalidInput(path_ + ": table " + std::string(where) + ": " + msg);
  }
  return OkStatus();
}

StatusOr<Statement> Database::prepare(const std::string& sql, std::string_view where) const {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    sqlite3_finalize(stmt);
    return error(where);
  }
  return Statement(stmt);
}

bool Database::hasTable(std::string_view name, Status* status) const {
  auto stmt = prepare("SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name = ?1",
                      "sqlite_master");
  if (!stmt.ok()) {
    *status = stmt.status();
    return false;
  }
  sqlite3_bind_text(stmt->get(), 1, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
  int rc = sqlite3_step(stmt->get());
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) *status = error("sqlite_master");
  return false;
}

Status Database::close() {
  if (db_ == nullptr) return OkStatus();
  int rc = sqlite3_close(db_);
  if (rc != SQLITE_OK) return InvalidInput(path_ + ": closing database: " + sqlite3_errstr(rc));
  db_ = nullptr;
  return OkStatus();
}

}  // namespace gpuscope::store
