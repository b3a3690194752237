// Fuzzes the nsys SQLite importer's row decoding. The input bytes are decoded
// into the rows of a real nsys schema (SQLite is dynamically typed, so any
// column may receive NULL, an integer, a real or text), written to a
// temporary database, and imported. Whole-file corruption is covered by the
// trace_file target; this one reaches the per-row code.
#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "importers/nsys_sqlite/reader.h"

namespace {

struct TableSpec {
  const char* name;
  std::vector<const char*> columns;
};

const std::vector<TableSpec>& schema() {
  static const std::vector<TableSpec> kTables = {
      {"StringIds", {"id", "value"}},
      {"META_DATA_EXPORT", {"name", "value"}},
      {"PROCESSES", {"globalPid", "pid", "name"}},
      {"ThreadNames", {"nameId", "priority", "globalTid"}},
      {"TARGET_INFO_GPU", {"id", "name", "computeMajor", "computeMinor", "smCount", "totalMemory"}},
      {"CUPTI_ACTIVITY_KIND_RUNTIME",
       {"start", "end", "eventClass", "globalTid", "correlationId", "nameId", "returnValue"}},
      {"CUPTI_ACTIVITY_KIND_KERNEL",
       {"start", "end", "deviceId", "contextId", "streamId", "correlationId", "globalPid",
        "demangledName", "shortName", "gridX", "gridY", "gridZ", "blockX", "blockY", "blockZ",
        "registersPerThread", "staticSharedMemory", "dynamicSharedMemory", "graphNodeId"}},
      {"CUPTI_ACTIVITY_KIND_MEMCPY",
       {"start", "end", "deviceId", "contextId", "streamId", "correlationId", "globalPid", "bytes",
        "copyKind", "srcKind", "dstKind"}},
      {"CUPTI_ACTIVITY_KIND_MEMSET",
       {"start", "end", "deviceId", "contextId", "streamId", "correlationId", "globalPid", "value",
        "bytes", "memKind"}},
      {"NVTX_EVENTS",
       {"start", "end", "eventType", "rangeId", "category", "color", "text", "globalTid",
        "endGlobalTid", "textId", "domainId"}},
      {"OSRT_API", {"start", "end", "eventClass", "globalTid", "nameId", "returnValue",
                    "nestingLevel"}},
  };
  return kTables;
}

class Bytes {
 public:
  Bytes(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  bool empty() const { return pos_ >= n_; }
  uint8_t u8() { return pos_ < n_ ? d_[pos_++] : 0; }
  int64_t i64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | u8();
    return static_cast<int64_t>(v);
  }
  std::string text() {
    size_t len = u8() % 48;
    std::string s;
    while (len-- > 0 && !empty()) s.push_back(static_cast<char>(u8()));
    return s;
  }

 private:
  const uint8_t* d_;
  size_t n_;
  size_t pos_ = 0;
};

void bindValue(sqlite3_stmt* st, int index, Bytes& in) {
  switch (in.u8() % 6) {
    case 0: sqlite3_bind_null(st, index); break;
    case 1: sqlite3_bind_int64(st, index, in.i64()); break;
    case 2: sqlite3_bind_int64(st, index, in.u8()); break;  // small ids hit real rows
    case 3: sqlite3_bind_double(st, index, static_cast<double>(in.i64()) / 7.0); break;
    case 4: {
      std::string t = in.text();
      sqlite3_bind_text(st, index, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
      break;
    }
    default: sqlite3_bind_int64(st, index, 1000 + in.u8() * 10); break;  // plausible times
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/gpuscope-fuzz-nsys-" + std::to_string(::getpid());
  ::unlink(path.c_str());
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return 0;
  sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN", nullptr, nullptr,
               nullptr);
  Bytes in(data, size);
  for (const auto& t : schema()) {
    std::string cols, marks;
    for (size_t i = 0; i < t.columns.size(); ++i) {
      cols += (i ? ", " : "") + std::string(t.columns[i]);
      marks += i ? ", ?" : "?";
    }
    std::string ddl = std::string("CREATE TABLE ") + t.name + " (" + cols + ")";
    sqlite3_exec(db, ddl.c_str(), nullptr, nullptr, nullptr);
    std::string ins = std::string("INSERT INTO ") + t.name + " VALUES (" + marks + ")";
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, ins.c_str(), -1, &st, nullptr);
    int rows = in.u8() % 8;
    for (int r = 0; r < rows && st != nullptr; ++r) {
      for (size_t c = 0; c < t.columns.size(); ++c) bindValue(st, static_cast<int>(c + 1), in);
      sqlite3_step(st);
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto trace = gpuscope::importers::readNsysSqlite(path);
  if (!trace.ok() && trace.status().message().find(path) == std::string::npos) __builtin_trap();
  ::unlink(path.c_str());
  return 0;
}
