// `gpuscope explore ...` as a user runs it: exit codes, the first stderr line,
// outputs written atomically. Skipped when the CLI binary was not built.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fixtures/engine_fixture.h"
#include "test_paths.h"

namespace gpuscope::explore {
namespace {

struct CliRun {
  int rc;
  std::string out, err;
};

std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

CliRun gpuscope(const std::string& args, const std::string& dir) {
  std::string cmd = std::string(GPUSCOPE_BINARY) + " " + args + " >" + dir + "/stdout 2>" + dir + "/stderr";
  int st = std::system(cmd.c_str());
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, slurp(dir + "/stdout"), slurp(dir + "/stderr")};
}

#define GS_REQUIRE_BINARY()                                                               \
  do {                                                                                    \
    if (!std::filesystem::exists(GPUSCOPE_BINARY)) GTEST_SKIP() << "SKIPPED: gpuscope not built"; \
  } while (0)

class ExploreCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir();
    testing::EngineFixtureSpec spec;
    spec.blocks = 6;
    counts_ = testing::engineFixtureCounts(spec);
    ASSERT_TRUE(testing::writeTextFile(dir_ + "/e.graph.json", testing::makeEngineGraphJson(spec)));
    ASSERT_TRUE(testing::writeTextFile(dir_ + "/e.profile.json", testing::makeEngineProfileJson(spec)));
  }
  std::string dir_;
  testing::EngineFixtureCounts counts_{};
};

TEST_F(ExploreCli, SummaryJsonAndCsv) {
  GS_REQUIRE_BINARY();
  CliRun r = gpuscope("explore summary " + dir_ + "/e.graph.json --format json --layers", dir_);
  ASSERT_EQ(r.rc, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["Layers"].size(), size_t(counts_.layers));
  bool found = false;
  for (const auto& row : j["Model"])
    if (row["key"] == "Layers") {
      found = true;
      EXPECT_EQ(row["value"], std::to_string(counts_.layers));
    }
  EXPECT_TRUE(found);
  r = gpuscope("explore layers " + dir_ + "/e.graph.json --format csv -o " + dir_ + "/l.csv", dir_);
  ASSERT_EQ(r.rc, 0) << r.err;
  std::string csv = slurp(dir_ + "/l.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), counts_.layers + 1);
  // The output exists now: without --force it is kept and the run fails.
  r = gpuscope("explore layers " + dir_ + "/e.graph.json --format csv -o " + dir_ + "/l.csv", dir_);
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(slurp(dir_ + "/l.csv"), csv);
}

TEST_F(ExploreCli, BadInputExitsTwoAndLeavesNoFile) {
  GS_REQUIRE_BINARY();
  ASSERT_TRUE(testing::writeTextFile(dir_ + "/bad.graph.json", "{\"Layers\": [1, 2"));
  CliRun r = gpuscope("explore graph " + dir_ + "/bad.graph.json -o " + dir_ + "/g.svg", dir_);
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(r.err.rfind("gpuscope: error: " + dir_ + "/bad.graph.json:byte ", 0), 0u) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/g.svg"));
  r = gpuscope("explore summary " + dir_ + "/missing.json", dir_);
  EXPECT_EQ(r.rc, 2);
  r = gpuscope("explore summary " + dir_ + "/e.profile.json", dir_);
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("looks like a --exportProfile file"), std::string::npos) << r.err;
  r = gpuscope("explore graph " + dir_ + "/e.graph.json -o " + dir_ + "/g.gif", dir_);
  EXPECT_EQ(r.rc, 2);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/g.gif"));
}

TEST_F(ExploreCli, GraphReportLintCompareTiming) {
  GS_REQUIRE_BINARY();
  CliRun r = gpuscope("explore graph " + dir_ + "/e.graph.json -o " + dir_ + "/g.svg --color precision -q", dir_);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(slurp(dir_ + "/g.svg").find("<svg"), std::string::npos);
  r = gpuscope("explore graph " + dir_ + "/e.graph.json -o " + dir_ + "/g.dot -q", dir_);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(slurp(dir_ + "/g.dot").rfind("digraph", 0), 0u);
  r = gpuscope("explore report " + dir_ + "/e.graph.json -o " + dir_ + "/card.html -q", dir_);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(slurp(dir_ + "/card.html").find("<svg"), std::string::npos);
  r = gpuscope("explore lint " + dir_ + "/e.graph.json --format json", dir_);
  ASSERT_EQ(r.rc, 0) << r.err;
  auto lint = nlohmann::json::parse(r.out);
  EXPECT_FALSE(lint.empty());
  r = gpuscope("explore compare " + dir_ + "/e.graph.json " + dir_ + "/e.graph.json --format json", dir_);
  ASSERT_EQ(r.rc, 0) << r.err;
  auto cmp = nlohmann::json::parse(r.out);
  EXPECT_EQ(cmp["Engines"].size(), 2u);
  ASSERT_TRUE(testing::writeTextFile(dir_ + "/t.json", testing::makeTimingJson(50, 0, 1)));
  r = gpuscope("explore timing " + dir_ + "/t.json --warmup-ms 10", dir_);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("=== Performance summary ==="), std::string::npos);
  EXPECT_NE(r.out.find("Throughput: "), std::string::npos);
}

TEST(ExploreCliShared, MobilenetSummaryHeadline) {
  GS_REQUIRE_SHARED_TRT();
  GS_REQUIRE_BINARY();
  std::string dir = test::scratchDir();
  CliRun r = gpuscope("explore summary " + test::trexInput("mobilenet.qat.onnx.engine.graph.json"), dir);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("Average time         0.470 ms"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Layers               72"), std::string::npos);
  EXPECT_NE(r.out.find("Weights              3.3 MB"), std::string::npos);
  EXPECT_NE(r.out.find("Activations          15.9 MB"), std::string::npos);
  EXPECT_NE(r.out.find("Throughput              2829.15 qps"), std::string::npos);
}

}  // namespace
}  // namespace gpuscope::explore
