// readNsysSqlite: opens the export read-only, checks it is one, and runs the
// per-table readers inside one read transaction (a consistent snapshot, and
// SQLite takes the shared lock once instead of per statement).
#include "importers/nsys_sqlite/reader.h"

#include <sqlite3.h>

#include "importers/nsys_sqlite/database.h"
#include "importers/nsys_sqlite/import_context.h"
#include "importers/nsys_sqlite/strings.h"

namespace gpuscope::importers {

StatusOr<model::Trace> readNsysSqlite(const std::string& path) {
  using namespace nsys_sqlite;
  GS_ASSIGN_OR_RETURN(Database db, Database::open(path));
  if (!looksLikeNsys(db)) {
    return InvalidInput(path +
                        ": not an nsys SQLite export (expected tables StringIds and "
                        "META_DATA_EXPORT/EXPORT_META_DATA or CUPTI_ACTIVITY_KIND_*)");
  }
  int rc = sqlite3_exec(db.handle(), "BEGIN", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return db.error("BEGIN", rc);

  model::Trace trace;
  trace.meta[model::kMetaSourceFormat] = "nsys_sqlite";
  trace.meta[model::kMetaSourcePath] = path;
  NsysStrings strings;
  GS_RETURN_IF_ERROR(strings.load(db));
  ImportContext ctx{db, strings, trace};
  GS_RETURN_IF_ERROR(readMetadata(ctx));
  GS_RETURN_IF_ERROR(readApiCalls(ctx));
  GS_RETURN_IF_ERROR(readKernels(ctx));
  GS_RETURN_IF_ERROR(readMemcpys(ctx));
  GS_RETURN_IF_ERROR(readMemsets(ctx));
  GS_RETURN_IF_ERROR(readSyncs(ctx));
  GS_RETURN_IF_ERROR(readGraphLaunches(ctx));
  GS_RETURN_IF_ERROR(readOsRuntime(ctx));
  GS_RETURN_IF_ERROR(readNvtx(ctx));
  GS_RETURN_IF_ERROR(readTargetInfo(ctx));
  sqlite3_exec(db.handle(), "COMMIT", nullptr, nullptr, nullptr);
  trace.sortByTime();
  return trace;
}

}  // namespace gpuscope::importers
