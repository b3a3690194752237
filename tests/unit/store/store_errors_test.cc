// Failure behaviour of the store: refused overwrites, no partial or
// temporary file after any failure, and damaged or foreign files rejected
// with a message naming the file and the table, never a crash.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "store/store.h"
#include "store_test_util.h"

namespace gpuscope::store {
namespace {

using testing::execSql;
using testing::makeFullTrace;
using testing::readBytes;
using testing::ScratchDir;
using testing::writeBytes;

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(StoreWrite, RefusesToOverwriteWithoutForceAndLeavesOldFile) {
  ScratchDir dir;
  const std::string path = dir.file("out.gpuscope");
  writeBytes(path, "precious old content");
  Status s = writeStore(makeFullTrace(3), path, false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput);
  EXPECT_TRUE(contains(s.message(), path)) << s.message();
  EXPECT_EQ(readBytes(path), "precious old content");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.gpuscope"});

  ASSERT_TRUE(writeStore(makeFullTrace(3), path, true).ok());
  EXPECT_TRUE(readStore(path).ok());
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.gpuscope"});
}

TEST(StoreWrite, OutputInMissingDirectoryLeavesNothing) {
  ScratchDir dir;
  Status s = writeStore(makeFullTrace(3), dir.file("no/such/dir/out.gpuscope"), false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput);
  EXPECT_TRUE(contains(s.message(), "no/such/dir/out.gpuscope")) << s.message();
  EXPECT_TRUE(dir.entries().empty());
}

TEST(StoreWrite, OutputThatIsADirectoryIsRefused) {
  ScratchDir dir;
  std::filesystem::create_directory(dir.file("d"));
  Status s = writeStore(makeFullTrace(3), dir.file("d"), true);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(contains(s.message(), "directory")) << s.message();
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"d"});
}

TEST(StoreWrite, ReadOnlyDirectoryLeavesNothing) {
  ScratchDir dir;
  ASSERT_EQ(::chmod(dir.path().c_str(), 0555), 0);
  const std::string out = dir.file("out.gpuscope");
  // Root ignores directory permissions, so the write runs in a child that
  // drops to an unprivileged user first; the exit code carries the result.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
    Status s = writeStore(makeFullTrace(3), out, false);
    ::_exit(s.ok()                                                                ? 1
            : s.code() == StatusCode::kInvalidInput && contains(s.message(), out) ? 0
                                                                                  : 2);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ::chmod(dir.path().c_str(), 0755);
  ASSERT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 0) << "1: the write succeeded, 2: wrong error, 3: setuid failed";
  EXPECT_TRUE(dir.entries().empty());
}

// A write that fails halfway (a full disk, simulated with the file size
// limit, which applies to root too) removes the temporary file.
TEST(StoreWrite, FailureMidWriteLeavesNoFile) {
  ScratchDir dir;
  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 256 * 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  Status s = writeStore(makeFullTrace(20000), dir.file("big.gpuscope"), false);
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput);
  EXPECT_TRUE(contains(s.message(), dir.file("big.gpuscope"))) << s.message();
  EXPECT_TRUE(dir.entries().empty()) << dir.entries().front();
}

class StoreReadErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("good.gpuscope");
    ASSERT_TRUE(writeStore(makeFullTrace(500), path_, false).ok());
  }
  Status readError(const std::string& path) {
    auto r = readStore(path);
    EXPECT_FALSE(r.ok());
    return r.ok() ? OkStatus() : r.status();
  }
  ScratchDir dir_;
  std::string path_;
};

TEST_F(StoreReadErrors, NewerSchemaVersionIsRejected) {
  ASSERT_TRUE(execSql(path_, "UPDATE meta SET value='7' WHERE key='schema_version'"));
  Status s = readError(path_);
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput);
  EXPECT_EQ(s.message(),
            path_ + ": store schema version 7 is newer than this gpuscope supports (" +
                std::to_string(kSchemaVersion) + ")");
}

TEST_F(StoreReadErrors, GarbledSchemaVersionIsRejected) {
  ASSERT_TRUE(execSql(path_, "UPDATE meta SET value='1x' WHERE key='schema_version'"));
  Status s = readError(path_);
  EXPECT_TRUE(contains(s.message(), "schema_version '1x'")) << s.message();
}

TEST_F(StoreReadErrors, TruncatedFileIsInvalidInputNotACrash) {
  const std::string data = readBytes(path_);
  ASSERT_GT(data.size(), 100000u);
  for (size_t keep : {data.size() / 2, data.size() / 5, size_t{100}, size_t{16}}) {
    const std::string cut = dir_.file("cut.gpuscope");
    writeBytes(cut, data.substr(0, keep));
    Status s = readError(cut);
    EXPECT_EQ(s.code(), StatusCode::kInvalidInput) << keep;
    EXPECT_TRUE(contains(s.message(), cut)) << s.message();
    EXPECT_TRUE(contains(s.message(), "table ") || contains(s.message(), "not a gpuscope store"))
        << s.message();
  }
}

TEST_F(StoreReadErrors, OverwrittenPagesAreInvalidInput) {
  // Scribble over the middle of the file: pages of some row table become
  // junk. Without the column cache the reader reads those rows (a complete
  // cache is read instead of them; column_cache_test covers damaged chunks).
  ASSERT_TRUE(execSql(path_, "DELETE FROM column_chunks; VACUUM"));
  std::string data = readBytes(path_);
  for (size_t i = data.size() / 3; i < data.size() / 3 + 40000 && i < data.size(); ++i) {
    data[i] = static_cast<char>(i * 131);
  }
  const std::string bad = dir_.file("bad.gpuscope");
  writeBytes(bad, data);
  Status s = readError(bad);
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput);
  EXPECT_TRUE(contains(s.message(), bad + ": table ")) << s.message();
}

TEST_F(StoreReadErrors, MissingTableReadsAsEmpty) {
  ASSERT_TRUE(execSql(path_, "DROP TABLE memsets; DROP TABLE diagnostics"));
  auto r = readStore(path_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->memsets.size(), 0u);
  EXPECT_EQ(r->kernels.size(), 500u);
  EXPECT_TRUE(r->diagnostics.empty());
}

TEST_F(StoreReadErrors, MissingColumnNamesTableAndColumn) {
  ASSERT_TRUE(execSql(path_, "DROP VIEW kernels_named; ALTER TABLE kernels DROP COLUMN grid_y"));
  Status s = readError(path_);
  EXPECT_TRUE(contains(s.message(), path_ + ": table kernels: ")) << s.message();
  EXPECT_TRUE(contains(s.message(), "grid_y")) << s.message();
}

TEST_F(StoreReadErrors, StringIdOutOfRangeIsRejected) {
  ASSERT_TRUE(execSql(path_, "UPDATE kernels SET name = 999999 WHERE rowid = 3"));
  Status s = readError(path_);
  EXPECT_EQ(s.message(),
            path_ + ": table kernels: row 3: column 'name': invalid value integer '999999'");
}

TEST_F(StoreReadErrors, TextInIntegerColumnIsRejected) {
  ASSERT_TRUE(execSql(path_, "UPDATE api_calls SET start = 'soon' WHERE rowid = 1"));
  Status s = readError(path_);
  EXPECT_EQ(s.message(),
            path_ + ": table api_calls: row 1: column 'start': invalid value text 'soon'");
}

TEST_F(StoreReadErrors, Int32OverflowIsRejected) {
  ASSERT_TRUE(execSql(path_, "UPDATE kernels SET grid_x = 4294967296 WHERE rowid = 2"));
  Status s = readError(path_);
  EXPECT_TRUE(contains(s.message(), "table kernels: row 2: column 'grid_x'")) << s.message();
}

TEST_F(StoreReadErrors, DuplicateOrMissingStringIdsAreRejected) {
  ASSERT_TRUE(execSql(path_, "UPDATE strings SET value = 'name_0' WHERE value = 'name_1'"));
  Status s = readError(path_);
  EXPECT_TRUE(contains(s.message(), "table strings: id ")) << s.message();
  EXPECT_TRUE(contains(s.message(), "repeats")) << s.message();

  ASSERT_TRUE(execSql(path_, "DELETE FROM strings WHERE id = 4"));
  s = readError(path_);
  EXPECT_TRUE(contains(s.message(), "table strings: expected id 4, found 5")) << s.message();
}

TEST_F(StoreReadErrors, ForeignSqliteAndOtherFilesAreNotStores) {
  const std::string other = dir_.file("other.sqlite");
  ASSERT_TRUE(execSql(other, "CREATE TABLE t(x); INSERT INTO t VALUES (1)"));
  Status s = readError(other);
  EXPECT_EQ(s.message(), other + ": not a gpuscope store (no meta table)");

  const std::string fake = dir_.file("fake.sqlite");
  ASSERT_TRUE(execSql(fake,
                      "CREATE TABLE meta(key, value); "
                      "INSERT INTO meta VALUES ('producer', 'someone else')"));
  s = readError(fake);
  EXPECT_TRUE(contains(s.message(), fake + ": table meta: not a gpuscope store")) << s.message();

  const std::string text = dir_.file("notes.txt");
  writeBytes(text, "hello");
  s = readError(text);
  EXPECT_EQ(s.message(), text + ": not a gpuscope store (not an SQLite database)");

  s = readError(dir_.path());
  EXPECT_TRUE(contains(s.message(), "directory")) << s.message();
  s = readError(dir_.file("missing.gpuscope"));
  EXPECT_TRUE(contains(s.message(), dir_.file("missing.gpuscope"))) << s.message();
}

}  // namespace
}  // namespace gpuscope::store
