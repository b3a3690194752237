// --kernel-metrics on stats, analyze and report: a `gpuscope kernels` store
// (written by the profiler's own export from a saxpy record) attached to a
// trace of the same program, joined by kernel name. Trace by hand: saxpy
// 60 + 70 + 80 us, another kernel 90 us; kernel time 300 us, saxpy 70 %.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "profiler/sections.h"
#include "profiler/store_export.h"
#include "store/store.h"
#include "unit/cli/cli_runner.h"
#include "unit/profiler/h100.h"

namespace gpuscope::testing {
namespace {

// ncu's spelling (the profiler test record's and the ncu CSV's) and the C++
// ABI demangler's (the tracer's), which the join must match.
const char* kSaxpy = "saxpy(int, float, const float *, float *)";
const char* kSaxpyAbi = "saxpy(int, float, float const*, float*)";

void writeKernelsStore(const std::string& path) {
  profiler::ProfileRun run;
  run.devices.push_back(profiler::testing::h100());
  profiler::KernelRecord k = profiler::testing::saxpy();
  k.counters = {{"gpu__time_duration.sum", 71520},
                {"sm__throughput.avg.pct_of_peak_sustained_elapsed", 43.1},
                {"gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed", 61.8},
                {"gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed", 61.8},
                {"sm__warps_active.avg.pct_of_peak_sustained_active", 81.45}};
  run.kernels.push_back(k);
  profiler::ReportSpec spec{{profiler::findSection("SpeedOfLight"), profiler::findSection("Occupancy")}, {}};
  ASSERT_TRUE(store::writeStore(profiler::toTrace(run, spec, "./saxpy"), path, true).ok());
}

void writeTraceStore(const std::string& path) {
  model::Trace t;
  auto kernel = [&](int64_t start, int64_t dur, const char* name) {
    model::KernelTable::Row r;
    r.start = start;
    r.end = start + dur;
    r.pid = 809;
    r.device_id = 0;
    r.name = t.strings.intern(name);
    t.kernels.push(r);
  };
  kernel(0, 60000, kSaxpyAbi);
  kernel(100000, 70000, kSaxpyAbi);
  kernel(200000, 90000, "reduce(float const*, float*)");
  kernel(300000, 80000, kSaxpyAbi);
  ASSERT_TRUE(store::writeStore(t, path, true).ok());
}

class KernelMetricsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    writeKernelsStore(kernels_);
    writeTraceStore(trace_);
  }
  TempDir dir_;
  std::string kernels_ = dir_.file("k.gpuscope"), trace_ = dir_.file("t.gpuscope");
};

TEST_F(KernelMetricsCli, StatsJoinsTheMetricsToTheTimeline) {
  CliResult r = runGpuscope({"stats", "-q", "-r", "kernel_metrics_sum", "--format", "json", trace_,
                             "--kernel-metrics", kernels_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u) << r.out;
  const auto& rows = j[0]["rows"];
  ASSERT_EQ(rows.size(), 1u) << r.out;
  const auto& row = rows[0];
  EXPECT_EQ(row["Duration (ns)"], 71520) << row.dump();
  EXPECT_DOUBLE_EQ(row["SM Throughput (%)"].get<double>(), 43.1);
  EXPECT_DOUBLE_EQ(row["Achieved Occupancy (%)"].get<double>(), 81.45);
  EXPECT_EQ(row["Busiest"], "memory");
  EXPECT_EQ(row["Trace Instances"], 3);
  EXPECT_DOUBLE_EQ(row["Trace Time (%)"].get<double>(), 70.0);
  EXPECT_EQ(row["Name"], kSaxpy);
  // The kernels store alone: the metrics, no timeline share.
  CliResult alone = runGpuscope({"stats", "-q", "-r", "kernel_metrics_sum", "--format", "json", kernels_});
  ASSERT_EQ(alone.exit_code, 0) << alone.err;
  auto a = nlohmann::json::parse(alone.out);
  EXPECT_TRUE(a[0]["rows"][0]["Trace Instances"].is_null()) << alone.out;
}

TEST_F(KernelMetricsCli, AnalyzeAndReportShowTheProfiledKernels) {
  CliResult a = runGpuscope({"analyze", "-q", "--format", "json", trace_, "--kernel-metrics", kernels_});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto j = nlohmann::json::parse(a.out);
  ASSERT_TRUE(j["profiled_kernels"].is_object()) << a.out.substr(0, 400);
  EXPECT_EQ(j["profiled_kernels"]["rows"].size(), 1u);
  CliResult text = runGpuscope({"analyze", "-q", trace_, "--kernel-metrics", kernels_});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Kernels profiled by gpuscope kernels"), std::string::npos);
  // Without metrics there is no such section.
  CliResult plain = runGpuscope({"analyze", "-q", "--format", "json", trace_});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_TRUE(nlohmann::json::parse(plain.out)["profiled_kernels"].is_null());

  const std::string html = dir_.file("r.html");
  CliResult rep = runGpuscope({"report", "-q", trace_, "--kernel-metrics", kernels_, "-o", html});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  const std::string page = readAll(html);
  EXPECT_NE(page.find("kernel_metrics_sum"), std::string::npos);
  // The profiled saxpy's rules, stored by the export, reach the selection panel under the
  // timeline's name for it: memory 61.8 % against compute 43.1 %, achieved occupancy 81.45 %.
  const size_t rules = page.find("\"kernel_rules\":{\"by_name\":{\"" + std::string(kSaxpyAbi) + "\":[");
  ASSERT_NE(rules, std::string::npos) << page.substr(0, 300);
  EXPECT_NE(page.find("\"OPT\",\"SOLBottleneck\",\"\",\"Memory-heavy", rules), std::string::npos);
  EXPECT_NE(page.find("\"OPT\",\"AchievedOccupancy\",\"Est. Local Speedup: 18.55%\"", rules), std::string::npos);
}

TEST_F(KernelMetricsCli, AnNcuCsvRunJoinsTheSameWay) {
  // What `ncu --csv` printed for saxpy (H200 run R, trimmed to four rows and
  // a rule row; progress lines and the program's output around them).
  const std::string row = "\"0\",\"2778\",\"prog\",\"127.0.0.1\",\"" + std::string(kSaxpy) +
                          "\",\"1\",\"7\",\"(256, 1, 1)\",\"(65536, 1, 1)\",\"0\",\"9.0\",";
  const std::string csv =
      "==PROF== Connected to process 2778 (/tmp/prog)\n"
      "\"ID\",\"Process ID\",\"Process Name\",\"Host Name\",\"Kernel Name\",\"Context\",\"Stream\",\"Block Size\","
      "\"Grid Size\",\"Device\",\"CC\",\"Section Name\",\"Metric Name\",\"Metric Unit\",\"Metric Value\","
      "\"Rule Name\",\"Rule Type\",\"Rule Description\",\"Estimated Speedup Type\",\"Estimated Speedup\"\n" +
      row + "\"GPU Speed Of Light Throughput\",\"Memory Throughput\",\"%\",\"61.81\",\n" +
      row + "\"GPU Speed Of Light Throughput\",\"Duration\",\"ns\",\"61,600\",\n" +
      row + "\"GPU Speed Of Light Throughput\",\"Compute (SM) Throughput\",\"%\",\"43.12\",\n" +
      row + "\"SpeedOfLight\",\"\",\"\",\"\",\"SOLBottleneck\",\"OPT\",\"Memory is more heavily utilized than "
            "Compute: Look at the Memory Workload Analysis section.\",\"global\",\"0\"\n" +
      row + "\"Occupancy\",\"Achieved Occupancy\",\"%\",\"73.87\",\n"
      "==PROF== Disconnected from process 2778\n";
  const std::string path = dir_.file("ncu.csv");
  writeAll(path, csv);
  CliResult r = runGpuscope({"stats", "-q", "-r", "kernel_metrics_sum", "--format", "json", trace_,
                             "--kernel-metrics", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto row0 = nlohmann::json::parse(r.out)[0]["rows"][0];
  EXPECT_EQ(row0["Duration (ns)"], 61600) << row0.dump();
  EXPECT_DOUBLE_EQ(row0["SM Throughput (%)"].get<double>(), 43.12);
  EXPECT_DOUBLE_EQ(row0["Memory Throughput (%)"].get<double>(), 61.81);
  EXPECT_DOUBLE_EQ(row0["Achieved Occupancy (%)"].get<double>(), 73.87);
  EXPECT_EQ(row0["PID"], 2778);
  EXPECT_EQ(row0["Trace Instances"], 3);
  // ncu's rule row reaches the report as gpuscope's own rules do.
  const std::string html = dir_.file("ncu.html");
  CliResult rep = runGpuscope({"report", "-q", trace_, "--kernel-metrics", path, "-o", html});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  EXPECT_NE(readAll(html).find("\"OPT\",\"SOLBottleneck\",\"Est. Global Speedup: 0.00%\",\"Memory is more heavily"),
            std::string::npos);
  // A cut record is refused with its line.
  writeAll(path, csv.substr(0, csv.find("\"61,600")) + "\"61,6");
  CliResult bad = runGpuscope({"analyze", "-q", trace_, "--kernel-metrics", path});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("ncu.csv:4:"), std::string::npos) << bad.err;
}

TEST_F(KernelMetricsCli, AFileWithoutMetricsIsRefusedAndNothingIsWritten) {
  const std::string html = dir_.file("r.html");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"stats", "-q", "-r", "kernel_metrics_sum", trace_, "--kernel-metrics", trace_},
        std::vector<std::string>{"analyze", "-q", trace_, "--kernel-metrics", trace_},
        std::vector<std::string>{"report", "-q", trace_, "--kernel-metrics", trace_, "-o", html},
        std::vector<std::string>{"analyze", "-q", trace_, "--kernel-metrics", dir_.file("missing.gpuscope")}}) {
    CliResult r = runGpuscope(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(args[0] == "analyze" && args.back().find("missing") != std::string::npos
                             ? "missing.gpuscope" : "t.gpuscope"),
              std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  EXPECT_EQ(dir_.list(), (std::vector<std::string>{"k.gpuscope", "t.gpuscope"}));
}

}  // namespace
}  // namespace gpuscope::testing
