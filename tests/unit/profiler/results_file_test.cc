#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "profiler/driver.h"
#include "profiler/results_file.h"

namespace gpuscope::profiler {
namespace {

const char* kFile =
    "gpuscope-kernels\t1\n"
    "process\t809\tsaxpy\n"
    "device\t809\t0\tNVIDIA H100 80GB HBM3\tGH100\t9\t0\t132\t2048\t32\t65536\t65536\t233472\t232448\t1024\t32\t52428800\n"
    "kernel\t0\t809\t0\t1\t7\t65536\t1\t1\t256\t1\t1\t0\t0\t0\t16\t0\t0\t0\t1024\t8\t10\t_Z5saxpyifPKfPf\tsaxpy(int, float, float const*, float*)\n"
    "metric\t0\tgpu__time_duration.sum\t71520\n"
    "metric\t0\tgpc__cycles_elapsed.avg.per_second\t1582966330.2\n"
    "kernel\t1\t809\t0\t1\t7\t1\t2\t3\t4\t5\t6\t2\t1\t1\t40\t100\t200\t8\t1024\t-1\t10\tk\\tab\tname\\\\with\\nescapes\n"
    "warning\tcache control: no buffer\n";

TEST(ResultsFile, ParsesAllRecords) {
  ProfileRun run;
  ASSERT_TRUE(parseResults(kFile, "r.tsv", run).ok());
  ASSERT_EQ(run.devices.size(), 1u);
  const DeviceInfo& d = run.devices[0];
  EXPECT_EQ(d.pid, 809);
  EXPECT_EQ(d.name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(d.chip, "GH100");
  EXPECT_EQ(d.sm_count, 132);
  EXPECT_EQ(d.smem_per_sm, 233472);
  EXPECT_EQ(d.l2_bytes, 52428800);
  ASSERT_EQ(run.kernels.size(), 2u);
  const KernelRecord& k = run.kernels[0];
  EXPECT_EQ(k.id, 0);
  EXPECT_EQ(k.process, "saxpy");
  EXPECT_EQ(k.context, 1u);
  EXPECT_EQ(k.stream, 7u);
  EXPECT_EQ(k.grid[0], 65536);
  EXPECT_EQ(k.block[0], 256);
  EXPECT_EQ(k.registers, 16);
  EXPECT_EQ(k.stack_size, 1024);
  EXPECT_EQ(k.driver_max_blocks, 8);
  EXPECT_EQ(k.passes, 10);
  ASSERT_EQ(k.counters.size(), 2u);
  EXPECT_DOUBLE_EQ(*k.counter("gpc__cycles_elapsed.avg.per_second"), 1582966330.2);
  const KernelRecord& k2 = run.kernels[1];
  EXPECT_EQ(k2.id, 1);
  EXPECT_EQ(k2.grid[2], 3);
  EXPECT_EQ(k2.block[2], 6);
  EXPECT_EQ(k2.cluster[0], 2);
  EXPECT_EQ(k2.smem_static, 100);
  EXPECT_EQ(k2.smem_dynamic, 200);
  EXPECT_EQ(k2.driver_max_blocks, -1);
  EXPECT_EQ(k2.mangled, "k\tab");
  EXPECT_EQ(k2.name, "name\\with\nescapes");
  EXPECT_TRUE(k2.counters.empty());
  EXPECT_EQ(run.warnings, (std::vector<std::string>{"cache control: no buffer"}));
}

TEST(ResultsFile, EscapeRoundTrips) {
  const std::string odd = "a\tb\\c\nd";
  std::string text = "gpuscope-kernels\t1\nwarning\t" + escapeField(odd) + "\n";
  ProfileRun run;
  ASSERT_TRUE(parseResults(text, "x", run).ok());
  EXPECT_EQ(run.warnings.at(0), odd);
}

TEST(ResultsFile, ErrorsNameFileAndLine) {
  struct Case {
    std::string text;
    std::string expected;
  } cases[] = {
      {"nope\n", "r.tsv:1:"},
      {"gpuscope-kernels\t2\n", "version 2"},
      {"gpuscope-kernels\t1\nkernel\t0\t1\n", "r.tsv:2: expected 24 fields"},
      {"gpuscope-kernels\t1\nmetric\t5\tx\t1\n", "r.tsv:2: metric for unknown kernel 5"},
      {"gpuscope-kernels\t1\n\nmetric\t0\tx\tabc\n", "r.tsv:3:"},
      {"gpuscope-kernels\t1\nbogus\n", "unknown record 'bogus'"},
  };
  for (const Case& c : cases) {
    ProfileRun run;
    Status s = parseResults(c.text, "r.tsv", run);
    EXPECT_EQ(s.code(), StatusCode::kInvalidInput) << c.text;
    EXPECT_NE(s.message().find(c.expected), std::string::npos) << s.message();
  }
}

// The kernel line holds the compiled register count; the record holds what
// ncu reports (run 2 on the H200: saxpy compiled with 10 -> 16, a torch
// kernel with 18 -> 18).
TEST(ResultsFile, KernelRegistersAreTheAllocatedCount) {
  const char* text =
      "gpuscope-kernels\t1\n"
      "kernel\t0\t1\t0\t1\t7\t65536\t1\t1\t256\t1\t1\t0\t0\t0\t10\t0\t0\t0\t1024\t8\t10\ts\tsaxpy\n"
      "kernel\t1\t1\t0\t1\t7\t4096\t1\t1\t128\t1\t1\t0\t0\t0\t18\t0\t0\t0\t1024\t16\t10\tv\tv\n";
  ProfileRun run;
  ASSERT_TRUE(parseResults(text, "r.tsv", run).ok());
  ASSERT_EQ(run.kernels.size(), 2u);
  EXPECT_EQ(run.kernels[0].registers, 16);
  EXPECT_EQ(run.kernels[1].registers, 18);
}

TEST(ResultsFile, IdsContinueAcrossFilesInNameOrder) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("gpuscope-results-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "0000000200.tsv") << "gpuscope-kernels\t1\nprocess\t200\tchild\n"
      "kernel\t0\t200\t0\t1\t7\t1\t1\t1\t32\t1\t1\t0\t0\t0\t8\t0\t0\t0\t1024\t-1\t1\tb\tb\n";
  std::ofstream(dir / "0000000100.tsv") << "gpuscope-kernels\t1\nprocess\t100\tparent\n"
      "kernel\t0\t100\t0\t1\t7\t1\t1\t1\t32\t1\t1\t0\t0\t0\t8\t0\t0\t0\t1024\t-1\t1\ta\ta\n";
  StatusOr<ProfileRun> run = collectResults(dir.string());
  fs::remove_all(dir);
  ASSERT_TRUE(run.ok()) << run.status().message();
  ASSERT_EQ(run->kernels.size(), 2u);
  EXPECT_EQ(run->kernels[0].name, "a");
  EXPECT_EQ(run->kernels[0].process, "parent");
  EXPECT_EQ(run->kernels[1].id, 1);
  EXPECT_EQ(run->kernels[1].process, "child");
}

TEST(ResultsFile, ReportedErrorsMapToExitCodes) {
  ProfileRun run;
  EXPECT_TRUE(checkRunErrors(run).ok());
  run.errors = {{"permission", "no permission to read GPU performance counters"}};
  EXPECT_EQ(checkRunErrors(run).exitCode(), 3);
  run.errors = {{"internal", "x"}, {"metric", "unsupported metric on GH100: foo__bar.sum"}};
  Status s = checkRunErrors(run);
  EXPECT_EQ(s.exitCode(), 2);
  EXPECT_NE(s.message().find("foo__bar.sum"), std::string::npos);
  run.errors = {{"environment", "MIG"}};
  EXPECT_EQ(checkRunErrors(run).exitCode(), 3);
  run.errors = {{"internal", "decode failed"}};
  EXPECT_EQ(checkRunErrors(run).exitCode(), 1);
}

// The activity record of a launch arrives after later kernels' lines; it
// still lands on its kernel.
TEST(ResultsFile, LateLaunchAttributeAppliesToItsKernel) {
  std::string text = std::string(kFile) + "launch\t0\tshared_mem_config_size\t32768\n";
  ProfileRun run;
  ASSERT_TRUE(parseResults(text, "r.tsv", run).ok());
  ASSERT_EQ(run.kernels.size(), 2u);
  EXPECT_EQ(run.kernels[0].smem_config_executed, 32768);
  EXPECT_EQ(run.kernels[1].smem_config_executed, -1);
  // A record for a kernel that was dropped is ignored.
  ProfileRun run2;
  EXPECT_TRUE(parseResults(std::string(kFile) + "launch\t7\tshared_mem_config_size\t1\n", "r.tsv", run2).ok());
  Status bad = parseResults(std::string(kFile) + "launch\t0\tcolor\t1\n", "r.tsv", run2);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("r.tsv:9"), std::string::npos) << bad.message();
}

}  // namespace
}  // namespace gpuscope::profiler
