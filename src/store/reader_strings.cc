// The strings table of a store into a model::StringTable, ids preserved
// exactly; large tables are read on two threads.
#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "store/reader_tables.h"

namespace gpuscope::store {
namespace {

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

}  // namespace

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

}  // namespace gpuscope::store
