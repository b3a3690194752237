// The report catalogue as the CLI shows it: `gpuscope stats --help-reports`
// lists every report of the registry (the new ones included) and a bad
// report argument is a one-line error with exit status 2. Runs the built
// binary; unit_stats_tests does not depend on it, so the test skips when it
// has not been built.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "stats/registry.h"

namespace gpuscope::stats {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CliRun runShell(const std::string& command) {
  CliRun r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class StatsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(GPUSCOPE_BINARY)) {
      GTEST_SKIP() << "SKIPPED: " << GPUSCOPE_BINARY << " not built (build the gpuscope target)";
    }
  }
  static std::string binary() { return std::string("'") + GPUSCOPE_BINARY + "'"; }
};

TEST_F(StatsCli, HelpReportsListsEveryReport) {
  CliRun r = runShell(binary() + " stats --help-reports");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* line : {"cuda_gpu_sum[:base|mangled]", "cuda_api_gpu_sum[:base|mangled]",
                           "cuda_gpu_kern_gb_sum[:base|mangled]", "nvtx_pushpop_sum ", "nvtx_startend_sum ",
                           "(gpusum)", "(apigpusum)", "(nvtxppsum)", "(nvtxsesum)"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << " missing from:\n" << r.output;
  }
  for (const ReportInfo& info : reportCatalogue()) {
    EXPECT_NE(r.output.find(std::string("  ") + info.name), std::string::npos) << info.name;
  }
}

TEST_F(StatsCli, UnknownArgumentIsOneLineExit2) {
  std::string trace = std::string(GPUSCOPE_SOURCE_DIR) + "/examples/trace_completeness.gpuscope";
  CliRun r = runShell(binary() + " stats -r cuda_gpu_sum:bogus '" + trace + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("-r: report cuda_gpu_sum does not take argument 'bogus' (expected base|mangled)"),
            std::string::npos)
      << r.output;
  size_t lines = 0;
  for (char c : r.output) lines += c == '\n';
  EXPECT_EQ(lines, 1u) << r.output;
}

}  // namespace
}  // namespace gpuscope::stats
