// Which export this is: the version stamp (META_DATA_EXPORT, called
// EXPORT_META_DATA in exports of nsys <= 2023.2) and the session's wall
// clock anchor (TARGET_INFO_SESSION_START_TIME.utcEpochNs).
#include <sqlite3.h>

#include <string>

#include "importers/nsys_sqlite/import_context.h"
#include "importers/nsys_sqlite/reader.h"

namespace gpuscope::importers::nsys_sqlite {
namespace {

bool looksLikeNsysTables(const std::vector<std::string>& tables) {
  bool strings = false, marker = false;
  for (const std::string& t : tables) {
    if (t == "StringIds") strings = true;
    if (t == "META_DATA_EXPORT" || t == "EXPORT_META_DATA" ||
        t == "TARGET_INFO_SESSION_START_TIME" || t == "NVTX_EVENTS" || t == "ThreadNames" ||
        t.rfind("CUPTI_ACTIVITY_KIND_", 0) == 0) {
      marker = true;
    }
  }
  return strings && marker;
}

}  // namespace

bool looksLikeNsys(const Database& db) {
  std::vector<std::string> tables;
  for (std::string_view t : {"StringIds", "META_DATA_EXPORT", "EXPORT_META_DATA",
                             "TARGET_INFO_SESSION_START_TIME", "NVTX_EVENTS", "ThreadNames",
                             "CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_RUNTIME"}) {
    if (db.hasTable(t)) tables.emplace_back(t);
  }
  return looksLikeNsysTables(tables);
}

Status readMetadata(ImportContext& ctx) {
  auto& meta = ctx.trace.meta;
  for (std::string_view table : {"META_DATA_EXPORT", "EXPORT_META_DATA"}) {
    if (!ctx.db.hasTable(table)) continue;
    GS_ASSIGN_OR_RETURN(TableCursor c, TableCursor::open(ctx.db, table, {"name", "value"}));
    while (true) {
      GS_ASSIGN_OR_RETURN(bool more, c.next());
      if (!more) break;
      std::string_view name = c.text(0);
      if (name == "EXPORT_SCHEMA_VERSION") meta["nsys_export_schema_version"] = c.text(1);
      if (name == "EXPORT_PRODUCT_VERSION") meta["nsys_version"] = c.text(1);
    }
    meta["nsys_metadata_table"] = std::string(table);
    break;
  }
  if (ctx.db.hasTable("TARGET_INFO_SESSION_START_TIME")) {
    GS_ASSIGN_OR_RETURN(TableCursor c,
                        TableCursor::open(ctx.db, "TARGET_INFO_SESSION_START_TIME", {"utcEpochNs"}));
    GS_ASSIGN_OR_RETURN(bool row, c.next());
    if (row && !c.isNull(0)) meta[model::kMetaTimeBaseNs] = std::to_string(c.i64(0));
  }
  return OkStatus();
}

}  // namespace gpuscope::importers::nsys_sqlite

namespace gpuscope::importers {

bool isNsysSqlite(sqlite3* db) {
  return db && nsys_sqlite::looksLikeNsysTables(nsys_sqlite::Database::tableNames(db));
}

}  // namespace gpuscope::importers
