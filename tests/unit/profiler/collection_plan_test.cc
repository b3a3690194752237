// Which runs of the program a metric list needs (SASS metrics and timing
// metrics in runs of their own under --cache-control all: issue #8) and how
// those runs' values join the kernels of the first run.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "profiler/collection_plan.h"
#include "profiler/format.h"
#include "profiler/metric_kinds.h"
#include "profiler/results_file.h"

namespace gpuscope::profiler {
namespace {

const std::string kFfma = "smsp__sass_thread_inst_executed_op_ffma_pred_on.sum";
const std::string kFadd = "smsp__sass_thread_inst_executed_op_fadd_pred_on.sum.per_cycle_elapsed";
const std::string kPeak = "sm__sass_thread_inst_executed_op_ffma_pred_on.sum.peak_sustained";
const std::string kTime = "gpu__time_duration.sum";
const std::string kDram = "dram__bytes_read.sum";

TEST(CollectionPlan, KindOfAList) {
  EXPECT_EQ(collectionKind({kTime, kDram, kPeak}), CollectionKind::kHardwareOnly);
  EXPECT_EQ(collectionKind({kFfma, kFadd}), CollectionKind::kSassOnly);
  EXPECT_EQ(collectionKind({kTime, kFfma}), CollectionKind::kMixed);
  EXPECT_EQ(collectionKind({}), CollectionKind::kHardwareOnly);
}

const std::string kCycles = "gpc__cycles_elapsed.max";
const std::string kSmHz = "gpc__cycles_elapsed.avg.per_second";
const std::string kSolPct = "sm__throughput.avg.pct_of_peak_sustained_elapsed";
const std::string kFaddPerCycle = "smsp__sass_thread_inst_executed_op_fadd_pred_on.sum.per_cycle_elapsed";

TEST(CollectionPlan, TimingMetricsByName) {
  for (const std::string& m : {kTime, kCycles, kSmHz, std::string("dram__cycles_elapsed.avg.per_second"),
                               std::string("gpu__time_duration.max")})
    EXPECT_TRUE(isTimingMetric(m)) << m;
  // Percentages and peaks are ratios of the main run's own counters or the
  // chip's; per-cycle rates are counters.
  for (const std::string& m : {kSolPct, kDram, kFaddPerCycle, std::string("gpc__cycles_elapsed.max.peak_sustained"),
                               std::string("sm__cycles_active.avg")})
    EXPECT_FALSE(isTimingMetric(m)) << m;
}

// GPUSCOPE_PROFILER_SASS_SPLIT=1 and GPUSCOPE_PROFILER_TIMING_RUN=1 (A/B).
constexpr PlanSwitches kBoth{.sass_split = true, .timing_run = true};

TEST(CollectionPlan, DefaultIsOneRun) {
  // Since H200 run V every metric is measured in the one user-replay run.
  const std::vector<std::string> mixed = {kFadd, kFfma, kTime, kPeak, kDram};
  auto runs = planCollectionRuns(mixed, "all", {});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].purpose, RunPurpose::kMain);
  EXPECT_EQ(runs[0].metrics, mixed);
}

TEST(CollectionPlan, MixedListUnderCacheControlTakesThreeRuns) {
  // Pair 2 of profiler_check.sh in short: SASS first, then others, the SASS
  // peak (a chip property) among the others; the duration once more.
  auto runs = planCollectionRuns({kFadd, kFfma, kTime, kPeak, kDram}, "all", kBoth);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].purpose, RunPurpose::kMain);
  EXPECT_EQ(runs[0].metrics, (std::vector<std::string>{kTime, kPeak, kDram}));
  EXPECT_EQ(runs[1].purpose, RunPurpose::kSass);
  EXPECT_EQ(runs[1].metrics, (std::vector<std::string>{kFadd, kFfma}));
  EXPECT_EQ(runs[2].purpose, RunPurpose::kTiming);
  EXPECT_EQ(runs[2].metrics, (std::vector<std::string>{kTime}));
}

TEST(CollectionPlan, TimingRunTakesTheTimingMetricsInOrder) {
  auto runs = planCollectionRuns({kSolPct, kSmHz, kDram, kTime, kCycles}, "all", kBoth);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].metrics, (std::vector<std::string>{kSolPct, kSmHz, kDram, kTime, kCycles}));
  EXPECT_EQ(runs[1].purpose, RunPurpose::kTiming);
  EXPECT_EQ(runs[1].metrics, (std::vector<std::string>{kSmHz, kTime, kCycles}));
  // No timing run (the default): the main run's values only.
  EXPECT_EQ(planCollectionRuns({kSolPct, kTime}, "all", {.sass_split = true, .timing_run = false}).size(), 1u);
}

TEST(CollectionPlan, OneRunOtherwise) {
  const std::vector<std::string> mixed = {kTime, kFfma};
  for (const auto& [list, cache, split] :
       std::vector<std::tuple<std::vector<std::string>, std::string, bool>>{
           {mixed, "none", true},  // kernel replay measures both in one session
           {{kDram, kFfma}, "all", false},  // no SASS run (the default)
           {{kDram, kSolPct}, "all", true},  // no timing metric
           {{kFfma}, "all", true}}) {  // the injection uses kernel replay for it
    auto runs = planCollectionRuns(list, cache, {.sass_split = split, .timing_run = true});
    ASSERT_EQ(runs.size(), 1u) << cache;
    EXPECT_EQ(runs[0].purpose, RunPurpose::kMain);
    EXPECT_EQ(runs[0].metrics, list);
  }
}

KernelRecord kernel(int pid, const std::string& process, const std::string& mangled, int64_t grid,
                    std::vector<std::pair<std::string, double>> counters, int passes) {
  KernelRecord k;
  k.pid = pid;
  k.process = process;
  k.mangled = mangled;
  k.name = mangled;
  k.grid[0] = grid;
  k.block[0] = 256;
  k.counters = std::move(counters);
  k.passes = passes;
  return k;
}

TEST(CollectionPlan, MergeMatchesProcessesAndKernelsByPosition) {
  ProfileRun main, sass;
  // Two processes; pids differ between the runs.
  main.kernels = {kernel(100, "prog", "_Z5saxpy", 65536, {{kTime, 70000}}, 9),
                  kernel(100, "prog", "_Z6reduce", 1024, {{kTime, 30000}}, 9),
                  kernel(101, "child", "_Z5saxpy", 8, {{kTime, 2000}}, 9)};
  sass.kernels = {kernel(200, "prog", "_Z5saxpy", 65536, {{kFfma, 16777216}}, 1),
                  kernel(200, "prog", "_Z6reduce", 1024, {{kFfma, 0}}, 1),
                  kernel(201, "child", "_Z5saxpy", 8, {{kFfma, 2048}}, 1)};
  EXPECT_EQ(mergeRun(main, sass, RunPurpose::kSass), 3u);
  EXPECT_TRUE(main.warnings.empty());
  ASSERT_NE(main.kernels[0].counter(kFfma), nullptr);
  EXPECT_EQ(*main.kernels[0].counter(kFfma), 16777216);
  EXPECT_EQ(*main.kernels[0].counter(kTime), 70000);
  EXPECT_EQ(*main.kernels[1].counter(kFfma), 0);
  EXPECT_EQ(*main.kernels[2].counter(kFfma), 2048);
  EXPECT_EQ(main.kernels[0].passes, 10);
  EXPECT_EQ(main.kernels[2].pid, 101);  // the first run's identity stays
}

TEST(CollectionPlan, MergeStopsAtTheFirstDifferentLaunchOfAProcess) {
  ProfileRun main, sass;
  main.kernels = {kernel(1, "prog", "_Z1a", 10, {{kTime, 1}}, 9), kernel(1, "prog", "_Z1b", 10, {{kTime, 2}}, 9),
                  kernel(1, "prog", "_Z1a", 10, {{kTime, 3}}, 9)};
  // Second kernel has another grid: it and everything after it stay unmerged.
  sass.kernels = {kernel(2, "prog", "_Z1a", 10, {{kFfma, 5}}, 1), kernel(2, "prog", "_Z1b", 20, {{kFfma, 6}}, 1),
                  kernel(2, "prog", "_Z1a", 10, {{kFfma, 7}}, 1)};
  EXPECT_EQ(mergeRun(main, sass, RunPurpose::kSass), 1u);
  EXPECT_EQ(*main.kernels[0].counter(kFfma), 5);
  EXPECT_EQ(main.kernels[1].counter(kFfma), nullptr);
  EXPECT_EQ(main.kernels[2].counter(kFfma), nullptr);
  EXPECT_EQ(*main.kernels[2].counter(kTime), 3);
  ASSERT_EQ(main.warnings.size(), 1u);
  EXPECT_NE(main.warnings[0].find("missing for 2 of 3 kernels"), std::string::npos) << main.warnings[0];
}

TEST(CollectionPlan, CrashedOrOtherSassRunKeepsTheOtherValues) {
  ProfileRun main, empty, other;
  main.kernels = {kernel(1, "prog", "_Z1a", 10, {{kTime, 1}}, 9), kernel(1, "prog", "_Z1b", 10, {{kTime, 2}}, 9)};
  EXPECT_EQ(mergeRun(main, empty, RunPurpose::kSass), 0u);  // the SASS run died before its first kernel
  EXPECT_EQ(main.kernels[0].counters.size(), 1u);
  EXPECT_NE(main.warnings.at(0).find("missing for 2 of 2 kernels"), std::string::npos);
  // A SASS run of another process name matches nothing.
  other.kernels = {kernel(2, "python3", "_Z1a", 10, {{kFfma, 5}}, 1)};
  main.warnings.clear();
  EXPECT_EQ(mergeRun(main, other, RunPurpose::kSass), 0u);
  EXPECT_EQ(main.kernels[0].counter(kFfma), nullptr);
  // A SASS run that ended after the first kernel: that one merges.
  ProfileRun partial;
  partial.kernels = {kernel(3, "prog", "_Z1a", 10, {{kFfma, 5}}, 1)};
  main.warnings.clear();
  EXPECT_EQ(mergeRun(main, partial, RunPurpose::kSass), 1u);
  EXPECT_NE(main.warnings.at(0).find("missing for 1 of 2 kernels"), std::string::npos);
}

TEST(CollectionPlan, TimingRunValuesReplaceUnlessMultiPass) {
  ProfileRun main, timing;
  main.kernels = {kernel(1, "prog", "_Z5saxpy", 65536, {{kDram, 5e8}, {kTime, 69248}, {kCycles, 103809}}, 9),
                  kernel(1, "prog", "_Z6reduce", 1024, {{kDram, 7e7}, {kTime, 32480}}, 9),
                  kernel(1, "prog", "_Z5saxpy", 65536, {{kDram, 5e8}, {kTime, 68352}}, 9)};
  // H200 run L's saxpy: 63,072 ns in the kernel-replay pass. The second
  // kernel needed two passes there: its user-replay value stays.
  timing.kernels = {kernel(2, "prog", "_Z5saxpy", 65536, {{kTime, 63072}, {kCycles, 94570}}, 1),
                    kernel(2, "prog", "_Z6reduce", 1024, {{kTime, 40000}}, 2),
                    kernel(2, "prog", "_Z5saxpy", 65536, {{kTime, 61696}}, 1)};
  EXPECT_EQ(mergeRun(main, timing, RunPurpose::kTiming), 2u);
  EXPECT_EQ(*main.kernels[0].counter(kTime), 63072);
  EXPECT_EQ(*main.kernels[0].counter(kCycles), 94570);
  EXPECT_EQ(*main.kernels[0].counter(kDram), 5e8);
  EXPECT_EQ(main.kernels[0].counters.size(), 3u);  // replaced, not appended
  EXPECT_EQ(main.kernels[0].passes, 10);
  EXPECT_EQ(*main.kernels[1].counter(kTime), 32480);
  EXPECT_EQ(main.kernels[1].passes, 9);
  EXPECT_EQ(*main.kernels[2].counter(kTime), 61696);
  ASSERT_EQ(main.warnings.size(), 1u);
  EXPECT_NE(main.warnings[0].find("timing metrics (duration, elapsed cycles) of 1 of 3 kernels are from user replay"),
            std::string::npos)
      << main.warnings[0];
}

TEST(CollectionPlan, MergedValueReachesTheReportFromTwoResultsFiles) {
  // Two results files as the injection writes them (results_file.h): the
  // user-replay run without the SASS counter, the kernel-replay run with it.
  const char* first =
      "gpuscope-kernels\t1\nprocess\t809\tprog\n"
      "device\t809\t0\tNVIDIA H200\tGH100\t9\t0\t132\t2048\t32\t65536\t65536\t233472\t232448\t1024\t32\t52428800\n"
      "kernel\t0\t809\t0\t1\t7\t65536\t1\t1\t256\t1\t1\t0\t0\t0\t16\t0\t0\t0\t1024\t8\t1\t_Z5saxpyifPKfPf\tsaxpy(int, "
      "float, float const*, float*)\n"
      "metric\t0\tgpu__time_duration.sum\t71520\n";
  const char* second =
      "gpuscope-kernels\t1\nprocess\t812\tprog\n"
      "kernel\t0\t812\t0\t1\t7\t65536\t1\t1\t256\t1\t1\t0\t0\t0\t16\t0\t0\t0\t1024\t8\t1\t_Z5saxpyifPKfPf\tsaxpy(int, "
      "float, float const*, float*)\n"
      "metric\t0\tsmsp__sass_thread_inst_executed_op_ffma_pred_on.sum\t16777216\n";
  ProfileRun main, sass;
  ASSERT_TRUE(parseResults(first, "a.tsv", main).ok());
  ASSERT_TRUE(parseResults(second, "b.tsv", sass).ok());
  ASSERT_EQ(mergeRun(main, sass, RunPurpose::kSass), 1u);
  ReportSpec spec;
  spec.metrics = {kTime, kFfma};
  const std::string csv = formatCsv(main, spec);
  // 65,536 blocks x 256 threads, one FFMA each.
  const size_t row = csv.find("\"" + kFfma + "\"");
  ASSERT_NE(row, std::string::npos) << csv;
  const std::string line = csv.substr(row, csv.find('\n', row) - row);
  EXPECT_NE(line.find("\"16,777,216\""), std::string::npos) << line;
  EXPECT_NE(csv.find("\"71,520\""), std::string::npos) << csv;
}

}  // namespace
}  // namespace gpuscope::profiler
