// trtexec metrics from --exportTimes: the recorded summaries of the TREx
// fixtures (profile.metadata.json, parsed from trtexec's log) are reproduced;
// the statistics rules are checked on hand-made samples.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "fixtures/engine_fixture.h"
#include "explore/timing.h"
#include "test_paths.h"

namespace gpuscope::explore {
namespace {

TEST(ExploreTiming, StatisticsFollowTrtexecRules) {
  std::vector<float> even{4, 1, 3, 2};
  MetricStats s = computeStats(even, {50, 90, 100, 0});
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 4);
  EXPECT_FLOAT_EQ(s.mean, 2.5F);
  EXPECT_FLOAT_EQ(s.median, 2.5F);  // even n: mean of the middle two
  // exclude = int((1-p/100)*n); index = max(n-1-exclude, 0)
  EXPECT_EQ(s.percentiles[0], 2);  // p50: exclude 2 -> index 1
  EXPECT_EQ(s.percentiles[1], 4);  // p90: exclude int(0.4)=0 -> index 3
  EXPECT_EQ(s.percentiles[2], 4);
  EXPECT_EQ(s.percentiles[3], 1);  // p0: exclude 4 -> index max(-1,0)=0
  // population sigma: sqrt(1.25) / 2.5 * 100
  EXPECT_NEAR(s.cov_percent, 44.72136, 1e-4);
  std::vector<float> odd{5, 1, 3};
  EXPECT_EQ(computeStats(odd, {}).median, 3);
  std::vector<float> none;
  EXPECT_TRUE(std::isinf(computeStats(none, {99}).percentiles[0]));
}

TEST(ExploreTiming, WarmupParsedFromDuration) {
  EXPECT_EQ(warmupFromDuration("3s (+ 200ms warm up)", 7), 200);
  EXPECT_EQ(warmupFromDuration("10s (+ 1500ms warm up)", 7), 1500);
  EXPECT_EQ(warmupFromDuration("3s", 7), 7);
}

TEST(ExploreTiming, SyntheticRunWithWarmup) {
  std::string dir = test::scratchDir();
  // 10 queries of 1.000..1.006 ms from t=0; with warm-up 3 ms the first
  // query starting at >= 3 ms is the 4th (starts 0, 1, 2.001, 3.003).
  ASSERT_TRUE(testing::writeTextFile(dir + "/t.json", testing::makeTimingJson(10, 0, 1)));
  auto recs = readTimingJson(dir + "/t.json");
  ASSERT_TRUE(recs.ok()) << recs.status().message();
  TimingOptions o;
  o.warmup_ms = 3;
  auto s = summarizeTiming(*recs, o);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->warmup, 3u);
  EXPECT_EQ(s->measured, 7u);
  // computes: i%7 * 0.001 + 1 for i=3..9 -> 1.003 1.004 1.005 1.006 1.000 1.001 1.002
  EXPECT_NEAR(s->gpu_compute.min, 1.000, 1e-6);
  EXPECT_NEAR(s->gpu_compute.max, 1.006, 1e-6);
  EXPECT_NEAR(s->gpu_compute.median, 1.003, 1e-6);
  EXPECT_NEAR(s->latency.mean, 1.003, 1e-6);
  // walltime: end of last (start 3.003+... ) - start of 4th
  double start4 = 1.000 + 1.001 + 1.002;
  double end = start4 + 1.003 + 1.004 + 1.005 + 1.006 + 1.000 + 1.001 + 1.002;
  EXPECT_NEAR(s->walltime_s, (end - start4) / 1000, 1e-7);
  EXPECT_NEAR(s->throughput_qps, 7 / (end - start4) * 1000, 1e-2);
  o.warmup_ms = 1e9;
  EXPECT_FALSE(summarizeTiming(*recs, o).ok());
}

TEST(ExploreTiming, BadTimingJson) {
  std::string dir = test::scratchDir();
  ASSERT_TRUE(testing::writeTextFile(dir + "/t.json", R"([{"startEnqMs": 1}])"));
  auto r = readTimingJson(dir + "/t.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("t.json:record 0: expected a number \"endEnqMs\""), std::string::npos);
}

void checkFixture(const std::string& base, size_t records, size_t kept) {
  GS_REQUIRE_SHARED_TRT();
  auto recs = readTimingJson(test::trexInput(base + ".timing.json"));
  ASSERT_TRUE(recs.ok()) << recs.status().message();
  nlohmann::json meta = nlohmann::json::parse(std::ifstream(test::trexInput(base + ".profile.metadata.json")));
  TimingOptions o;
  o.warmup_ms = warmupFromDuration(meta["inference_options"]["Duration"], -1);
  ASSERT_EQ(o.warmup_ms, 200);
  auto s = summarizeTiming(*recs, o);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->records, records);
  EXPECT_EQ(s->measured, kept);
  const auto& perf = meta["performance_summary"];
  // trtexec prints 6 significant digits: compare the printed forms.
  auto g6 = [](double v) { char b[32]; std::snprintf(b, sizeof b, "%g", v); return std::string(b); };
  for (const char* key : {"Latency", "GPU Compute Time"}) {
    const MetricStats& m = std::string(key) == "Latency" ? s->latency : s->gpu_compute;
    const auto& v = perf[key];
    EXPECT_EQ(g6(m.min), g6(v[0].get<double>())) << key;
    EXPECT_EQ(g6(m.max), g6(v[1].get<double>())) << key;
    // The mean differs in the 6th digit: the JSON holds 6-digit values (trex.md §13).
    EXPECT_NEAR(m.mean, v[2].get<double>(), 5e-6) << key;
    EXPECT_EQ(g6(m.median), g6(v[3].get<double>())) << key;
    EXPECT_EQ(g6(m.percentiles[0]), g6(v[4].get<double>())) << key;
    EXPECT_EQ(g6(m.percentiles[1]), g6(v[5].get<double>())) << key;
    EXPECT_EQ(g6(m.percentiles[2]), g6(v[6].get<double>())) << key;
  }
  EXPECT_EQ(g6(s->throughput_qps), g6(perf["Throughput"].get<double>()));
  EXPECT_NEAR(s->walltime_s, perf["Total Host Walltime"].get<double>(), 2e-5);
  EXPECT_NEAR(s->gpu_compute_total_s, perf["Total GPU Compute Time"].get<double>(), 2e-5);
  EXPECT_EQ(s->h2d.max, 0);
  EXPECT_EQ(s->d2h.max, 0);
}

TEST(ExploreTiming, MobilenetQatReproducesRecordedSummary) {
  checkFixture("mobilenet.qat.onnx.engine", 8945, 8490);
}

TEST(ExploreTiming, MobilenetResidualsReproducesRecordedSummary) {
  checkFixture("mobilenet_v2_residuals.qat.onnx.engine", 11853, 11299);
}

}  // namespace
}  // namespace gpuscope::explore
