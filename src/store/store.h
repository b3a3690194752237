// The .gpuscope file: an SQLite database holding one model::Trace. The schema
// is generated from the table declarations in model/tables.h and documented
// in docs/trace-format.md; kSchemaVersion changes whenever it does.
#pragma once

#include <string>

#include "base/status.h"
#include "model/trace.h"

struct sqlite3;

namespace gpuscope::store {

inline constexpr int kSchemaVersion = 1;

// Writes `trace` to `path` atomically (temporary file, then rename). Fails
// with InvalidInput if `path` exists and !force, or on any write error
// (nothing is left behind).
Status writeStore(const model::Trace& trace, const std::string& path, bool force);

// Reads a .gpuscope file. Errors name the file and the table/row at fault;
// a store of a newer schema version is rejected with both versions named.
StatusOr<model::Trace> readStore(const std::string& path);

// True if the open database has a meta table whose producer is gpuscope
// (the format registry uses this to tell a store from other SQLite files).
bool isStore(sqlite3* db);

}  // namespace gpuscope::store
