// loadTrace picks the reader by content, never by extension (every file
// here has a misleading name), and rejects everything else with a one-line
// error naming the file and position.
#include "importers/registry.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>

#include "fixtures/kineto_fixture.h"
#include "fixtures/nsys_fixture.h"
#include "store/store.h"
#include "store_test_util.h"

namespace gpuscope::importers {
namespace {

using store::testing::execSql;
using store::testing::makeFullTrace;
using store::testing::queryInt;
using store::testing::readBytes;
using store::testing::ScratchDir;
using store::testing::writeBytes;

void writeGzip(const std::string& path, const std::string& data) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, data.data(), static_cast<unsigned>(data.size())),
            static_cast<int>(data.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

std::string errorOf(const std::string& path) {
  auto r = loadTrace(path, {.quiet = true});
  EXPECT_FALSE(r.ok()) << path;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput) << r.status().message();
  return r.status().message();
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(LoadTrace, GpuscopeStoreByContent) {
  ScratchDir dir;
  const std::string path = dir.file("looks_like.json");
  model::Trace original = makeFullTrace(40);
  ASSERT_TRUE(store::writeStore(original, path, false).ok());
  auto t = loadTrace(path);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->kernels.size(), 40u);
  EXPECT_EQ(t->eventCount(), original.eventCount());
  // The store keeps where the trace originally came from.
  EXPECT_EQ(t->meta.at(model::kMetaSourcePath), original.meta.at(model::kMetaSourcePath));
  EXPECT_EQ(t->meta.at(model::kMetaSourceFormat), "kineto_json");
  EXPECT_TRUE(std::is_sorted(t->kernels.start.begin(), t->kernels.start.end()));
  EXPECT_TRUE(std::is_sorted(t->api_calls.start.begin(), t->api_calls.start.end()));
}

TEST(LoadTrace, StoreWithoutSourcePathGetsIt) {
  ScratchDir dir;
  const std::string path = dir.file("a.gpuscope");
  model::Trace empty;
  ASSERT_TRUE(store::writeStore(empty, path, false).ok());
  auto t = loadTrace(path);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->meta.at(model::kMetaSourcePath), path);
}

TEST(LoadTrace, NsysExportByContent) {
  ScratchDir dir;
  const std::string path = dir.file("looks_like.gpuscope");
  ASSERT_TRUE(testing::writeNsysFixture(path, {}).ok());
  auto t = loadTrace(path);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->meta.at(model::kMetaSourceFormat), "nsys_sqlite");
  // Kernel rows with end >= start, counted by SQL over the source file.
  EXPECT_EQ(static_cast<int64_t>(t->kernels.size()),
            queryInt(path, "SELECT count(*) FROM CUPTI_ACTIVITY_KIND_KERNEL WHERE end >= start"));
}

TEST(LoadTrace, KinetoJsonPlainWithBomAndGzipped) {
  ScratchDir dir;
  const std::string json = testing::makeKinetoCoverageTrace();
  const std::string plain = dir.file("trace.sqlite");
  writeBytes(plain, "\xEF\xBB\xBF\n  " + json);
  auto a = loadTrace(plain);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->meta.at(model::kMetaSourceFormat), "kineto_json");
  EXPECT_GT(a->kernels.size(), 0u);

  const std::string gz = dir.file("trace.json");
  writeGzip(gz, json);
  auto b = loadTrace(gz);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->meta.at(model::kMetaSourceFormat), "kineto_json");
  EXPECT_EQ(b->kernels.size(), a->kernels.size());
  EXPECT_EQ(b->eventCount(), a->eventCount());
}

TEST(LoadTrace, EmptyAndBlankFiles) {
  ScratchDir dir;
  const std::string empty = dir.file("empty.json");
  writeBytes(empty, "");
  EXPECT_EQ(errorOf(empty),
            empty + ": empty file, expected a trace (nsys SQLite, Kineto JSON, .gpuscope)");
  const std::string blank = dir.file("blank.json");
  writeBytes(blank, " \n\t\n");
  EXPECT_EQ(errorOf(blank),
            blank + ": only whitespace, expected a trace (nsys SQLite, Kineto JSON, .gpuscope)");
}

TEST(LoadTrace, UnknownContentNamesBytePosition) {
  ScratchDir dir;
  const std::string text = dir.file("notes.json");
  writeBytes(text, "\n\nhello world, not a trace");
  const std::string msg = errorOf(text);
  EXPECT_TRUE(msg.starts_with(text + ": unrecognised format at byte 2 (expected ")) << msg;
  EXPECT_TRUE(contains(msg, "found \"hello world, not\"")) << msg;

  const std::string zip = dir.file("trace.zip");
  writeBytes(zip, std::string("PK\x03\x04\x14\x00", 6));
  EXPECT_TRUE(contains(errorOf(zip), "at byte 0")) << errorOf(zip);
}

TEST(LoadTrace, GzipHoldingSomethingElse) {
  ScratchDir dir;
  const std::string gz_text = dir.file("a.json.gz");
  writeGzip(gz_text, "just text");
  EXPECT_TRUE(contains(errorOf(gz_text), gz_text + ": unrecognised format at byte 0 of the "
                                                   "gzip-decompressed data"))
      << errorOf(gz_text);

  const std::string gz_sqlite = dir.file("b.json.gz");
  ASSERT_TRUE(store::writeStore(model::Trace(), dir.file("s.gpuscope"), false).ok());
  writeGzip(gz_sqlite, readBytes(dir.file("s.gpuscope")));
  EXPECT_TRUE(contains(errorOf(gz_sqlite), gz_sqlite + ": gzip holds sqlite data"))
      << errorOf(gz_sqlite);

  const std::string gz_empty = dir.file("c.json.gz");
  writeGzip(gz_empty, "");
  EXPECT_EQ(errorOf(gz_empty), gz_empty + ": empty after gzip decompression, expected Kineto JSON");

  const std::string gz_cut = dir.file("d.json.gz");
  writeGzip(gz_cut, testing::makeKinetoCoverageTrace());
  std::string bytes = readBytes(gz_cut);
  writeBytes(gz_cut, bytes.substr(0, bytes.size() / 2));
  EXPECT_TRUE(contains(errorOf(gz_cut), gz_cut)) << errorOf(gz_cut);
}

TEST(LoadTrace, SqliteThatIsNeitherStoreNorNsys) {
  ScratchDir dir;
  const std::string path = dir.file("other.gpuscope");
  ASSERT_TRUE(execSql(path, "CREATE TABLE things(x); INSERT INTO things VALUES (1)"));
  EXPECT_EQ(errorOf(path),
            path +
                ": SQLite database is neither a gpuscope store nor an nsys export (no "
                "StringIds / META_DATA_EXPORT / EXPORT_META_DATA / CUPTI_ACTIVITY_KIND_* "
                "tables)");
}

TEST(LoadTrace, TruncatedSqliteIsReportedAsDamaged) {
  ScratchDir dir;
  const std::string good = dir.file("good.gpuscope");
  ASSERT_TRUE(store::writeStore(makeFullTrace(2000), good, false).ok());
  const std::string data = readBytes(good);
  const std::string cut = dir.file("cut.gpuscope");
  writeBytes(cut, data.substr(0, data.size() / 2));
  const std::string msg = errorOf(cut);
  EXPECT_TRUE(msg.starts_with(cut + ": table ")) << msg;
}

TEST(LoadTrace, DirectoriesAndMissingPaths) {
  ScratchDir dir;
  EXPECT_TRUE(contains(errorOf(dir.path()), "is a directory")) << errorOf(dir.path());
  const std::string missing = dir.file("nope.json");
  EXPECT_TRUE(errorOf(missing).starts_with(missing + ": cannot open")) << errorOf(missing);
}

}  // namespace
}  // namespace gpuscope::importers
