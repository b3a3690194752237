// The column cache (column_chunks): what the reader decodes from it equals
// what the rows hold, chunks split where they should, any sqlite3 edit of a
// row table invalidates that table's chunks, a damaged chunk is an error
// naming file, table, column and chunk, version-1 stores (rows only) still
// read, and a reader asked for some tables reads only those.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <stdexcept>

#include "importers/registry.h"
#include "store/schema.h"
#include "store/store.h"
#include "store_test_util.h"

namespace gpuscope::store {
namespace {

using testing::execSql;
using testing::expectTracesEqual;
using testing::makeFullTrace;
using testing::makeSmallTrace;
using testing::queryInt;
using testing::queryText;
using testing::ScratchDir;

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

size_t tableCount() {
  size_t n = 0;
  model::Trace().forEachTable([&](const auto&) { ++n; });
  return n;
}

// Kernels as an importer leaves them: sorted starts, a few names, constant
// columns; `n` rows.
model::Trace makeSortedKernels(size_t n) {
  model::Trace t;
  model::StringId names[] = {t.strings.intern("gemm"), t.strings.intern("relu"),
                             t.strings.intern("softmax")};
  for (size_t i = 0; i < n; ++i) {
    model::KernelTable::Row r;
    r.start = 1'000'000'000 + static_cast<int64_t>(i) * 1700 + static_cast<int64_t>(i % 7);
    r.end = r.start + 500 + static_cast<int64_t>(i % 13) * 11;
    r.pid = 4242;
    r.device_id = 0;
    r.stream_id = 7 + static_cast<int64_t>(i % 2);
    r.correlation_id = static_cast<int64_t>(i) + 1;
    r.name = names[i % 3];
    r.short_name = names[(i / 3) % 3];
    r.grid_x = static_cast<int32_t>(1 + i % 64);
    r.block_x = 128;
    t.kernels.push(r);
  }
  return t;
}

StatusOr<model::Trace> readWithCacheReport(const std::string& path,
                                           std::vector<std::string>* from_cache,
                                           std::vector<std::string> tables = {}) {
  from_cache->clear();
  StoreReadOptions o;
  o.tables = std::move(tables);
  o.tables_from_cache = from_cache;
  return readStore(path, o);
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST(ColumnCache, CacheAndRowsGiveTheSameTraceFieldByField) {
  ScratchDir dir;
  const model::Trace original = makeFullTrace(37);
  const std::string path = dir.file("full.gpuscope");
  ASSERT_TRUE(writeStore(original, path, false).ok());
  // One chunk per column of every table, written by the writer itself.
  int64_t columns = 0;
  original.forEachTable([&](const auto& t) {
    columns += static_cast<int64_t>(columnsOf<std::decay_t<decltype(t)>>().size());
  });
  EXPECT_EQ(queryInt(path, "SELECT count(*) FROM column_chunks"), columns);

  std::vector<std::string> from_cache;
  auto cached = readWithCacheReport(path, &from_cache);
  ASSERT_TRUE(cached.ok()) << cached.status().message();
  EXPECT_EQ(from_cache.size(), tableCount());
  expectTracesEqual(original, *cached);

  ASSERT_TRUE(execSql(path, "DELETE FROM column_chunks"));
  auto rows = readWithCacheReport(path, &from_cache);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  EXPECT_TRUE(from_cache.empty());
  expectTracesEqual(*rows, *cached);
  EXPECT_EQ(rows->meta, cached->meta);
}

TEST(ColumnCache, SortedTimesAreDeltaEncodedAndComeBack) {
  ScratchDir dir;
  const model::Trace original = makeSortedKernels(5000);
  const std::string path = dir.file("sorted.gpuscope");
  ASSERT_TRUE(writeStore(original, path, false).ok());
  EXPECT_EQ(queryText(path, "SELECT codec FROM column_chunks WHERE table_name = 'kernels' AND "
                            "column_name = 'start'"),
            "zstd_delta");
  // 5000 dense correlation ids: far smaller than their 40000 raw bytes.
  EXPECT_LT(queryInt(path, "SELECT length(data) FROM column_chunks WHERE table_name = 'kernels' "
                           "AND column_name = 'correlation_id'"),
            1000);
  std::vector<std::string> from_cache;
  auto loaded = readWithCacheReport(path, &from_cache);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(has(from_cache, "kernels"));
  expectTracesEqual(original, *loaded);
}

class ChunkBoundaries : public ::testing::TestWithParam<size_t> {};

TEST_P(ChunkBoundaries, SplitWhereTheChunkSizeSaysAndReadBack) {
  constexpr size_t kChunk = 1000;
  const size_t n = GetParam();
  ScratchDir dir;
  const model::Trace original = makeSortedKernels(n);
  const std::string path = dir.file("chunks.gpuscope");
  ASSERT_TRUE(writeStore(original, path, StoreWriteOptions{.chunk_rows = kChunk}).ok());
  const std::string where = " FROM column_chunks WHERE table_name = 'kernels' AND column_name = "
                            "'end'";
  const int64_t expected_chunks = n == 0 ? 1 : static_cast<int64_t>((n + kChunk - 1) / kChunk);
  EXPECT_EQ(queryInt(path, "SELECT count(*)" + where), expected_chunks);
  EXPECT_EQ(queryInt(path, "SELECT total(rows)" + where), static_cast<int64_t>(n));
  EXPECT_LE(queryInt(path, "SELECT max(rows)" + where), static_cast<int64_t>(kChunk));
  EXPECT_EQ(queryInt(path, "SELECT max(chunk) + 1" + where), expected_chunks);

  std::vector<std::string> from_cache;
  auto loaded = readWithCacheReport(path, &from_cache);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(has(from_cache, "kernels"));
  expectTracesEqual(original, *loaded);
}

INSTANTIATE_TEST_SUITE_P(AroundTheChunkSize, ChunkBoundaries,
                         ::testing::Values(0, 1, 999, 1000, 1001, 2999, 3001));

TEST(ColumnCache, RealChunkSizeSplitsAtTwoToTheTwentieth) {
  // The narrowest table (processes: 2 columns) keeps 2^20 + 1 rows cheap.
  ScratchDir dir;
  model::Trace original;
  const size_t n = kColumnChunkRows + 1;
  original.processes.pid.resize(n);
  original.processes.name.assign(n, model::kEmptyString);
  for (size_t i = 0; i < n; ++i) original.processes.pid[i] = static_cast<int64_t>(i * 3);
  original.processes.setSizeFromColumns();
  const std::string path = dir.file("big.gpuscope");
  ASSERT_TRUE(writeStore(original, path, false).ok());
  EXPECT_EQ(queryText(path, "SELECT group_concat(rows) FROM (SELECT rows FROM column_chunks WHERE "
                            "table_name = 'processes' AND column_name = 'pid' ORDER BY chunk)"),
            std::to_string(kColumnChunkRows) + ",1");
  std::vector<std::string> from_cache;
  auto loaded = readWithCacheReport(path, &from_cache);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(has(from_cache, "processes"));
  ASSERT_EQ(loaded->processes.size(), n);
  EXPECT_EQ(loaded->processes.pid[kColumnChunkRows - 1], int64_t(kColumnChunkRows - 1) * 3);
  EXPECT_EQ(loaded->processes.pid[kColumnChunkRows], int64_t(kColumnChunkRows) * 3);
}

class CacheInvalidation : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("small.gpuscope");
    ASSERT_TRUE(writeStore(makeSmallTrace(), path_, false).ok());
    ASSERT_EQ(queryInt(path_, "SELECT count(*) FROM column_chunks WHERE table_name = 'kernels'"),
              static_cast<int64_t>(columnsOf<model::KernelTable>().size()));
  }
  int64_t chunksOf(const std::string& table) {
    return queryInt(path_, "SELECT count(*) FROM column_chunks WHERE table_name = '" + table + "'");
  }
  ScratchDir dir_;
  std::string path_;
  std::vector<std::string> from_cache_;
};

TEST_F(CacheInvalidation, UpdateOfOneKernelRowIsWhatTheReaderReturns) {
  // makeSmallTrace's second kernel: relu, 2000..4000.
  std::string error;
  ASSERT_TRUE(execSql(path_, "UPDATE kernels SET \"end\" = 4242 WHERE rowid = 2", &error)) << error;
  EXPECT_EQ(chunksOf("kernels"), 0);
  EXPECT_GT(chunksOf("api_calls"), 0);  // other tables keep theirs
  auto loaded = readWithCacheReport(path_, &from_cache_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_FALSE(has(from_cache_, "kernels"));
  EXPECT_TRUE(has(from_cache_, "api_calls"));
  ASSERT_EQ(loaded->kernels.size(), 5u);
  EXPECT_EQ(loaded->kernels.end[1], 4242);
  EXPECT_EQ(loaded->kernels.end[0], 1500);
}

TEST_F(CacheInvalidation, InsertAndDeleteInvalidateToo) {
  ASSERT_TRUE(execSql(path_, "INSERT INTO memcpys(start, \"end\", pid, bytes) VALUES (20000, "
                             "20100, 100, 64)"));
  EXPECT_EQ(chunksOf("memcpys"), 0);
  ASSERT_TRUE(execSql(path_, "DELETE FROM nvtx WHERE text = (SELECT id FROM strings WHERE value "
                             "= 'checkpoint')"));
  EXPECT_EQ(chunksOf("nvtx"), 0);
  EXPECT_GT(chunksOf("kernels"), 0);
  auto loaded = readWithCacheReport(path_, &from_cache_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_EQ(loaded->memcpys.size(), 3u);
  EXPECT_EQ(loaded->memcpys.bytes[2], 64);
  ASSERT_EQ(loaded->nvtx.size(), 1u);
  EXPECT_EQ(loaded->str(loaded->nvtx.text[0]), "step 1");
  EXPECT_TRUE(has(from_cache_, "kernels"));
}

TEST_F(CacheInvalidation, DroppedTriggerMeansTheCacheIsNotTrusted) {
  ASSERT_TRUE(execSql(path_, "DROP TRIGGER kernels_cache_update; UPDATE kernels SET pid = 7"));
  EXPECT_GT(chunksOf("kernels"), 0);  // stale, and nothing deleted it
  auto loaded = readWithCacheReport(path_, &from_cache_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_FALSE(has(from_cache_, "kernels"));
  EXPECT_EQ(loaded->kernels.pid[4], 7);
}

TEST_F(CacheInvalidation, MissingChunkOrDisagreeingRowCountsFallBackToRows) {
  ASSERT_TRUE(execSql(path_, "DROP TRIGGER memcpys_cache_update; UPDATE memcpys SET bytes = 5; "
                             "CREATE TRIGGER memcpys_cache_update AFTER UPDATE ON memcpys BEGIN "
                             "SELECT 1; END"));
  // With the stale chunks complete, the reader cannot know: it reads them.
  auto stale = readWithCacheReport(path_, &from_cache_);
  ASSERT_TRUE(stale.ok()) << stale.status().message();
  EXPECT_EQ(stale->memcpys.bytes[0], 1 << 20);
  // One column's chunk gone: the set is incomplete, the rows are read.
  ASSERT_TRUE(execSql(path_, "DELETE FROM column_chunks WHERE table_name = 'memcpys' AND "
                             "column_name = 'bytes'"));
  auto loaded = readWithCacheReport(path_, &from_cache_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_FALSE(has(from_cache_, "memcpys"));
  EXPECT_EQ(loaded->memcpys.bytes[0], 5);
  // Row counts that disagree between columns: the rows again.
  ASSERT_TRUE(execSql(path_, "UPDATE column_chunks SET rows = rows - 1 WHERE table_name = "
                             "'kernels' AND column_name = 'start'"));
  loaded = readWithCacheReport(path_, &from_cache_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_FALSE(has(from_cache_, "kernels"));
  EXPECT_EQ(loaded->kernels.size(), 5u);
}

// Flips one byte in the middle of a chunk's blob, through the C API.
void flipBlobByte(const std::string& path, const std::string& table, const std::string& column) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT data FROM column_chunks WHERE table_name = ?1 AND "
                               "column_name = ?2 AND chunk = 0",
                               -1, &s, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(s, 1, table.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, column.c_str(), -1, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  std::string blob(static_cast<const char*>(sqlite3_column_blob(s, 0)),
                   static_cast<size_t>(sqlite3_column_bytes(s, 0)));
  sqlite3_finalize(s);
  ASSERT_GT(blob.size(), 16u);
  blob[blob.size() / 2] = static_cast<char>(blob[blob.size() / 2] ^ 0x5a);
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "UPDATE column_chunks SET data = ?3 WHERE table_name = ?1 AND "
                               "column_name = ?2 AND chunk = 0",
                               -1, &s, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(s, 1, table.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, column.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob(s, 3, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(s), SQLITE_DONE);
  sqlite3_finalize(s);
  sqlite3_close(db);
}

class DamagedCache : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("sorted.gpuscope");
    ASSERT_TRUE(writeStore(makeSortedKernels(3000), path_, false).ok());
  }
  void expectChunkError(const std::string& table, const std::string& column,
                        const std::string& detail) {
    auto r = readStore(path_);
    ASSERT_FALSE(r.ok());
    const std::string& m = r.status().message();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput) << m;
    EXPECT_TRUE(contains(m, path_ + ": table " + table + ": column '" + column + "'")) << m;
    EXPECT_TRUE(contains(m, "column_chunks chunk 0")) << m;
    EXPECT_TRUE(contains(m, detail)) << m;
    // The same through the format registry, as every command reads it.
    auto loaded = importers::loadTrace(path_, {.quiet = true});
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidInput);
    EXPECT_EQ(loaded.status().message(), m);
  }
  ScratchDir dir_;
  std::string path_;
};

TEST_F(DamagedCache, JunkBlobNamesFileTableColumnAndChunk) {
  ASSERT_TRUE(execSql(path_, "UPDATE column_chunks SET data = X'00112233445566778899' WHERE "
                             "table_name = 'kernels' AND column_name = 'end'"));
  expectChunkError("kernels", "end", "not a zstd frame");
}

TEST_F(DamagedCache, OneFlippedByteIsCaught) {
  flipBlobByte(path_, "kernels", "start");
  expectChunkError("kernels", "start", "zstd: ");
}

TEST_F(DamagedCache, RowCountThatDisagreesWithTheBlob) {
  // Every column says one row fewer: consistent counts, wrong blobs.
  ASSERT_TRUE(execSql(path_, "UPDATE column_chunks SET rows = rows - 1 WHERE table_name = "
                             "'kernels'"));
  expectChunkError("kernels", "start", "expected 23992 (2999 values of 8 bytes)");
}

TEST_F(DamagedCache, UnknownCodec) {
  ASSERT_TRUE(execSql(path_, "UPDATE column_chunks SET codec = 'lz4' WHERE table_name = "
                             "'kernels' AND column_name = 'grid_x'"));
  expectChunkError("kernels", "grid_x", "unknown codec 'lz4'");
}

TEST_F(DamagedCache, ImpossibleRowCount) {
  ASSERT_TRUE(execSql(path_, "UPDATE column_chunks SET rows = -1 WHERE table_name = 'api_calls'"));
  auto r = readStore(path_);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.status().message(), path_ + ": table api_calls: column '"))
      << r.status().message();
  EXPECT_TRUE(contains(r.status().message(), "rows must be an integer")) << r.status().message();
}

TEST_F(DamagedCache, StringIdOutsideStringsIsRejected) {
  // grid_x's blob (values 1..64, 4 bytes each like a string id) as the name
  // column: from row 4 on, ids beyond the 4 strings.
  ASSERT_TRUE(execSql(path_, "UPDATE column_chunks SET (codec, data) = (SELECT codec, data FROM "
                             "column_chunks WHERE table_name = 'kernels' AND column_name = "
                             "'grid_x' AND chunk = 0) WHERE table_name = 'kernels' AND "
                             "column_name = 'name'"));
  expectChunkError("kernels", "name", "row 4 of the chunk: string id 4 is not in strings (4 strings)");
}

TEST(ColumnCache, VersionOneStoreWithoutCacheStillReads) {
  ScratchDir dir;
  const model::Trace original = makeFullTrace(23);
  const std::string path = dir.file("v1.gpuscope");
  ASSERT_TRUE(writeStore(original, path, false).ok());
  // What the version-1 writer left: the row tables, no cache, no triggers.
  std::string drop;
  original.forEachTable([&](const auto& t) {
    for (const char* event : {"insert", "update", "delete"}) {
      drop += std::string("DROP TRIGGER ") + t.kSqlName + "_cache_" + event + "; ";
    }
  });
  std::string error;
  ASSERT_TRUE(execSql(path,
                      drop + "DROP TABLE column_chunks; UPDATE meta SET value = '1' WHERE key = "
                             "'schema_version'; VACUUM",
                      &error))
      << error;
  ASSERT_EQ(queryInt(path, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"), 0);
  std::vector<std::string> from_cache;
  auto loaded = readWithCacheReport(path, &from_cache);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(from_cache.empty());
  EXPECT_EQ(loaded->meta.at("schema_version"), "1");
  expectTracesEqual(original, *loaded);
}

class SelectiveLoading : public ::testing::TestWithParam<bool> {};

TEST_P(SelectiveLoading, ReadsOnlyTheTablesAskedFor) {
  const bool with_cache = GetParam();
  ScratchDir dir;
  const model::Trace original = makeFullTrace(11);
  const std::string path = dir.file("full.gpuscope");
  ASSERT_TRUE(writeStore(original, path, false).ok());
  if (!with_cache) {
    ASSERT_TRUE(execSql(path, "DELETE FROM column_chunks"));
  }
  std::vector<std::string> from_cache;
  auto loaded = readWithCacheReport(path, &from_cache, {"kernels", "nvtx"});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  loaded->forEachTable([&](const auto& t) {
    const std::string name = t.kSqlName;
    EXPECT_EQ(t.size(), name == "kernels" || name == "nvtx" ? 11u : 0u) << name;
  });
  const std::vector<std::string> expected_from_cache =
      with_cache ? std::vector<std::string>{"kernels", "nvtx"} : std::vector<std::string>{};
  EXPECT_EQ(from_cache, expected_from_cache);
  EXPECT_EQ(loaded->kernels.name, original.kernels.name);
  EXPECT_EQ(loaded->nvtx.start, original.nvtx.start);
  // Strings, meta and diagnostics always come along.
  EXPECT_EQ(loaded->strings.size(), original.strings.size());
  EXPECT_EQ(loaded->meta.at("custom_key"), original.meta.at("custom_key"));
  EXPECT_EQ(loaded->diagnostics.all().size(), original.diagnostics.all().size());

  // loadTrace passes the list through; other tables stay empty.
  auto via_registry = importers::loadTrace(path, {.quiet = true, .tables = {"api_calls"}});
  ASSERT_TRUE(via_registry.ok()) << via_registry.status().message();
  EXPECT_EQ(via_registry->api_calls.size(), 11u);
  EXPECT_EQ(via_registry->kernels.size(), 0u);

  auto unknown = readWithCacheReport(path, &from_cache, {"kernel"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), path + ": no table 'kernel' in a gpuscope store");
}

INSTANTIATE_TEST_SUITE_P(CacheOrRows, SelectiveLoading, ::testing::Bool());

}  // namespace
}  // namespace gpuscope::store
