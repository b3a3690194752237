// Importer for `nsys export --type sqlite` files, every schema version found
// in the wild (see docs/import-nsys.md): tables and columns are discovered
// with PRAGMA table_info, never assumed.
#pragma once

#include <string>

#include "base/status.h"
#include "model/trace.h"

struct sqlite3;

namespace gpuscope::importers {

// True if the open database looks like an nsys export.
bool isNsysSqlite(sqlite3* db);

StatusOr<model::Trace> readNsysSqlite(const std::string& path);

}  // namespace gpuscope::importers
