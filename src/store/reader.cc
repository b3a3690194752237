// readStore: a .gpuscope file back into a model::Trace. The file is opened
// read-only and trusted for nothing: every value is type-checked and every
// string id bounds-checked, so a damaged or hand-edited store is an error
// naming the table and row, never a crash.
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "base/file.h"
#include "store/column_cache.h"
#include "store/schema.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace gpuscope::store {
namespace {

constexpr std::string_view kSqliteMagic{"SQLite format 3\0", 16};

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

std::string columnText(sqlite3_stmt* s, int i) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return p == nullptr ? std::string()
                      : std::string(p, static_cast<size_t>(sqlite3_column_bytes(s, i)));
}

// "text 'abc'", "integer 4294967296": what was found, for error messages.
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

// Strings travel from the SQLite rows to the string table in chunks. For
// large tables a thread steps the rows while this one interns: each costs
// about half of loading millions of strings (the interning is a hash probe
// that misses the cache), so the two overlap on two cores.
struct StringChunk {
  std::string bytes;
  std::vector<uint32_t> ends;  // end of each string in bytes
  void clear() {
    bytes.clear();
    ends.clear();
  }
};

constexpr size_t kStringChunkCount = 1 << 14;
constexpr int64_t kThreadedStrings = 1 << 17;  // fewer: one thread, no hand-over
constexpr size_t kStringChunksQueued = 4;

// Steps the rows of `s`, checking ids are 0, 1, 2, ..., and hands each full
// chunk (and the last one) to deliver(), which returns false to stop early.
Status readStringRows(const Database& db, sqlite3_stmt* s,
                      const std::function<bool(StringChunk&)>& deliver) {
  StringChunk chunk;
  int rc;
  int64_t expected = 0;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t id = sqlite3_column_int64(s, 0);
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
    std::string_view value(p == nullptr ? "" : p, static_cast<size_t>(sqlite3_column_bytes(s, 1)));
    if (sqlite3_column_type(s, 0) != SQLITE_INTEGER || id != expected) {
      Status status = InvalidInput(db.path() + ": table strings: expected id " + std::to_string(expected) +
                                   ", found " + columnText(s, 0) + " (ids must be 0, 1, 2, ...)");
      deliver(chunk);  // the rows before it are checked first
      return status;
    }
    chunk.bytes.append(value);
    chunk.ends.push_back(static_cast<uint32_t>(chunk.bytes.size()));
    ++expected;
    if (chunk.ends.size() == kStringChunkCount || chunk.bytes.size() >= (size_t{1} << 30)) {
      if (!deliver(chunk)) return OkStatus();
    }
  }
  Status status = rc == SQLITE_DONE ? OkStatus() : db.error("strings");
  deliver(chunk);
  return status;
}

// Interns one chunk; `id` is the id of its first string. The first error
// (a value seen before, too many strings) is kept in *error.
bool internChunk(const Database& db, const StringChunk& chunk, model::StringTable& strings,
                 int64_t& id, Status* error) {
  uint32_t begin = 0;
  for (uint32_t end : chunk.ends) {
    std::string_view value(chunk.bytes.data() + begin, end - begin);
    begin = end;
    if (strings.intern(value) != static_cast<model::StringId>(id)) {
      *error = InvalidInput(db.path() + ": table strings: id " + std::to_string(id) +
                            " repeats an earlier value");
      return false;
    }
    if (id >= static_cast<int64_t>(std::numeric_limits<model::StringId>::max())) {
      *error = InvalidInput(db.path() + ": table strings: too many strings");
      return false;
    }
    ++id;
  }
  return true;
}

// Ids are preserved exactly: row k of strings must be id k, all distinct.
Status readStrings(const Database& db, model::StringTable& strings) {
  int64_t count = 0;
  {  // max(id) is an index lookup; a bad value only costs a wrong reserve.
    GS_ASSIGN_OR_RETURN(Statement m, db.prepare("SELECT max(id) FROM strings", "strings"));
    if (sqlite3_step(m.get()) == SQLITE_ROW && sqlite3_column_type(m.get(), 0) == SQLITE_INTEGER) {
      int64_t n = sqlite3_column_int64(m.get(), 0) + 1;
      if (n > 0 && n < (int64_t{1} << 31)) {
        strings.reserve(static_cast<size_t>(n));
        count = n;
      }
    }
  }
  GS_ASSIGN_OR_RETURN(Statement s,
                      db.prepare("SELECT id, value FROM strings ORDER BY id", "strings"));
  int64_t id = 0;
  Status intern_error;
  auto readInline = [&] {
    Status rows = readStringRows(db, s.get(), [&](StringChunk& chunk) {
      bool ok = internChunk(db, chunk, strings, id, &intern_error);
      chunk.clear();
      return ok;
    });
    return intern_error.ok() ? rows : intern_error;
  };
  if (count < kThreadedStrings || std::thread::hardware_concurrency() < 2) return readInline();

  // Threaded: the row reader owns the connection until it is joined.
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<StringChunk> full;
  std::vector<StringChunk> spare;
  bool done = false, stop = false;
  Status rows;
  auto deliver = [&](StringChunk& chunk) {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return stop || full.size() < kStringChunksQueued; });
    if (stop) return false;
    full.push_back(std::move(chunk));
    chunk.clear();
    if (!spare.empty()) {
      chunk = std::move(spare.back());
      spare.pop_back();
    }
    changed.notify_all();
    return true;
  };
  auto produce = [&] {
    Status status = readStringRows(db, s.get(), deliver);
    std::lock_guard<std::mutex> lock(mutex);
    rows = std::move(status);
    done = true;
    changed.notify_all();
  };
  std::thread reader;
  try {
    reader = std::thread(produce);
  } catch (const std::system_error&) {
    return readInline();  // no thread to be had
  }
  std::unique_lock<std::mutex> lock(mutex);
  for (;;) {
    changed.wait(lock, [&] { return done || !full.empty(); });
    if (full.empty()) break;
    StringChunk chunk = std::move(full.front());
    full.pop_front();
    changed.notify_all();
    lock.unlock();
    bool ok = internChunk(db, chunk, strings, id, &intern_error);
    chunk.clear();
    lock.lock();
    spare.push_back(std::move(chunk));
    if (!ok) {
      stop = true;
      changed.notify_all();
      break;
    }
  }
  lock.unlock();
  if (reader.joinable()) reader.join();
  return intern_error.ok() ? rows : intern_error;
}

StatusOr<model::Severity> parseSeverity(std::string_view s) {
  for (auto v : {model::Severity::kInfo, model::Severity::kDataLoss, model::Severity::kError}) {
    if (model::severityName(v) == s) return v;
  }
  return InvalidInput(std::string(s));
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
