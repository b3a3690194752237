// loadTrace: the one table of formats (registry.h). The head of the file is
// sniffed; gzip is unwrapped and sniffed again; an SQLite file is told apart
// by the tables inside (our store vs an nsys export).
#include "importers/registry.h"

#include <simdjson.h>
#include <sqlite3.h>

#include <cstdio>
#include <string>

#include "base/file.h"
#include "base/gzip.h"
#include "base/progress.h"
#include "importers/kineto_json/reader.h"
#include "importers/nsys_sqlite/reader.h"
#include "importers/sniff.h"
#include "store/store.h"

namespace gpuscope::importers {
namespace {

// Enough to see past a BOM and leading blank lines of a JSON file.
constexpr size_t kHeadBytes = 4096;
constexpr const char* kExpected =
    "expected an nsys SQLite export, Kineto/Chrome trace JSON (plain or gzip) or a .gpuscope "
    "store";

// The first bytes at `offset`, printable, for "found ..." in errors.
std::string excerpt(std::string_view data, size_t offset) {
  std::string out;
  for (size_t i = offset; i < data.size() && i < offset + 16; ++i) {
    auto c = static_cast<unsigned char>(data[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

Status unrecognised(const std::string& path, std::string_view data, std::string_view what) {
  size_t at = contentStart(data);
  if (at >= data.size()) {
    return InvalidInput(path + ": only whitespace" + std::string(what) +
                        ", expected a trace (nsys SQLite, Kineto JSON, .gpuscope)");
  }
  return InvalidInput(path + ": unrecognised format at byte " + std::to_string(at) +
                      std::string(what) + " (" + kExpected + "), found \"" + excerpt(data, at) +
                      "\"");
}

StatusOr<model::Trace> loadGzip(const std::string& path, Progress& progress) {
  progress.stage("reading " + path);
  GS_ASSIGN_OR_RETURN(std::string compressed, readFile(path));
  progress.stage("decompressing " + path + " (" + humanBytes(compressed.size()) + ")");
  GS_ASSIGN_OR_RETURN(std::string json, gunzip(compressed, path, simdjson::SIMDJSON_PADDING));
  compressed = std::string();  // free it before parsing: peak memory matters
  if (json.empty()) {
    return InvalidInput(path + ": empty after gzip decompression, expected Kineto JSON");
  }
  // Only JSON is shipped gzipped; a gzipped SQLite file would have to be
  // inflated to disk for SQLite to open it.
  Format inner = sniffFormat(std::string_view(json).substr(0, kHeadBytes));
  if (inner != Format::kKinetoJson) {
    if (inner == Format::kUnknown) {
      return unrecognised(path, std::string_view(json).substr(0, kHeadBytes),
                          " of the gzip-decompressed data");
    }
    return InvalidInput(path + ": gzip holds " + std::string(formatName(inner)) +
                        " data; only Kineto/Chrome trace JSON is read from a .gz file "
                        "(decompress it first)");
  }
  progress.stage("parsing " + path + " (" + humanBytes(json.size()) + " of JSON)");
  return readKinetoJson(json, path);
}

StatusOr<model::Trace> loadSqlite(const std::string& path, const LoadOptions& options) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return InvalidInput(path + ": cannot open SQLite database: " + msg);
  }
  // Read the schema first, so that a damaged file is reported as such
  // rather than as "neither a store nor an nsys export".
  char* err = nullptr;
  if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    sqlite3_close(db);
    return InvalidInput(path + ": table sqlite_master: " + msg);
  }
  const bool store = store::isStore(db);
  const bool nsys = !store && isNsysSqlite(db);
  sqlite3_close(db);
  if (store) return store::readStore(path, store::StoreReadOptions{.tables = options.tables});
  if (nsys) return readNsysSqlite(path);
  return InvalidInput(path +
                      ": SQLite database is neither a gpuscope store nor an nsys export (no "
                      "StringIds / META_DATA_EXPORT / EXPORT_META_DATA / CUPTI_ACTIVITY_KIND_* "
                      "tables)");
}

}  // namespace

StatusOr<model::Trace> loadTrace(const std::string& path, const LoadOptions& options) {
  Progress progress(!options.quiet);
  GS_ASSIGN_OR_RETURN(std::string head, readHead(path, kHeadBytes));
  if (head.empty()) {
    return InvalidInput(path +
                        ": empty file, expected a trace (nsys SQLite, Kineto JSON, .gpuscope)");
  }
  StatusOr<model::Trace> trace = InvalidInput(path);
  switch (sniffFormat(head)) {
    case Format::kGzip:
      trace = loadGzip(path, progress);
      break;
    case Format::kSqlite:
      progress.stage("reading " + path);
      trace = loadSqlite(path, options);
      break;
    case Format::kKinetoJson: {
      progress.stage("reading " + path);
      GS_ASSIGN_OR_RETURN(std::string json, readFile(path, simdjson::SIMDJSON_PADDING));
      progress.stage("parsing " + path + " (" + humanBytes(json.size()) + ")");
      trace = readKinetoJson(json, path);
      break;
    }
    case Format::kUnknown:
    case Format::kGpuscopeStore:
    case Format::kNsysSqlite:
      return unrecognised(path, head, "");
  }
  if (!trace.ok()) return trace.status();
  trace->meta.try_emplace(model::kMetaSourcePath, path);
  progress.stage("sorting " + std::to_string(trace->eventCount()) + " events");
  trace->sortByTime();
  return trace;
}

}  // namespace gpuscope::importers
