#include "store/column_cache.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <system_error>
#include <thread>

#include "store/column_codec.h"
#include "store/store.h"

namespace gpuscope::store {
namespace {

// zstd is the cost on both sides, and chunks are independent.
template <typename F>
void parallelFor(size_t n, F&& f) {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t threads = std::min<size_t>({n, cores, 16});
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) f(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) {
    try {
      pool.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the ones running finish the work
    }
  }
  work();
  for (std::thread& t : pool) t.join();
}

struct EncodeJob {
  const void* values = nullptr;
  model::ColumnType type{};
  const char* column = nullptr;
  size_t chunk = 0;
  size_t rows = 0;
  ChunkCodec codec{};
  std::string blob;
};

template <typename Table>
Status writeTableChunks(const Database& db, sqlite3_stmt* insert, const Table& t,
                        size_t chunk_rows) {
  const size_t n = t.size();
  // An empty table still gets one empty chunk per column, so that "no
  // chunks" always means "invalidated".
  const size_t chunks = std::max<size_t>(1, (n + chunk_rows - 1) / chunk_rows);
  std::vector<EncodeJob> jobs;
  Table::forEachColumn(t, [&](const model::ColumnInfo& info, const auto& column) {
    for (size_t c = 0; c < chunks; ++c) {
      EncodeJob job;
      job.values = column.data() + std::min(n, c * chunk_rows);
      job.type = info.type;
      job.column = info.name;
      job.chunk = c;
      job.rows = std::min(chunk_rows, n - std::min(n, c * chunk_rows));
      jobs.push_back(std::move(job));
    }
  });
  parallelFor(jobs.size(), [&](size_t i) {
    EncodeJob& j = jobs[i];
    j.codec = encodeChunk(j.values, j.rows, j.type, &j.blob);
  });
  const char* table = Table::kSqlName;
  for (const EncodeJob& j : jobs) {
    if (j.blob.empty()) {
      return InvalidInput(db.path() + ": table column_chunks: compressing " + table + "." +
                          j.column + " chunk " + std::to_string(j.chunk) + " failed (out of memory?)");
    }
    std::string_view codec = codecName(j.codec);
    int rc = sqlite3_bind_text(insert, 1, table, -1, SQLITE_STATIC) |
             sqlite3_bind_text(insert, 2, j.column, -1, SQLITE_STATIC) |
             sqlite3_bind_int64(insert, 3, static_cast<sqlite3_int64>(j.chunk)) |
             sqlite3_bind_int64(insert, 4, static_cast<sqlite3_int64>(j.rows)) |
             sqlite3_bind_text(insert, 5, codec.data(), static_cast<int>(codec.size()),
                               SQLITE_STATIC) |
             sqlite3_bind_blob64(insert, 6, j.blob.data(), j.blob.size(), SQLITE_STATIC);
    if (rc != SQLITE_OK || sqlite3_step(insert) != SQLITE_DONE) {
      return InvalidInput(db.path() + ": table column_chunks: writing " + table + "." + j.column +
                          " chunk " + std::to_string(j.chunk) + ": " + sqlite3_errmsg(db.get()));
    }
    sqlite3_reset(insert);
  }
  return OkStatus();
}

std::string sqlString(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// Triggers dropped (with their table, or by hand) mean edits may have gone
// unnoticed: then the chunks are not trusted.
StatusOr<bool> triggersPresent(const Database& db, std::string_view table) {
  std::vector<std::string> names = cacheTriggerNames(table);
  GS_ASSIGN_OR_RETURN(Statement s, db.prepare("SELECT count(*) FROM sqlite_master WHERE type = "
                                              "'trigger' AND tbl_name = ?1 AND name IN (?2, ?3, ?4)",
                                              "sqlite_master"));
  sqlite3_bind_text(s.get(), 1, table.data(), static_cast<int>(table.size()), SQLITE_STATIC);
  for (int i = 0; i < 3; ++i) {
    sqlite3_bind_text(s.get(), i + 2, names[i].c_str(), -1, SQLITE_STATIC);
  }
  if (sqlite3_step(s.get()) != SQLITE_ROW) return db.error("sqlite_master");
  return sqlite3_column_int64(s.get(), 0) == 3;
}

// ALTER TABLE fires no trigger: trust the chunks only while the row table
// still has every column (else the row reader names what is missing).
StatusOr<bool> rowTableIntact(const Database& db, std::string_view table,
                              std::span<const model::ColumnInfo> columns) {
  GS_ASSIGN_OR_RETURN(Statement s, db.prepare("SELECT name FROM pragma_table_info(?1)",
                                              std::string(table)));
  sqlite3_bind_text(s.get(), 1, table.data(), static_cast<int>(table.size()), SQLITE_STATIC);
  std::vector<bool> seen(columns.size(), false);
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
    if (p == nullptr) continue;
    for (size_t i = 0; i < columns.size(); ++i) {
      if (std::string_view(p) == columns[i].name) seen[i] = true;
    }
  }
  if (rc != SQLITE_DONE) return db.error(table);
  return std::find(seen.begin(), seen.end(), false) == seen.end();
}

}  // namespace

void runParallel(size_t n, const std::function<void(size_t)>& f) { parallelFor(n, f); }

std::vector<std::string> cacheTriggerNames(std::string_view table) {
  std::string t(table);
  return {t + "_cache_insert", t + "_cache_update", t + "_cache_delete"};
}

std::vector<std::string> createCacheTriggersSql(std::string_view table) {
  std::vector<std::string> names = cacheTriggerNames(table);
  const char* events[] = {"INSERT", "UPDATE", "DELETE"};
  std::vector<std::string> sql;
  for (size_t i = 0; i < names.size(); ++i) {
    sql.push_back("CREATE TRIGGER " + quoteIdentifier(names[i]) + " AFTER " + events[i] + " ON " +
                  quoteIdentifier(table) + " BEGIN DELETE FROM column_chunks WHERE table_name = " +
                  sqlString(table) + "; END");
  }
  return sql;
}

Status writeColumnCache(const Database& db, const model::Trace& trace, size_t chunk_rows) {
  if (chunk_rows == 0 || chunk_rows > kColumnChunkRows) {
    return InvalidInput(db.path() + ": column cache chunk size " + std::to_string(chunk_rows) +
                        " is outside 1.." + std::to_string(kColumnChunkRows));
  }
  GS_RETURN_IF_ERROR(db.exec(kCreateColumnChunksSql, "column_chunks"));
  GS_ASSIGN_OR_RETURN(Statement insert,
                      db.prepare("INSERT INTO column_chunks(table_name, column_name, chunk, rows, "
                                 "codec, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                 "column_chunks"));
  Status status;
  trace.forEachTable([&](const auto& table) {
    if (status.ok()) status = writeTableChunks(db, insert.get(), table, chunk_rows);
  });
  GS_RETURN_IF_ERROR(status);
  // Last, so that the writer's own inserts never fire them.
  trace.forEachTable([&](const auto& table) {
    for (const std::string& sql : createCacheTriggersSql(table.kSqlName)) {
      if (status.ok()) status = db.exec(sql, table.kSqlName);
    }
  });
  return status;
}

StatusOr<std::optional<CachedTable>> readCachedTable(const Database& db, std::string_view table,
                                                     std::span<const model::ColumnInfo> columns) {
  Status status;
  if (!db.hasTable("column_chunks", &status)) {  // a version-1 store
    GS_RETURN_IF_ERROR(status);
    return std::optional<CachedTable>();
  }
  GS_ASSIGN_OR_RETURN(bool triggers, triggersPresent(db, table));
  if (!triggers) return std::optional<CachedTable>();
  GS_ASSIGN_OR_RETURN(bool intact, rowTableIntact(db, table, columns));
  if (!intact) return std::optional<CachedTable>();

  GS_ASSIGN_OR_RETURN(Statement s,
                      db.prepare("SELECT column_name, chunk, rows, codec, data FROM column_chunks "
                                 "WHERE table_name = ?1 ORDER BY column_name, chunk",
                                 "column_chunks"));
  sqlite3_bind_text(s.get(), 1, table.data(), static_cast<int>(table.size()), SQLITE_STATIC);
  CachedTable cached;
  cached.chunks.resize(columns.size());
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    const auto* name_text = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
    std::string_view name(name_text == nullptr ? "" : name_text,
                          static_cast<size_t>(sqlite3_column_bytes(s.get(), 0)));
    auto column = std::find_if(columns.begin(), columns.end(),
                               [&](const model::ColumnInfo& c) { return name == c.name; });
    if (column == columns.end()) continue;  // not a column of this model table
    auto& chunks = cached.chunks[static_cast<size_t>(column - columns.begin())];
    const int64_t chunk = sqlite3_column_int64(s.get(), 1);
    const int64_t rows = sqlite3_column_int64(s.get(), 2);
    const std::string where = db.path() + ": table " + std::string(table) + ": column '" +
                              std::string(name) + "': column_chunks chunk ";
    if (sqlite3_column_type(s.get(), 1) != SQLITE_INTEGER) {
      return InvalidInput(where + "number after " + std::to_string(chunks.size()) +
                          ": not an integer");
    }
    // Ordered by chunk: anything but the next number means one is missing.
    if (chunk != static_cast<int64_t>(chunks.size())) return std::optional<CachedTable>();
    if (sqlite3_column_type(s.get(), 2) != SQLITE_INTEGER || rows < 0 ||
        rows > static_cast<int64_t>(kColumnChunkRows)) {
      return InvalidInput(where + std::to_string(chunk) + ": rows must be an integer in 0.." +
                          std::to_string(kColumnChunkRows));
    }
    CachedChunk c;
    c.rows = static_cast<size_t>(rows);
    const auto* codec = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 3));
    c.codec.assign(codec == nullptr ? "" : codec,
                   static_cast<size_t>(sqlite3_column_bytes(s.get(), 3)));
    const void* data = sqlite3_column_blob(s.get(), 4);
    if (data != nullptr) {
      c.data.assign(static_cast<const char*>(data),
                    static_cast<size_t>(sqlite3_column_bytes(s.get(), 4)));
    }
    chunks.push_back(std::move(c));
  }
  if (rc != SQLITE_DONE) return db.error("column_chunks");

  for (size_t i = 0; i < columns.size(); ++i) {
    if (cached.chunks[i].empty()) return std::optional<CachedTable>();  // invalidated
    size_t sum = 0;
    for (const CachedChunk& c : cached.chunks[i]) sum += c.rows;
    if (i == 0) cached.rows = sum;
    if (sum != cached.rows) return std::optional<CachedTable>();
  }
  return std::optional<CachedTable>(std::move(cached));
}

Status decodeCachedTable(const Database& db, std::string_view table,
                         std::span<const model::ColumnInfo> columns, const CachedTable& cached,
                         std::span<void* const> dest, size_t string_count) {
  struct DecodeJob {
    size_t column = 0;
    size_t chunk = 0;
    size_t first_row = 0;
    std::string error;
  };
  std::vector<DecodeJob> jobs;
  for (size_t i = 0; i < columns.size(); ++i) {
    size_t first = 0;
    for (size_t c = 0; c < cached.chunks[i].size(); ++c) {
      jobs.push_back(DecodeJob{i, c, first, {}});
      first += cached.chunks[i][c].rows;
    }
  }
  parallelFor(jobs.size(), [&](size_t k) {
    DecodeJob& j = jobs[k];
    const model::ColumnInfo& info = columns[j.column];
    const CachedChunk& chunk = cached.chunks[j.column][j.chunk];
    ChunkCodec codec;
    if (!parseCodec(chunk.codec, &codec)) {
      j.error = "unknown codec '" + chunk.codec + "' (expected zstd or zstd_delta)";
      return;
    }
    auto* out = static_cast<char*>(dest[j.column]) + j.first_row * valueWidth(info.type);
    j.error = decodeChunk(chunk.data, codec, info.type, chunk.rows, out);
    if (!j.error.empty() || info.type != model::ColumnType::kStr) return;
    // The row reader checks every string id; so does this one.
    const auto* ids = reinterpret_cast<const model::StringId*>(out);
    for (size_t r = 0; r < chunk.rows; ++r) {
      if (ids[r] >= string_count) {
        j.error = "row " + std::to_string(r + 1) + " of the chunk: string id " +
                  std::to_string(ids[r]) + " is not in strings (" + std::to_string(string_count) +
                  " strings)";
        return;
      }
    }
  });
  for (const DecodeJob& j : jobs) {
    if (j.error.empty()) continue;
    return InvalidInput(db.path() + ": table " + std::string(table) + ": column '" +
                        columns[j.column].name + "': column_chunks chunk " +
                        std::to_string(j.chunk) + ": " + j.error +
                        " (the column cache is damaged; 'DELETE FROM column_chunks' makes gpuscope "
                        "read the rows)");
  }
  return OkStatus();
}

}  // namespace gpuscope::store
