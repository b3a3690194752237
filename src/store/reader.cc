// readStore: a .gpuscope file back into a model::Trace. The file is opened
// read-only and trusted for nothing: every value is type-checked and every
// string id bounds-checked, so a damaged or hand-edited store is an error
// naming the table and row, never a crash.
//
// This file opens and checks the file (SQLite magic, meta table, producer,
// schema version) and reads the tables it asks for; the decoders are in
// reader_rows.cc and reader_strings.cc.
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <system_error>

#include "base/file.h"
#include "store/column_cache.h"
#include "store/reader_tables.h"
#include "store/schema.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace gpuscope::store {
namespace {

constexpr std::string_view kSqliteMagic{"SQLite format 3\0", 16};

Status readMeta(const Database& db, model::Trace& trace) {
  GS_ASSIGN_OR_RETURN(Statement s, db.prepare("SELECT key, value FROM meta", "meta"));
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    trace.meta[columnText(s.get(), 0)] = columnText(s.get(), 1);
  }
  if (rc != SQLITE_DONE) return db.error("meta");
  return OkStatus();
}

Status checkVersion(const std::string& path, const model::Trace& trace) {
  auto producer = trace.meta.find(model::kMetaProducer);
  if (producer == trace.meta.end() || producer->second.rfind("gpuscope", 0) != 0) {
    return InvalidInput(path + ": table meta: not a gpuscope store (producer is not gpuscope)");
  }
  auto version = trace.meta.find(model::kMetaSchemaVersion);
  if (version == trace.meta.end()) {
    return InvalidInput(path + ": table meta: no schema_version");
  }
  const std::string& text = version->second;
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1) {
    return InvalidInput(path + ": table meta: schema_version '" + text +
                        "' is not a positive integer");
  }
  if (v > kSchemaVersion) {
    return InvalidInput(path + ": store schema version " + text +
                        " is newer than this gpuscope supports (" + std::to_string(kSchemaVersion) +
                        ")");
  }
  return OkStatus();
}

}  // namespace

bool isStore(sqlite3* db) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'producer'", -1, &s, nullptr) !=
      SQLITE_OK) {
    sqlite3_finalize(s);
    return false;
  }
  bool ours = false;
  if (sqlite3_step(s) == SQLITE_ROW) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    ours = p != nullptr && std::string_view(p).starts_with("gpuscope");
  }
  sqlite3_finalize(s);
  return ours;
}

StatusOr<model::Trace> readStore(const std::string& path) { return readStore(path, {}); }

StatusOr<model::Trace> readStore(const std::string& path, const StoreReadOptions& options) {
  for (const std::string& name : options.tables) {
    bool known = false;
    model::Trace().forEachTable([&](const auto& t) { known |= name == t.kSqlName; });
    if (!known) return InvalidInput(path + ": no table '" + name + "' in a gpuscope store");
  }
  auto wanted = [&](std::string_view name) {
    return options.tables.empty() ||
           std::find(options.tables.begin(), options.tables.end(), name) != options.tables.end();
  };
  // readHead gives the usual errors for a directory or a missing or
  // unreadable path; SQLite would only say "unable to open".
  GS_ASSIGN_OR_RETURN(std::string head, readHead(path, kSqliteMagic.size()));
  if (head != kSqliteMagic) {
    return InvalidInput(path + ": not a gpuscope store (not an SQLite database)");
  }
  GS_ASSIGN_OR_RETURN(Database db,
                      Database::open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, path));
  model::Trace trace;
  Status status;
  if (!db.hasTable("meta", &status)) {
    GS_RETURN_IF_ERROR(status);
    return InvalidInput(path + ": not a gpuscope store (no meta table)");
  }
  GS_RETURN_IF_ERROR(readMeta(db, trace));
  GS_RETURN_IF_ERROR(checkVersion(path, trace));
  GS_RETURN_IF_ERROR(readStrings(db, trace.strings));
  const size_t string_count = trace.strings.size();
  trace.forEachTable([&](auto& table) {
    if (!status.ok() || !wanted(table.kSqlName)) return;
    // The column cache when it is complete and trusted, else the rows.
    StatusOr<bool> cached = readTableFromCache(db, string_count, table);
    if (!cached.ok()) {
      status = cached.status();
    } else if (*cached) {
      if (options.tables_from_cache != nullptr) {
        options.tables_from_cache->push_back(table.kSqlName);
      }
    } else {
      status = readTable(db, string_count, table);
    }
  });
  GS_RETURN_IF_ERROR(status);
  GS_RETURN_IF_ERROR(readDiagnostics(db, trace.diagnostics));
  return trace;
}

}  // namespace gpuscope::store
