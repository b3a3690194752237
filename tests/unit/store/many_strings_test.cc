// String tables large enough to be read by a second thread (more than 2^17
// strings) come back with the same ids, and their errors are still the
// first one in id order.
#include <gtest/gtest.h>

#include <string>

#include "store/store.h"
#include "unit/store/store_test_util.h"

namespace gpuscope::store {
namespace {

using testing::execSql;
using testing::ScratchDir;

constexpr int kStrings = 300000;

std::string writeManyStrings(const ScratchDir& dir) {
  model::Trace t;
  for (int i = 0; i < kStrings; ++i) {
    model::NvtxTable::Row r;
    r.start = i;
    r.end = i + 1;
    r.kind = 0;
    r.text = t.strings.intern("range number " + std::to_string(i) + (i % 3 == 0 ? std::string(40, 'x') : ""));
    r.domain = model::kEmptyString;
    t.nvtx.push(r);
  }
  std::string path = dir.file("many.gpuscope");
  EXPECT_TRUE(writeStore(t, path, false).ok());
  return path;
}

TEST(ManyStrings, IdsAndValuesComeBack) {
  ScratchDir dir;
  std::string path = writeManyStrings(dir);
  auto r = readStore(path);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->strings.size(), static_cast<size_t>(kStrings) + 1);  // + the empty string, id 0
  ASSERT_EQ(r->nvtx.size(), static_cast<size_t>(kStrings));
  for (int i = 0; i < kStrings; i += 7) {
    std::string want = "range number " + std::to_string(i) + (i % 3 == 0 ? std::string(40, 'x') : "");
    ASSERT_EQ(r->str(r->nvtx.text[static_cast<size_t>(i)]), want) << "row " << i;
  }
  model::StringId id = 0;
  ASSERT_TRUE(r->strings.find("range number 299999", &id));
  EXPECT_EQ(id, static_cast<model::StringId>(kStrings));
}

TEST(ManyStrings, FirstErrorInIdOrderIsReported) {
  ScratchDir dir;
  std::string path = writeManyStrings(dir);
  // A repeated value at id 250000 and a missing id after it: the repeat is
  // met first.
  ASSERT_TRUE(execSql(path, "UPDATE strings SET value = 'range number 7' WHERE id = 250000"));
  ASSERT_TRUE(execSql(path, "DELETE FROM strings WHERE id = 260000"));
  auto r = readStore(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), path + ": table strings: id 250000 repeats an earlier value");

  // With the repeat fixed, the gap is reported, though interning lags
  // behind the reading thread.
  ASSERT_TRUE(execSql(path, "UPDATE strings SET value = 'unique' WHERE id = 250000"));
  r = readStore(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            path + ": table strings: expected id 260000, found 260001 (ids must be 0, 1, 2, ...)");
}

}  // namespace
}  // namespace gpuscope::store
