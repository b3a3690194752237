#include <gtest/gtest.h>

#include "profiler/options.h"

namespace gpuscope::profiler {
namespace {

KernelsOptions withCommand() {
  KernelsOptions o;
  o.command = {"./prog"};
  return o;
}

TEST(KernelsOptions, SplitListTrimsAndDropsEmptyItems) {
  EXPECT_EQ(splitList("a, b ,,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(splitList("").empty());
  EXPECT_TRUE(splitList(" , ").empty());
}

TEST(KernelsOptions, DefaultIsNcuBasicSections) {
  KernelsOptions o = withCommand();
  ASSERT_TRUE(validateOptions(o).ok());
  EXPECT_EQ(o.sections, (std::vector<std::string>{"SpeedOfLight", "LaunchStats", "Occupancy"}));
}

TEST(KernelsOptions, SetsExpandToNcusSectionsAndSectionAddsToThem) {
  KernelsOptions o = withCommand();
  o.set = "full";
  o.sections = {"occupancy", "Roofline,LaunchStats"};  // already in the set (any case): not repeated
  ASSERT_TRUE(validateOptions(o).ok());
  EXPECT_EQ(o.sections, (std::vector<std::string>{"SpeedOfLight", "LaunchStats", "Occupancy",
                                                  "ComputeWorkloadAnalysis", "MemoryWorkloadAnalysis",
                                                  "Roofline", "SchedulerStats", "WarpStateStats"}));
  o = withCommand();
  o.set = "basic";
  o.sections = {"WarpStateStats"};
  ASSERT_TRUE(validateOptions(o).ok());
  EXPECT_EQ(o.sections,
            (std::vector<std::string>{"SpeedOfLight", "LaunchStats", "Occupancy", "WarpStateStats"}));
  EXPECT_EQ(setSections("detailed").size(), 6u);
  EXPECT_TRUE(setSections("Full").empty());  // ncu's set names are lower case
}

TEST(KernelsOptions, PrintSummaryIsPerKernelOnTheConsole) {
  KernelsOptions o = withCommand();
  o.print_summary = "per-kernel";
  EXPECT_TRUE(validateOptions(o).ok());
  o.format = OutputFormat::kCsv;
  EXPECT_EQ(validateOptions(o).message(),
            "--print-summary per-kernel: console output only (--csv and --json list every launch)");
  o = withCommand();
  o.print_summary = "per-gpu";
  Status s = validateOptions(o);
  EXPECT_EQ(s.exitCode(), 2);
  EXPECT_NE(s.message().find("per-gpu"), std::string::npos);
}

TEST(KernelsOptions, UnknownSetIsBadInput) {
  KernelsOptions o = withCommand();
  o.set = "everything";
  Status s = validateOptions(o);
  EXPECT_EQ(s.exitCode(), 2);
  EXPECT_EQ(s.message(), "--set: unknown set 'everything' (known: basic, detailed, full)");
}

TEST(KernelsOptions, MetricsAloneMeanNoDefaultSections) {
  KernelsOptions o = withCommand();
  o.metrics = {"dram__bytes_read.sum,gpu__time_duration.sum"};
  ASSERT_TRUE(validateOptions(o).ok());
  EXPECT_TRUE(o.sections.empty());
  EXPECT_EQ(o.metrics.size(), 2u);
}

TEST(KernelsOptions, UnknownSectionIsBadInput) {
  KernelsOptions o = withCommand();
  o.sections = {"SpeedOfLight", "WarpStateStatz"};
  Status s = validateOptions(o);
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput);
  EXPECT_EQ(s.exitCode(), 2);
  EXPECT_NE(s.message().find("WarpStateStatz"), std::string::npos);
}

TEST(KernelsOptions, UnsupportedMetricsAreBadInput) {
  for (const char* bad : {"launch__grid_sizes", "derived__nothing", "DRAM bytes", "dram__bytes..sum",
                          "dram__bytes.sum.", "nounderscore.sum"}) {
    KernelsOptions o = withCommand();
    o.metrics = {bad};
    Status s = validateOptions(o);
    EXPECT_EQ(s.code(), StatusCode::kInvalidInput) << bad;
  }
  KernelsOptions ok = withCommand();
  ok.metrics = {"launch__grid_size", "sm__warps_active.avg.pct_of_peak_sustained_active"};
  EXPECT_TRUE(validateOptions(ok).ok());
}

TEST(KernelsOptions, FlagValuesAreChecked) {
  KernelsOptions o = withCommand();
  o.kernel_name_regex = "regex:gemm[";
  EXPECT_EQ(validateOptions(o).code(), StatusCode::kInvalidInput);
  o = withCommand();
  o.kernel_name_regex = "regex:^sgemm|saxpy";
  EXPECT_TRUE(validateOptions(o).ok());
  o = withCommand();
  o.cache_control = "some";
  EXPECT_EQ(validateOptions(o).code(), StatusCode::kInvalidInput);
  o = withCommand();
  o.clock_control = "boost";
  EXPECT_EQ(validateOptions(o).code(), StatusCode::kInvalidInput);
  o = withCommand();
  o.launch_count = 0;
  EXPECT_EQ(validateOptions(o).code(), StatusCode::kInvalidInput);
  o = withCommand();
  o.launch_skip = -1;
  EXPECT_EQ(validateOptions(o).code(), StatusCode::kInvalidInput);
  o = KernelsOptions{};
  EXPECT_EQ(validateOptions(o).code(), StatusCode::kInvalidInput);  // no command
}

}  // namespace
}  // namespace gpuscope::profiler
