#include "engine/runtime/timing_cache.h"

#include <gtest/gtest.h>

#include <fstream>

#include "base/file.h"
#include "engine/passes/infer_shapes.h"
#include "runtime_test_util.h"

namespace gpuscope::engine {
namespace {

void writeText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

TEST(TimingCache, FileRoundTripKeepsEveryEntry) {
  TimingCache c;
  c.put("gpuscope.Conv|a=i:1;|in:fp16[1x8x4x4],|sm_90", {0x1234abcd5678ef01ULL, 0.0125});
  c.put("sig with\ttab and\nnewline and \\ backslash", {7, 3.5});
  std::string path = testutil::tempPath("cache_roundtrip.txt");
  ASSERT_TRUE(c.save(path).ok());
  std::string warning;
  TimingCache back = TimingCache::load(path, &warning);
  EXPECT_EQ(warning, "");
  ASSERT_EQ(back.size(), 2u);
  auto a = back.find("gpuscope.Conv|a=i:1;|in:fp16[1x8x4x4],|sm_90");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->tactic, 0x1234abcd5678ef01ULL);
  EXPECT_DOUBLE_EQ(a->ms, 0.0125);
  auto b = back.find("sig with\ttab and\nnewline and \\ backslash");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->tactic, 7u);
  // Version header on the first line, one line per entry.
  auto text = readFile(path);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->rfind("gpuscope-timing-cache 1\n", 0), 0u);
  EXPECT_EQ(std::count(text->begin(), text->end(), '\n'), 3);
}

TEST(TimingCache, MissingFileIsAnEmptyCacheWithoutWarning) {
  std::string warning;
  TimingCache c = TimingCache::load(testutil::tempPath("does_not_exist.txt"), &warning);
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(warning, "");
}

TEST(TimingCache, CorruptFilesAreIgnoredWithAWarning) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"not a cache\n", "line 1: expected header"},
      {"gpuscope-timing-cache 2\n", "line 1: expected header"},
      {"gpuscope-timing-cache 1\n00000000000000ff\t0.5\n", "line 2: expected 3 tab-separated fields"},
      {"gpuscope-timing-cache 1\nzz000000000000ff\t0.5\tsig\n", "line 2: tactic"},
      {"gpuscope-timing-cache 1\n00000000000000ff\tfast\tsig\n", "line 2: time 'fast'"},
      {"gpuscope-timing-cache 1\n00000000000000ff\t0.5\tbad\\q\n", "line 2: bad signature escape"},
      {"gpuscope-timing-cache 1\n00000000000000ff\t0.5\tsig", "line 2 is truncated"},
      {"", "empty file"},
  };
  std::string path = testutil::tempPath("cache_corrupt.txt");
  for (const Case& c : cases) {
    writeText(path, c.text);
    std::string warning;
    TimingCache cache = TimingCache::load(path, &warning);
    EXPECT_EQ(cache.size(), 0u) << c.text;
    EXPECT_NE(warning.find(c.expect), std::string::npos) << "text: " << c.text << "\nwarning: " << warning;
    EXPECT_NE(warning.find(path), std::string::npos) << warning;
  }
}

TEST(TimingCache, SignatureSeparatesShapesAttributesAndGpus) {
  Graph g = testutil::makeMlpGraph();
  ASSERT_TRUE(inferShapes(g).ok());
  NodeId mm = g.values[size_t(g.findValue("/fc/MatMul_output_0"))].producer;
  std::string base = layerSignature(g, mm, 9, 0);
  EXPECT_EQ(base, layerSignature(g, mm, 9, 0));
  EXPECT_NE(base, layerSignature(g, mm, 8, 0));
  EXPECT_NE(base.find("MatMul|"), std::string::npos);
  EXPECT_NE(base.find("fp32[2x4]"), std::string::npos);
  EXPECT_NE(base.find("fp32[4x6]=const"), std::string::npos);
  EXPECT_NE(base.find("sm_90"), std::string::npos);
  Graph g2 = g;
  g2.values[size_t(g2.findValue("x"))].desc.shape = {8, 4};
  EXPECT_NE(base, layerSignature(g2, mm, 9, 0));
  Graph g3 = g;
  g3.nodes[size_t(mm)].attrs.set("alpha", 2.0f);
  EXPECT_NE(base, layerSignature(g3, mm, 9, 0));
}

}  // namespace
}  // namespace gpuscope::engine
