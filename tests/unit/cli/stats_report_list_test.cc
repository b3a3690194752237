// The report catalogue as the CLI shows it: `gpuscope stats --help-reports`
// lists every report of the registry (the five added in session 5 included)
// and a bad report argument is a one-line error with exit status 2.
#include <gtest/gtest.h>

#include <string>

#include "cli_runner.h"
#include "stats/registry.h"

namespace gpuscope::testing {
namespace {

TEST(StatsCli, HelpReportsListsEveryReport) {
  CliResult r = runGpuscope({"stats", "--help-reports"});
  EXPECT_EQ(r.exit_code, 0);
  const std::string shown = r.out + r.err;
  for (const char* line : {"cuda_gpu_sum[:base|mangled]", "cuda_api_gpu_sum[:base|mangled]",
                           "cuda_gpu_kern_gb_sum[:base|mangled]", "nvtx_pushpop_sum ", "nvtx_startend_sum ",
                           "(gpusum)", "(apigpusum)", "(nvtxppsum)", "(nvtxsesum)"}) {
    EXPECT_NE(shown.find(line), std::string::npos) << line << " missing from:\n" << shown;
  }
  for (const stats::ReportInfo& info : stats::reportCatalogue()) {
    EXPECT_NE(shown.find(std::string("  ") + info.name), std::string::npos) << info.name;
  }
}

TEST(StatsCli, UnknownArgumentIsOneLineExit2) {
  CliResult r = runGpuscope({"stats", "-r", "cuda_gpu_sum:bogus", examplePath("trace_completeness.gpuscope")});
  EXPECT_EQ(r.exit_code, 2);
  const std::string shown = r.out + r.err;
  EXPECT_NE(shown.find("-r: report cuda_gpu_sum does not take argument 'bogus' (expected base|mangled)"),
            std::string::npos)
      << shown;
  size_t lines = 0;
  for (char c : shown) lines += c == '\n';
  EXPECT_EQ(lines, 1u) << shown;
}

}  // namespace
}  // namespace gpuscope::testing
