// `gpuscope trace` as a user runs it: usage errors exit 2, a missing
// injection library (no tracing environment) exits 3, nothing is written.
#include <gtest/gtest.h>
#include <unistd.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace {

struct CliRun {
  int code = -1;
  std::string err;
};

CliRun runCli(const std::string& args, const std::string& env = "") {
  std::string cmd = env + " " + GPUSCOPE_BINARY + " " + args + " 2>&1";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) r.err += buf;
  int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class TraceCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(GPUSCOPE_BINARY)) GTEST_SKIP() << "SKIPPED: gpuscope binary not built";
  }
  // Per process and test: ctest runs these tests in parallel, and each checks that no file appeared.
  std::string out = (std::filesystem::temp_directory_path() /
                     ("gs_trace_cli_" + std::to_string(::getpid()) + "_" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".gpuscope"))
                        .string();
};

TEST_F(TraceCliTest, UsageErrorsExit2) {
  CliRun r = runCli("trace -o " + out + " --trace cuda,osrt -- true");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("gpuscope: error: --trace: 'osrt'"), std::string::npos) << r.err;
  r = runCli("trace -o " + out + " --capture-range nvtx -- true");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("expected 'nvtx:NAME' or 'cudaProfilerApi', got 'nvtx'"), std::string::npos) << r.err;
  r = runCli("trace -o " + out + " --cuda-graph-trace nodes -- true");
  EXPECT_EQ(r.code, 2);
  r = runCli("trace -o " + out);
  EXPECT_EQ(r.code, 2);
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(TraceCliTest, MissingTracingEnvironmentExits3) {
  CliRun r = runCli("trace -o " + out + " -- true", "GPUSCOPE_INJECT_LIB=/nonexistent/libgpuscope_inject.so");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("gpuscope: error: injection library '/nonexistent/libgpuscope_inject.so' does not exist"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
