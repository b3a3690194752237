// Outputs are all-or-nothing: existing files are never overwritten without
// --force, a failed write (a full disk) leaves nothing behind.
#include <gtest/gtest.h>

#include <string>

#include "cli_runner.h"

namespace gpuscope::testing {
namespace {

const char* kExample = "bert_small_fp16.pt.trace.json.gz";

TEST(OutputsTest, RefusesToOverwriteWithoutForce) {
  TempDir d;
  writeAll(d.file("keep.gpuscope"), "precious results");
  CliResult r = runGpuscope({"import", examplePath(kExample), "-o", d.file("keep.gpuscope")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_EQ(readAll(d.file("keep.gpuscope")), "precious results");
  EXPECT_EQ(d.list(), std::vector<std::string>{"keep.gpuscope"});

  r = runGpuscope({"import", "-q", "--force", examplePath(kExample), "-o", d.file("keep.gpuscope")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(readAll(d.file("keep.gpuscope")).rfind("SQLite format 3", 0), 0u);
}

TEST(OutputsTest, FullDiskLeavesNoPartialFile) {
  // A file-size limit makes writes fail (EFBIG) the way a full disk does (ENOSPC).
  TempDir d;
  CliResult r = runGpuscope({"import", examplePath(kExample), "-o", d.file("big.gpuscope")},
                            "ulimit -f 16;");  // 16 blocks of 512 bytes
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.rfind("gpuscope: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(d.file("big.gpuscope")), std::string::npos) << r.err;
  EXPECT_TRUE(d.list().empty()) << d.list().front();

  r = runGpuscope({"export", "--type", "chrome", examplePath(kExample), "-o", d.file("t.json")},
                  "ulimit -f 16;");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(d.list().empty()) << d.list().front();
}

TEST(OutputsTest, OutputInMissingDirectoryIsBadInput) {
  TempDir d;
  CliResult r = runGpuscope({"import", examplePath(kExample), "-o", d.file("no/such/dir/x.gpuscope")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no/such/dir"), std::string::npos) << r.err;
}

TEST(CliTest, VersionHelpAndUsageErrors) {
  CliResult r = runGpuscope({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("gpuscope ", 0), 0u) << r.out;
  for (const char* cmd : {"import", "stats", "export", "explore"}) {
    r = runGpuscope({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd << r.out;
  }
  EXPECT_EQ(runGpuscope({}).exit_code, 2);
  EXPECT_EQ(runGpuscope({"no-such-command"}).exit_code, 2);
  EXPECT_EQ(runGpuscope({"import"}).exit_code, 2);
  EXPECT_EQ(runGpuscope({"stats", "--no-such-flag", examplePath(kExample)}).exit_code, 2);
}

TEST(CliTest, ImportedStoreReadsBackLikeTheSource) {
  // Every trace-reading command takes the source directly or its store: same report.
  TempDir d;
  ASSERT_EQ(runGpuscope({"import", "-q", examplePath(kExample), "-o", d.file("t.gpuscope")}).exit_code, 0);
  CliResult direct = runGpuscope({"stats", "--format", "csv", "-r", "cuda_gpu_kern_sum,cuda_api_sum",
                                  examplePath(kExample)});
  CliResult stored = runGpuscope({"stats", "--format", "csv", "-r", "cuda_gpu_kern_sum,cuda_api_sum",
                                  d.file("t.gpuscope")});
  EXPECT_EQ(direct.exit_code, 0) << direct.err;
  EXPECT_EQ(stored.exit_code, 0) << stored.err;
  EXPECT_FALSE(direct.out.empty());
  EXPECT_EQ(direct.out, stored.out);
}

}  // namespace
}  // namespace gpuscope::testing
