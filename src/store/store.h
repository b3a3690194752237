// The .gpuscope file: an SQLite database holding one model::Trace. The schema
// is generated from the table declarations in model/tables.h and documented
// in docs/trace-format.md; kSchemaVersion changes whenever it does.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/trace.h"

struct sqlite3;

namespace gpuscope::store {

// 2: the column cache (column_chunks and its triggers, column_cache.h).
// Version-1 stores, which have only the row tables, are still read.
inline constexpr int kSchemaVersion = 3;

// Values per column_chunks blob, at most (the reader rejects larger chunks).
inline constexpr size_t kColumnChunkRows = size_t{1} << 20;

// Traces with fewer rows (all tables together) are written with 4 KB
// pages instead of 16 KB (writer.cc).
inline constexpr size_t kSmallTraceRows = 50000;

struct StoreWriteOptions {
  bool force = false;  // replace an existing file
  // Values per column_chunks blob, 1..kColumnChunkRows; tests lower it to
  // cross chunk boundaries with few rows.
  size_t chunk_rows = kColumnChunkRows;
};

// Writes `trace` to `path` atomically (temporary file, then rename). Fails
// with InvalidInput if `path` exists and !force, or on any write error
// (nothing is left behind).
Status writeStore(const model::Trace& trace, const std::string& path, bool force);
Status writeStore(const model::Trace& trace, const std::string& path,
                  const StoreWriteOptions& options);

struct StoreReadOptions {
  // SQL names of the model tables to load ("kernels", "api_calls", ...);
  // empty = all. The others stay empty. strings, meta and diagnostics are
  // always loaded. An unknown name is InvalidInput.
  std::vector<std::string> tables = {};
  // When set, receives the names of the tables decoded from the column
  // cache (the others were read row by row).
  std::vector<std::string>* tables_from_cache = nullptr;
};

// Reads a .gpuscope file. Errors name the file and the table/row at fault;
// a store of a newer schema version is rejected with both versions named.
StatusOr<model::Trace> readStore(const std::string& path);
StatusOr<model::Trace> readStore(const std::string& path, const StoreReadOptions& options);

// True if the open database has a meta table whose producer is gpuscope
// (the format registry uses this to tell a store from other SQLite files).
bool isStore(sqlite3* db);

}  // namespace gpuscope::store
