// writeStore then readStore gives back the same trace, field by field:
// every table and column, null sentinels, int64 extremes, hostile strings
// with their ids, metadata and diagnostics.
#include <gtest/gtest.h>

#include <type_traits>

#include "base/version.h"
#include "store/store.h"
#include "store_test_util.h"

namespace gpuscope::store {
namespace {

using testing::expectTracesEqual;
using testing::makeFullTrace;
using testing::ScratchDir;

TEST(StoreRoundTrip, EveryTableAndColumnComesBackUnchanged) {
  ScratchDir dir;
  model::Trace original = makeFullTrace(37);
  const std::string path = dir.file("full.gpuscope");
  ASSERT_TRUE(writeStore(original, path, false).ok());

  auto loaded = readStore(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  expectTracesEqual(original, *loaded);

  auto expected_meta = original.meta;
  expected_meta["schema_version"] = std::to_string(kSchemaVersion);
  expected_meta["producer"] = std::string("gpuscope ") + kVersion;
  EXPECT_EQ(loaded->meta, expected_meta);
}

TEST(StoreRoundTrip, SentinelsAndExtremesAreDistinguished) {
  // The generic fill above cycles values; this pins the three that matter
  // on one row so a failure says which one broke.
  model::Trace t;
  model::KernelTable::Row k;
  k.start = std::numeric_limits<int64_t>::min() + 1;
  k.end = std::numeric_limits<int64_t>::max();
  k.graph_id = model::kNullI64;
  k.grid_x = std::numeric_limits<int32_t>::min() + 1;
  k.grid_y = model::kNullI32;
  k.grid_z = std::numeric_limits<int32_t>::max();
  k.name = t.strings.intern("</script>");
  t.kernels.push(k);
  ScratchDir dir;
  ASSERT_TRUE(writeStore(t, dir.file("s.gpuscope"), false).ok());
  auto loaded = readStore(dir.file("s.gpuscope"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_EQ(loaded->kernels.size(), 1u);
  auto r = loaded->kernels.row(0);
  EXPECT_EQ(r.start, std::numeric_limits<int64_t>::min() + 1);
  EXPECT_EQ(r.end, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(r.graph_id, model::kNullI64);
  EXPECT_EQ(r.grid_x, std::numeric_limits<int32_t>::min() + 1);
  EXPECT_EQ(r.grid_y, model::kNullI32);
  EXPECT_EQ(r.grid_z, std::numeric_limits<int32_t>::max());
  EXPECT_EQ(r.registers_per_thread, model::kNullI32);  // never set: default is unknown
  EXPECT_EQ(loaded->str(r.name), "</script>");
}

TEST(StoreRoundTrip, EmptyTrace) {
  ScratchDir dir;
  model::Trace empty;
  ASSERT_TRUE(writeStore(empty, dir.file("e.gpuscope"), false).ok());
  auto loaded = readStore(dir.file("e.gpuscope"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->eventCount(), 0u);
  EXPECT_EQ(loaded->strings.size(), 1u);
  EXPECT_TRUE(loaded->diagnostics.empty());
  expectTracesEqual(empty, *loaded);
}

TEST(StoreRoundTrip, BatchBoundariesKeepRowOrder) {
  // Row counts around the writer's multi-row batch sizes: every row must
  // land once and in order.
  for (size_t n : {1u, 63u, 64u, 65u, 129u, 1000u}) {
    model::Trace t;
    for (size_t i = 0; i < n; ++i) {
      model::ApiCallTable::Row r;
      r.start = static_cast<int64_t>(n - i);  // descending: order must survive as written
      r.end = r.start + 5;
      r.correlation_id = static_cast<int64_t>(i);
      t.api_calls.push(r);
    }
    ScratchDir dir;
    ASSERT_TRUE(writeStore(t, dir.file("b.gpuscope"), false).ok());
    auto loaded = readStore(dir.file("b.gpuscope"));
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    ASSERT_EQ(loaded->api_calls.size(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(loaded->api_calls.correlation_id[i], static_cast<int64_t>(i)) << "n=" << n;
      ASSERT_EQ(loaded->api_calls.start[i], static_cast<int64_t>(n - i)) << "n=" << n;
    }
  }
}

TEST(StoreRoundTrip, StoreOfAStoreIsTheSame) {
  ScratchDir dir;
  model::Trace original = makeFullTrace(9);
  ASSERT_TRUE(writeStore(original, dir.file("a.gpuscope"), false).ok());
  auto once = readStore(dir.file("a.gpuscope"));
  ASSERT_TRUE(once.ok());
  ASSERT_TRUE(writeStore(*once, dir.file("b.gpuscope"), false).ok());
  auto twice = readStore(dir.file("b.gpuscope"));
  ASSERT_TRUE(twice.ok());
  expectTracesEqual(*once, *twice);
  EXPECT_EQ(once->meta, twice->meta);
}

}  // namespace
}  // namespace gpuscope::store
