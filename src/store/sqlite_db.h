// Thin RAII over the SQLite C API for the store reader and writer: every
// error comes back as a Status that names the file and the table at fault.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "base/status.h"

namespace gpuscope::store {

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* s) : stmt_(s) {}
  Statement(Statement&& o) noexcept : stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  // `path` is the file opened; `display_path` is the one named in errors
  // (the writer opens a temporary file but reports the final name).
  static StatusOr<Database> open(const std::string& path, int flags,
                                 const std::string& display_path);
  Database(Database&& o) noexcept : db_(o.db_), path_(std::move(o.path_)) { o.db_ = nullptr; }
  Database& operator=(Database&&) = delete;
  Database(const Database&) = delete;
  ~Database() { sqlite3_close(db_); }

  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }

  // "<path>: table <where>: <sqlite message>" as InvalidInput.
  Status error(std::string_view where) const;
  Status exec(const std::string& sql, std::string_view where) const;
  StatusOr<Statement> prepare(const std::string& sql, std::string_view where) const;
  bool hasTable(std::string_view name, Status* status) const;
  // Closes now, reporting any error (the destructor cannot).
  Status close();

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace gpuscope::store
