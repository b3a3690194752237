// Bad input: every case is InvalidInput naming the file, never a crash.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "fixtures/nsys_fixture.h"
#include "importers/nsys_sqlite/reader.h"
#include "unit/nsys/test_paths.h"

namespace gpuscope::testing {
namespace {

void expectInvalid(const std::string& path, const std::string& fragment = "") {
  auto r = importers::readNsysSqlite(path);
  ASSERT_FALSE(r.ok()) << path;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(r.status().message().find(path), std::string::npos) << r.status().message();
  if (!fragment.empty()) {
    EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().message();
  }
}

void truncateCopy(const std::string& from, const std::string& to, double fraction) {
  std::ifstream in(from, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() * fraction));
}

TEST(NsysMalformed, TruncatedGeneratedExport) {
  TempFile full("full.sqlite"), cut("cut.sqlite");
  NsysFixtureOptions o;
  o.kernels = 400;  // several pages per table, so a cut lands inside the data
  ASSERT_TRUE(writeNsysFixture(full.path(), o).ok());
  truncateCopy(full.path(), cut.path(), 0.5);
  expectInvalid(cut.path());
}

// Damage inside a table's pages (the schema intact): the error names the
// table and the row where reading stopped.
TEST(NsysMalformed, CorruptPagesNameTableAndRow) {
  TempFile full("whole.sqlite"), bad("damaged.sqlite");
  NsysFixtureOptions o;
  o.kernels = 400;
  ASSERT_TRUE(writeNsysFixture(full.path(), o).ok());
  std::ifstream in(full.path(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 8192 && i < bytes.size(); ++i) bytes[i] = 0x5A;
  std::ofstream(bad.path(), std::ios::binary) << bytes;
  auto r = importers::readNsysSqlite(bad.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput);
  const std::string& m = r.status().message();
  EXPECT_EQ(m.rfind(bad.path() + ": ", 0), 0u) << m;
  EXPECT_NE(m.find(" at row "), std::string::npos) << m;
  EXPECT_NE(m.find("malformed"), std::string::npos) << m;
}

TEST(NsysMalformed, TruncatedRealExport) {
  std::string f = std::string(GPUSCOPE_SHARED_DATA) +
                  "/nsys/RajaATAli_SC23-OpenMP-Tutorial/report3.sqlite";
  if (!std::filesystem::exists(f)) GTEST_SKIP() << f << " absent";
  TempFile cut("real_cut.sqlite");
  truncateCopy(f, cut.path(), 0.6);
  expectInvalid(cut.path());
}

TEST(NsysMalformed, RandomBytesWithSqliteHeader) {
  TempFile f("random.sqlite");
  std::string bytes = std::string("SQLite format 3", 15) + '\0';
  uint64_t x = 88172645463325252ull;
  while (bytes.size() < 8192) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    bytes += static_cast<char>(x & 0xFF);
  }
  std::ofstream(f.path(), std::ios::binary) << bytes;
  expectInvalid(f.path());
}

TEST(NsysMalformed, SqliteWithoutNsysTables) {
  TempFile f("other.sqlite");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(f.path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  expectInvalid(f.path(), "not an nsys");
  ASSERT_EQ(sqlite3_open(f.path().c_str(), &db), SQLITE_OK);
  EXPECT_FALSE(importers::isNsysSqlite(db));
  sqlite3_close(db);
}

TEST(NsysMalformed, MissingFileAndDirectory) {
  expectInvalid(::testing::TempDir() + "gpuscope_nsys_no_such_file.sqlite");
  expectInvalid(::testing::TempDir());
}

TEST(NsysMalformed, EventTableWithoutStartColumn) {
  TempFile f("nostart.sqlite");
  NsysFixtureOptions o;
  o.processes = 1;
  ASSERT_TRUE(writeNsysFixture(f.path(), o).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(f.path().c_str(), &db), SQLITE_OK);
  EXPECT_TRUE(importers::isNsysSqlite(db));
  ASSERT_EQ(sqlite3_exec(db, "ALTER TABLE CUPTI_ACTIVITY_KIND_MEMSET RENAME COLUMN start TO begin",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  expectInvalid(f.path(), "CUPTI_ACTIVITY_KIND_MEMSET: missing column 'start'");
}

}  // namespace
}  // namespace gpuscope::testing
