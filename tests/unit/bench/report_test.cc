// The report text of reference/trtexec.md §5 on a synthetic trace whose
// numbers were worked out by hand (values are multiples of 1/8 ms, so every
// sum is exact in float; only the divisions round).
#include <gtest/gtest.h>

#include <sstream>

#include "bench/echo.h"
#include "bench/report.h"
#include "synthetic_trace.h"

namespace gpuscope::bench {
namespace {

using test_data::syntheticTrace;

const char* const kStamp = "[11/29/2026-21:00:00]";

struct Capture {
  std::ostringstream out, err;
  Logger log{out, err, false, [] { return std::string(kStamp); }};
};

std::string lines(std::initializer_list<std::string> ls, char sev = 'I') {
  std::string s;
  for (const std::string& l : ls) s += std::string(kStamp) + " [" + sev + "] " + l + "\n";
  return s;
}


ReportSettings settings() {
  ReportSettings s;
  s.warmup_ms = 1;
  s.avg_runs = 3;
  s.percentiles = {50, 80, 99.9F};
  return s;
}

TEST(BenchReport, GoldenPerformanceReport) {
  Capture c;
  auto sum = printPerformanceReport(syntheticTrace(), settings(), c.log);
  ASSERT_TRUE(sum.ok()) << sum.status().message();
  // Walltime: last d2hEnd (13 + 0.25 + 1.0 + 0.125 = 14.375) - first measured
  // h2dStart (1) = 13.375 ms. Throughput 7 / 13.375 * 1000 = 523.364486, in
  // float 523.3645019 -> "523.365". Groups of 3: (0.5+1+0.75)/3 = 0.75 GPU,
  // host (0.75+2.25+0.375)/3 = 1.125, enqueue 1/3; (1.5+0.5+1.25)/3 = 1.08333,
  // host 4.375/3 = 1.45833, enqueue 1.25/3 = 0.416667; the 7th query is a
  // partial group (not printed). Sorted compute 0.5 0.5 0.75 1 1 1.25 1.5:
  // mean 6.5/7, median 1, p50 index 3, p80 index 5, p99.9 index 6. Latency =
  // compute + 0.375. Enqueue sorted .25 .25 .25 .25 .5 .5 .75, mean 2.75/7.
  // Total GPU compute 6.5 / 1000 s.
  EXPECT_EQ(c.out.str(),
            lines({"Warmup completed 2 queries over 1 ms",
                   "Timing trace has 7 queries over 0.013375 s",
                   "",
                   "=== Trace details ===",
                   "Trace averages of 3 runs:",
                   "Average on 3 runs - GPU latency: 0.75 ms - Host latency: 1.125 ms (enqueue 0.333333 ms)",
                   "Average on 3 runs - GPU latency: 1.08333 ms - Host latency: 1.45833 ms (enqueue 0.416667 ms)",
                   "",
                   "=== Performance summary ===",
                   "Throughput: 523.365 qps",
                   "Latency: min = 0.875 ms, max = 1.875 ms, mean = 1.30357 ms, median = 1.375 ms, "
                   "percentile(50%) = 1.375 ms, percentile(80%) = 1.625 ms, percentile(99.9%) = 1.875 ms",
                   "Enqueue Time: min = 0.25 ms, max = 0.75 ms, mean = 0.392857 ms, median = 0.25 ms, "
                   "percentile(50%) = 0.25 ms, percentile(80%) = 0.5 ms, percentile(99.9%) = 0.75 ms",
                   "H2D Latency: min = 0.25 ms, max = 0.25 ms, mean = 0.25 ms, median = 0.25 ms, "
                   "percentile(50%) = 0.25 ms, percentile(80%) = 0.25 ms, percentile(99.9%) = 0.25 ms",
                   "GPU Compute Time: min = 0.5 ms, max = 1.5 ms, mean = 0.928571 ms, median = 1 ms, "
                   "percentile(50%) = 1 ms, percentile(80%) = 1.25 ms, percentile(99.9%) = 1.5 ms",
                   "D2H Latency: min = 0.125 ms, max = 0.125 ms, mean = 0.125 ms, median = 0.125 ms, "
                   "percentile(50%) = 0.125 ms, percentile(80%) = 0.125 ms, percentile(99.9%) = 0.125 ms",
                   "Total Host Walltime: 0.013375 s",
                   "Total GPU Compute Time: 0.0065 s",
                   "Explanations of the performance metrics are printed in the verbose logs.",
                   ""}));
  // CoV: sigma sqrt(0.839286/7) = 0.346263 over mean 0.928571 = 37.2898 %.
  EXPECT_EQ(c.err.str(),
            lines({"* GPU compute time is unstable, with coefficient of variance = 37.2898%.",
                   "  If not already in use, locking GPU clock frequency or adding --useSpinWait may improve the "
                   "stability."},
                  'W'));
  EXPECT_EQ(sum->warmups, 2u);
  EXPECT_EQ(sum->measured, 7u);
}

TEST(BenchReport, VerboseAddsTheEightExplanations) {
  std::ostringstream out, err;
  Logger log(out, err, true, [] { return std::string(kStamp); });
  ASSERT_TRUE(printPerformanceReport(syntheticTrace(), settings(), log).ok());
  const std::string s = out.str();
  const size_t header = s.find("[V] === Explanations of the performance metrics ===");
  ASSERT_NE(header, std::string::npos);
  const char* metrics[] = {"Total Host Walltime: the host walltime", "GPU Compute Time: the GPU latency",
                           "Total GPU Compute Time: the summation", "Throughput: the observed throughput",
                           "Enqueue Time: the host latency", "H2D Latency: the latency for host-to-device",
                           "D2H Latency: the latency for device-to-host", "Latency: the summation of H2D Latency"};
  size_t at = header;
  for (const char* m : metrics) {
    size_t next = s.find(std::string("[V] ") + m, at);
    ASSERT_NE(next, std::string::npos) << m;
    at = next;
  }
  EXPECT_NE(s.find(std::string(kStamp) + " [V] \n" + kStamp + " [V] === Explanations"), std::string::npos);
}

TEST(BenchReport, AllWarmupIsAnError) {
  Capture c;
  ReportSettings s = settings();
  s.warmup_ms = 100;
  EXPECT_FALSE(printPerformanceReport(syntheticTrace(), s, c.log).ok());
}

TEST(BenchReport, TraceDetailsOmitLinesBeyond400Groups) {
  // avgRuns 1, 450 queries: first 200 groups, "... Omitting 50 lines", then
  // the tail restarts at query 450-200-1 = 249 and prints 200 groups
  // (queries 249..448); query 449 is a partial group... with avgRuns 1 every
  // group is complete, so the tail is 201 lines: 249..449.
  std::vector<InferenceTime> t(450);
  for (size_t i = 0; i < t.size(); ++i) t[i].compute = float(i);
  Capture c;
  printTraceDetails(t, 1, c.log);
  const std::string s = c.out.str();
  size_t count = 0;
  for (size_t p = s.find("Average on 1 runs"); p != std::string::npos; p = s.find("Average on 1 runs", p + 1)) ++count;
  EXPECT_EQ(count, 200u + 201u);
  EXPECT_NE(s.find("GPU latency: 199 ms"), std::string::npos);
  EXPECT_EQ(s.find("GPU latency: 200 ms"), std::string::npos);
  EXPECT_NE(s.find("... Omitting 50 lines\n" + std::string(kStamp) + " [I] Average on 1 runs - GPU latency: 249 ms"),
            std::string::npos);
  // avgRuns 2, 1000 queries: 400 groups max per side = 800 queries; omit 200;
  // tail restarts at 1000-400-1 = 599, pairs (599,600)..(997,998): 200 lines,
  // query 999 left partial.
  std::vector<InferenceTime> u(1000);
  for (size_t i = 0; i < u.size(); ++i) u[i].compute = float(i);
  Capture d;
  printTraceDetails(u, 2, d.log);
  const std::string ds = d.out.str();
  count = 0;
  for (size_t p = ds.find("Average on 2 runs"); p != std::string::npos; p = ds.find("Average on 2 runs", p + 1))
    ++count;
  EXPECT_EQ(count, 400u);
  EXPECT_NE(ds.find("... Omitting 200 lines"), std::string::npos);
  EXPECT_NE(ds.find("GPU latency: 599.5 ms"), std::string::npos);  // (599+600)/2
  EXPECT_NE(ds.find("GPU latency: 997.5 ms"), std::string::npos);
  EXPECT_EQ(ds.find("GPU latency: 999"), std::string::npos);
  // At the threshold nothing is omitted.
  std::vector<InferenceTime> w(400);
  Capture e;
  printTraceDetails(w, 1, e.log);
  EXPECT_EQ(e.out.str().find("Omitting"), std::string::npos);
}

Summary summaryWith(float enq_med, float h2d_med, float compute_med, float d2h_med, float cov) {
  Summary s;
  s.enqueue.median = enq_med;
  s.h2d.median = h2d_med;
  s.compute.median = compute_med;
  s.d2h.median = d2h_med;
  s.compute.coeff_var = cov;
  return s;
}

std::string warnings(const Summary& sum, TrtexecVersion v, int streams = 1) {
  Capture c;
  ReportSettings s;
  s.version = v;
  s.streams = streams;
  printWarnings(sum, s, c.log);
  return c.err.str();
}

TEST(BenchReport, CovThresholdDependsOnVersion) {
  // CoV 2 %: above 1.0 % (8.6, 10.0-10.13), below 2.5 % (10.14+, 11).
  const Summary sum = summaryWith(0.1F, 0, 1, 0.0F, 2.0F);
  const std::string unstable = "GPU compute time is unstable, with coefficient of variance = 2%.";
  EXPECT_NE(warnings(sum, {8, 6}).find(unstable), std::string::npos);
  EXPECT_NE(warnings(sum, {10, 13}).find(unstable), std::string::npos);
  EXPECT_EQ(warnings(sum, {10, 14}), "");
  EXPECT_EQ(warnings(sum, {10, 16}), "");
  EXPECT_EQ(warnings(sum, {11, 0}), "");
  // 3 %: everywhere; 11 drops the --useSpinWait hint.
  const Summary high = summaryWith(0.1F, 0, 1, 0, 3.0F);
  EXPECT_NE(warnings(high, {10, 16}).find("or adding --useSpinWait"), std::string::npos);
  EXPECT_NE(warnings(high, {11, 0}).find("  If not already in use, locking GPU clock frequency may improve the stability."),
            std::string::npos);
  // Exactly at the threshold: not above, no warning.
  EXPECT_EQ(warnings(summaryWith(0.1F, 0, 1, 0, 1.0F), {10, 0}), "");
}

TEST(BenchReport, BoundWarningsAndHints) {
  // Enqueue median 0.81 > 0.8 * 1.0.
  std::string e = warnings(summaryWith(0.81F, 0, 1, 0, 0), {10, 16});
  EXPECT_EQ(e, lines({"* Throughput may be bound by Enqueue Time rather than GPU Compute and the GPU may be "
                      "under-utilized.",
                      "  If not already in use, --useCudaGraph (utilize CUDA graphs where possible) may increase the "
                      "throughput."},
                     'W'));
  EXPECT_EQ(warnings(summaryWith(0.8F, 0, 1, 0, 0), {10, 16}), "");  // not strictly greater
  {
    Capture c;  // the CPU device's enqueue is its compute: no enqueue-bound warning
    ReportSettings s;
    s.host_clock = true;
    printWarnings(summaryWith(1, 0, 1, 0, 0), s, c.log);
    EXPECT_EQ(c.err.str(), "");
  }
  EXPECT_NE(warnings(summaryWith(0.9F, 0, 1, 0, 0), {11, 0}).find("--noCudaGraph"), std::string::npos);
  // Transfers: median >= compute median.
  std::string h = warnings(summaryWith(0, 1, 1, 0, 0), {8, 6});
  EXPECT_NE(h.find("* Throughput may be bound by host-to-device transfers for the inputs"), std::string::npos);
  EXPECT_NE(h.find("  Add --noDataTransfers flag to disable data transfers."), std::string::npos);
  EXPECT_EQ(h.find("device-to-host"), std::string::npos);
  std::string d = warnings(summaryWith(0, 0, 1, 1.5F, 0), {11, 0});
  EXPECT_NE(d.find("* Throughput may be bound by device-to-host transfers for the outputs"), std::string::npos);
  EXPECT_NE(d.find("--includeDataTransfers"), std::string::npos);
  // Several streams.
  EXPECT_EQ(warnings(summaryWith(0, 0, 1, 0, 0), {10, 16}, 2),
            lines({"* Multiple inference streams are used. Latencies may not be accurate since inferences may run "
                   "in   parallel. Please use \"Throughput\" as the performance metric instead."},
                  'W'));
}

TEST(BenchReport, GoldenProfileTable) {
  Profile p;
  p.layers = {{"conv1 + relu1", 0, {}}, {"Reshape_2", 0, {}}, {"fc", 0, {}}};
  p.addIteration({0.5F, 0, 1.0F});
  p.addIteration({0.25F, 0, 1.5F});
  p.addIteration({0.75F, 0, 0.5F});
  Capture c;
  printProfile(p, c.log);
  // conv: total 1.5, avg 0.5, median 0.5, 1.5/4.5 = 33.3 %; fc: 3, 1, 1, 66.7 %;
  // Reshape_2 took no time (skipped). Per-iteration totals 1.5 1.75 1.25 ->
  // median 1.5; total 4.5 / 3 iterations = 1.5.
  EXPECT_EQ(c.out.str(), lines({"",
                                "=== Profile (3 iterations ) ===",
                                "   Time(ms)     Avg.(ms)   Median(ms)   Time(%)   Layer",
                                "       1.50       0.5000       0.5000      33.3   conv1 + relu1",
                                "       3.00       1.0000       1.0000      66.7   fc",
                                "       4.50       1.5000       1.5000     100.0   Total",
                                ""}));
  EXPECT_EQ(medianRuntimeMs(p), 1.5F);
}

TEST(BenchReport, OptionEchoHasTheBlocksParsersNeed) {
  Capture c;
  BenchOptions o;
  o.onnx = "m.onnx";
  printOptionEcho(o, c.log);
  const std::string s = c.out.str();
  for (const char* h : {"=== Model Options ===", "=== Build Options ===", "=== System Options ===",
                        "=== Inference Options ===", "=== Reporting Options ==="})
    EXPECT_NE(s.find(std::string("[I] ") + h + "\n"), std::string::npos) << h;
  EXPECT_NE(s.find("[I] Duration: 3s (+ 200ms warm up)\n"), std::string::npos);
  EXPECT_NE(s.find("[I] Inference Streams: 1\n"), std::string::npos);
  EXPECT_NE(s.find("[I] Separate profiling: Disabled\n"), std::string::npos);
  EXPECT_NE(s.find("[I] Percentiles: 90,95,99\n"), std::string::npos);
  // 8.6 spelling; 11 drops "Separate profiling"; --loadEngine drops the build block.
  Capture d;
  o.version = {8, 6};
  printOptionEcho(o, d.log);
  EXPECT_NE(d.out.str().find("[I] Streams: 1\n"), std::string::npos);
  Capture e;
  o.version = {11, 0};
  o.onnx.clear();
  o.load_engine = "e.plan";
  printOptionEcho(o, e.log);
  EXPECT_EQ(e.out.str().find("Separate profiling"), std::string::npos);
  EXPECT_EQ(e.out.str().find("=== Build Options ==="), std::string::npos);
}

}  // namespace
}  // namespace gpuscope::bench
