#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <utility>

#include "profiler/driver.h"

namespace gpuscope::profiler {
namespace {

bool hasCudaDriver() {
  void* h = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (h) dlclose(h);
  return h != nullptr;
}

TEST(ProfilePlan, DefaultSectionsAndCounters) {
  KernelsOptions o;
  o.command = {"./prog"};
  StatusOr<ProfilePlan> plan = planProfile(o);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->spec.sections.size(), 3u);
  EXPECT_EQ(plan->spec.sections[0]->id, "SpeedOfLight");
  const auto& c = plan->counters;
  EXPECT_NE(std::find(c.begin(), c.end(), "gpu__time_duration.sum"), c.end());
  EXPECT_NE(std::find(c.begin(), c.end(), "sm__warps_active.avg.pct_of_peak_sustained_active"), c.end());
  // 10 SpeedOfLight counters + 2 achieved-occupancy counters; LaunchStats adds none.
  EXPECT_EQ(c.size(), 12u);
}

TEST(ProfilePlan, RepeatedSectionsCollapse) {
  KernelsOptions o;
  o.command = {"./prog"};
  o.sections = {"Occupancy", "occupancy"};
  StatusOr<ProfilePlan> plan = planProfile(o);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->spec.sections.size(), 1u);
}

TEST(InjectionEnvironment, ReplacesOldSettingsAndPassesFilters) {
  KernelsOptions o;
  o.command = {"./prog"};
  o.kernel_name_regex = "regex:gemm";
  o.launch_skip = 3;
  o.launch_count = 5;
  o.cache_control = "none";
  StatusOr<ProfilePlan> plan = planProfile(o);
  ASSERT_TRUE(plan.ok());
  std::string path = "PATH=/usr/bin", old = "CUDA_INJECTION64_PATH=/old.so", old_dir = "GPUSCOPE_PROFILER_DIR=/x";
  char* base[] = {path.data(), old.data(), old_dir.data(), nullptr};
  std::vector<std::string> env = injectionEnvironment(o, *plan, "/lib/inject.so", "/tmp/r", base);
  auto has = [&env](const std::string& e) { return std::find(env.begin(), env.end(), e) != env.end(); };
  EXPECT_TRUE(has("PATH=/usr/bin"));
  EXPECT_FALSE(has("CUDA_INJECTION64_PATH=/old.so"));
  EXPECT_FALSE(has("GPUSCOPE_PROFILER_DIR=/x"));
  EXPECT_TRUE(has("CUDA_INJECTION64_PATH=/lib/inject.so"));
  EXPECT_TRUE(has("GPUSCOPE_PROFILER_DIR=/tmp/r"));
  EXPECT_TRUE(has("GPUSCOPE_PROFILER_KERNEL_REGEX=gemm"));
  EXPECT_TRUE(has("GPUSCOPE_PROFILER_LAUNCH_SKIP=3"));
  EXPECT_TRUE(has("GPUSCOPE_PROFILER_LAUNCH_COUNT=5"));
  EXPECT_TRUE(has("GPUSCOPE_PROFILER_CACHE_CONTROL=none"));
  size_t metrics = std::count_if(env.begin(), env.end(),
                                 [](const std::string& e) { return e.starts_with("GPUSCOPE_PROFILER_METRICS="); });
  EXPECT_EQ(metrics, 1u);
}

TEST(InjectionEnvironment, SectionMetricsAreOptionalTheUsersAreNot) {
  KernelsOptions o;
  o.command = {"./prog"};
  o.sections = {"MemoryWorkloadAnalysis"};
  o.metrics = {"dram__bytes_read.sum", "sm__cycles_active.avg"};
  StatusOr<ProfilePlan> plan = planProfile(o);
  ASSERT_TRUE(plan.ok());
  std::vector<std::string> env = injectionEnvironment(o, *plan, "/lib/inject.so", "/tmp/r", nullptr);
  auto it = std::find_if(env.begin(), env.end(),
                         [](const std::string& e) { return e.starts_with("GPUSCOPE_PROFILER_METRICS="); });
  ASSERT_NE(it, env.end());
  const std::string list = "," + it->substr(std::string("GPUSCOPE_PROFILER_METRICS=").size()) + ",";
  // A section row's metric may be missing on a chip; the two named by --metrics may not (the first
  // is a section row too: named, it is required).
  EXPECT_NE(list.find(",?lts__t_sector_hit_rate.pct,"), std::string::npos) << list;
  EXPECT_NE(list.find(",?dram__bytes_write.sum,"), std::string::npos) << list;
  EXPECT_NE(list.find(",dram__bytes_read.sum,"), std::string::npos) << list;
  EXPECT_NE(list.find(",sm__cycles_active.avg,"), std::string::npos) << list;
  EXPECT_EQ(list.find("?dram__bytes_read.sum"), std::string::npos) << list;
}

TEST(InjectionEnvironment, TimingRunAsksForKernelReplayOverTheUsersSwitch) {
  KernelsOptions o;
  o.command = {"./prog"};
  StatusOr<ProfilePlan> plan = planProfile(o);
  ASSERT_TRUE(plan.ok());
  std::string ab = "GPUSCOPE_PROFILER_USER_REPLAY=1";
  char* base[] = {ab.data(), nullptr};
  auto count = [](const std::vector<std::string>& env, const std::string& prefix) {
    return std::count_if(env.begin(), env.end(), [&](const std::string& e) { return e.starts_with(prefix); });
  };
  // The main run passes the user's A/B value on untouched.
  std::vector<std::string> env = injectionEnvironment(o, *plan, "/lib/inject.so", "/tmp/r", base);
  EXPECT_EQ(count(env, "GPUSCOPE_PROFILER_USER_REPLAY="), 1);
  EXPECT_EQ(count(env, "GPUSCOPE_PROFILER_USER_REPLAY=1"), 1);
  // The timing run replaces it: exactly one value, 0.
  plan->kernel_replay = true;
  env = injectionEnvironment(o, *plan, "/lib/inject.so", "/tmp/r", base);
  EXPECT_EQ(count(env, "GPUSCOPE_PROFILER_USER_REPLAY="), 1);
  EXPECT_EQ(count(env, "GPUSCOPE_PROFILER_USER_REPLAY=0"), 1);
}

TEST(RunKernels, UnsupportedMetricIsExit2AndWritesNothing) {
  std::string out = (std::filesystem::temp_directory_path() / ("gpuscope-k-" + std::to_string(getpid()) + ".csv")).string();
  KernelsOptions o;
  o.command = {"true"};
  o.metrics = {"launch__not_a_metric"};
  o.output = out;
  Status s = runKernels(o);
  EXPECT_EQ(s.exitCode(), 2);
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(RunKernels, NoGpuIsExit3AndWritesNothing) {
  if (hasCudaDriver()) GTEST_SKIP() << "SKIPPED: a CUDA driver is present; the no-GPU path is not reachable";
  std::string out = (std::filesystem::temp_directory_path() / ("gpuscope-k3-" + std::to_string(getpid()) + ".csv")).string();
  KernelsOptions o;
  o.command = {"true"};
  o.output = out;
  Status s = runKernels(o);
  EXPECT_EQ(s.exitCode(), 3);
  EXPECT_NE(s.message().find("GPU"), std::string::npos);
  EXPECT_EQ(s.message().find('\n'), std::string::npos);  // one line
  EXPECT_FALSE(std::filesystem::exists(out));
}

// `gpuscope ARGS 2>&1` as a user runs it: exit status and output.
std::pair<int, std::string> runCli(const std::string& args) {
  std::string cmd = std::string(GPUSCOPE_BINARY) + " " + args + " 2>&1";
  std::FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, ""};
  std::string text;
  char buf[512];
  while (std::fgets(buf, sizeof(buf), p)) text += buf;
  int status = pclose(p);
  return {WEXITSTATUS(status), text};
}

// The CLI as a user runs it: `gpuscope kernels -- true` on a machine without
// a GPU exits 3 with one line on stderr.
TEST(KernelsCli, NoGpuExit3) {
  if (hasCudaDriver()) GTEST_SKIP() << "SKIPPED: a CUDA driver is present";
  if (!std::filesystem::exists(GPUSCOPE_BINARY)) GTEST_SKIP() << "SKIPPED: gpuscope binary not built";
  auto [rc, text] = runCli("kernels -- true");
  EXPECT_EQ(rc, 3);
  EXPECT_TRUE(text.starts_with("gpuscope: error: ")) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
}

// --set and --print-summary reach the checks from the command line (exit 2,
// one line, before any GPU is looked for).
TEST(KernelsCli, BadSetAndSummaryExit2) {
  if (!std::filesystem::exists(GPUSCOPE_BINARY)) GTEST_SKIP() << "SKIPPED: gpuscope binary not built";
  for (const char* args : {"kernels --set everything -- true", "kernels --print-summary per-gpu -- true",
                           "kernels --print-summary per-kernel --csv -- true"}) {
    auto [rc, text] = runCli(args);
    EXPECT_EQ(rc, 2) << args;
    EXPECT_TRUE(text.starts_with("gpuscope: error: --")) << text;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  }
}

}  // namespace
}  // namespace gpuscope::profiler
