// ncu --csv (details page) into kernel_metrics rows: lines taken from the
// ncu 2025.3.1 output committed with H200 run R
// (tests/gpu/evidence/2026-11-30-session6/R-kernels/ncu_basic.csv).
#include "profiler/ncu_csv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "base/file.h"

namespace gpuscope::profiler {
namespace {

const std::string kHeader =
    "\"ID\",\"Process ID\",\"Process Name\",\"Host Name\",\"Kernel Name\",\"Context\",\"Stream\",\"Block Size\","
    "\"Grid Size\",\"Device\",\"CC\",\"Section Name\",\"Metric Name\",\"Metric Unit\",\"Metric Value\",\"Rule Name\","
    "\"Rule Type\",\"Rule Description\",\"Estimated Speedup Type\",\"Estimated Speedup\"\n";
const std::string kSaxpy =
    "\"0\",\"2778\",\"prog\",\"127.0.0.1\",\"saxpy(int, float, const float *, float *)\",\"1\",\"7\",\"(256, 1, 1)\","
    "\"(65536, 1, 1)\",\"0\",\"9.0\",";

std::string record(const std::string& section, const std::string& label, const std::string& unit,
                   const std::string& value) {
  return kSaxpy + "\"" + section + "\",\"" + label + "\",\"" + unit + "\",\"" + value + "\",,,,,\n";
}

std::string str(const model::Trace& t, model::StringId id) { return std::string(t.strings.get(id)); }

TEST(NcuCsv, SectionRowsGetTheirMetricNames) {
  const std::string text =
      "==PROF== Connected to process 2778 (/tmp/prog)\n"
      "sum after two saxpy passes: 83886080 (expected 83886080)\n" + kHeader +
      record("GPU Speed Of Light Throughput", "DRAM Frequency", "hz", "3,197,229,437.23") +
      record("GPU Speed Of Light Throughput", "Memory Throughput", "%", "61.81") +
      record("GPU Speed Of Light Throughput", "Duration", "ns", "61,600") +
      // A rule row: no metric, commas inside its quoted description.
      kSaxpy + "\"SpeedOfLight\",\"\",\"\",\"\",\"SOLBottleneck\",\"OPT\",\"Memory is more heavily utilized than "
               "Compute: Look at the \"\"Memory Workload Analysis\"\" section, then ...\",\"global\",\"0\"\n" +
      record("Memory Workload Analysis", "Memory Throughput", "byte/second", "2,950,000,000,000") +
      record("Occupancy", "Achieved Occupancy", "%", "73.87") +
      record("Command line profiler metric", "dram__bytes_read.sum", "byte", "n/a") +
      "==PROF== Disconnected from process 2778\n";
  auto t = importNcuCsv(text, "ncu.csv");
  ASSERT_TRUE(t.ok()) << t.status().message();
  const auto& m = t->kernel_metrics;
  ASSERT_EQ(m.size(), 6u);
  EXPECT_EQ(m.pid[0], 2778);
  EXPECT_EQ(m.kernel_id[0], 0);
  EXPECT_EQ(m.device_id[0], 0);
  EXPECT_EQ(m.context_id[0], 1);
  EXPECT_EQ(m.stream_id[0], 7);
  EXPECT_EQ(str(*t, m.name[0]), "saxpy(int, float, const float *, float *)");
  EXPECT_EQ(str(*t, m.section[0]), "SpeedOfLight");
  EXPECT_EQ(str(*t, m.metric[0]), "dram__cycles_elapsed.avg.per_second");
  EXPECT_DOUBLE_EQ(m.value[0], 3197229437.23);
  // The two "Memory Throughput" rows: a percentage and a bandwidth.
  EXPECT_EQ(str(*t, m.metric[1]), "gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed");
  EXPECT_EQ(str(*t, m.metric[3]), "dram__bytes.sum.per_second");
  EXPECT_DOUBLE_EQ(m.value[3], 2.95e12);
  EXPECT_EQ(str(*t, m.metric[2]), "gpu__time_duration.sum");
  EXPECT_EQ(str(*t, m.unit[2]), "ns");
  EXPECT_DOUBLE_EQ(m.value[2], 61600);
  EXPECT_EQ(str(*t, m.metric[4]), "sm__warps_active.avg.pct_of_peak_sustained_active");
  // --metrics rows: named by themselves, no section; n/a is not collected.
  EXPECT_EQ(str(*t, m.metric[5]), "dram__bytes_read.sum");
  EXPECT_EQ(str(*t, m.section[5]), "");
  EXPECT_TRUE(std::isnan(m.value[5]));
  ASSERT_EQ(t->processes.size(), 1u);
  EXPECT_EQ(str(*t, t->processes.name[0]), "prog");
  EXPECT_TRUE(looksLikeNcuCsv(text.substr(0, 200)));
  // The rule row, into kernel_rules: quotes unescaped, the speedup a number.
  const auto& r = t->kernel_rules;
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r.kernel_id[0], 0);
  EXPECT_EQ(str(*t, r.section[0]), "SpeedOfLight");
  EXPECT_EQ(str(*t, r.rule[0]), "SOLBottleneck");
  EXPECT_EQ(str(*t, r.type[0]), "OPT");
  EXPECT_EQ(str(*t, r.description[0]),
            "Memory is more heavily utilized than Compute: Look at the \"Memory Workload Analysis\" section, then ...");
  EXPECT_EQ(str(*t, r.speedup_type[0]), "global");
  EXPECT_DOUBLE_EQ(r.speedup[0], 0);
}

TEST(NcuCsv, BadInputNamesFileAndLine) {
  struct Case {
    std::string text, want;
  };
  const Case cases[] = {
      {"\"Kernel\",\"Value\"\n", "ncu.csv:1: expected ncu's --csv header"},
      {kHeader + record("Occupancy", "Achieved Occupancy", "%", "73,8x7"), "ncu.csv:2: Metric Value '73,8x7'"},
      {kHeader + "\"0\",\"2778\",\"prog\"\n", "ncu.csv:2: expected 15 to 20 fields, got 3"},
      {kHeader + "\"0\",\"2778\",\"unterminated\n", "ncu.csv:2: not a CSV record"},
      {kHeader + "\"x\"" + record("Occupancy", "Achieved Occupancy", "%", "1").substr(3),
       "ncu.csv:2: ID and Process ID must be integers"},
      {"\"ID\",\"Process ID\",\"Kernel Name\"\n", "--page raw output is not read"},
      {"==PROF== nothing profiled\n", "ncu.csv: no ncu --csv header line"},
      {kHeader + kSaxpy + "\"Occupancy\",\"\",\"\",\"\",\"AchievedOccupancy\",\"OPT\",\"text\",\"local\",\"2x5\"\n",
       "ncu.csv:2: Estimated Speedup '2x5' is not a number"},
  };
  for (const Case& c : cases) {
    auto t = importNcuCsv(c.text, "ncu.csv");
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidInput);
    EXPECT_NE(t.status().message().find(c.want), std::string::npos) << t.status().message();
    EXPECT_EQ(t.status().message().find('\n'), std::string::npos);
  }
  EXPECT_FALSE(looksLikeNcuCsv("\"Kernel\",\"Value\"\n"));
  EXPECT_FALSE(looksLikeNcuCsv("SQLite format 3"));
}

TEST(NcuCsv, TheCommittedNcuRunOfRunR) {
  // Counted with Python's csv module over the file: 424 records, 400 of
  // them metric rows (24 rule rows), 10 kernels. 30 metric rows hold words
  // (Cluster Scheduling Policy "PolicySpread", Function Cache Configuration
  // "CachePreferNone", Enabled TPC IDs "all": 3 per kernel) and are left
  // out: 370 rows. 70 (7 per kernel) are rows gpuscope's catalogue lacks
  // (# TPCs, Uses Green Context, Block Limit Barriers, Cluster Occupancy,
  // Max Active Clusters, Max Cluster Size, Overall GPU Occupancy): kept
  // with their label and no metric name.
  const std::string path =
      std::string(GPUSCOPE_SOURCE_DIR) + "/tests/gpu/evidence/2026-11-30-session6/R-kernels/ncu_basic.csv";
  auto text = readFile(path);
  ASSERT_TRUE(text.ok()) << text.status().message();
  auto t = importNcuCsv(*text, path);
  ASSERT_TRUE(t.ok()) << t.status().message();
  const auto& m = t->kernel_metrics;
  EXPECT_EQ(m.size(), 370u);
  EXPECT_EQ(m.kernel_id[m.size() - 1], 9);
  size_t unnamed = 0, durations = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    unnamed += t->strings.get(m.metric[i]).empty();
    if (t->strings.get(m.metric[i]) == "gpu__time_duration.sum" && m.kernel_id[i] == 0) {
      ++durations;
      EXPECT_DOUBLE_EQ(m.value[i], 61600);  // "61,600" ns in the file
    }
  }
  EXPECT_EQ(unnamed, 70u);
  EXPECT_EQ(durations, 1u);
  // The 24 rule rows; AchievedOccupancy's local estimates as ncu printed them.
  const auto& r = t->kernel_rules;
  ASSERT_EQ(r.size(), 24u);
  size_t estimates = 0;
  for (size_t i = 0; i < r.size(); ++i) estimates += !std::isnan(r.speedup[i]);
  EXPECT_GT(estimates, 0u);
  EXPECT_EQ(str(*t, r.rule[0]), "SOLBottleneck");
}

}  // namespace
}  // namespace gpuscope::profiler
