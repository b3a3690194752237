// trtexec's JSON files (reference/trtexec.md §6): exact layouts, parsed back
// with nlohmann and read by gpuscope explore's own loaders.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "bench/exports.h"
#include "bench/report.h"
#include "explore/engine_plan.h"
#include "explore/timing.h"
#include "synthetic_trace.h"

namespace gpuscope::bench {
namespace {

namespace fs = std::filesystem;
using test_data::syntheticTrace;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("bench_exports_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}


TEST(BenchExports, TimesLayoutAndValues) {
  const std::vector<InferenceTrace> t = syntheticTrace();
  const std::string text = timesJson(t, 2);
  // First measured query by hand: starts at 1 ms, H2D 0.25, compute 0.5, D2H 0.125.
  const std::string first =
      "[\n  { \"startEnqMs\" : 1, \"endEnqMs\" : 1.25, \"startH2dMs\" : 1, \"endH2dMs\" : 1.25, "
      "\"startComputeMs\" : 1.25, \"endComputeMs\" : 1.75, \"startD2hMs\" : 1.75, \"endD2hMs\" : 1.875, "
      "\"h2dMs\" : 0.25, \"computeMs\" : 0.5, \"d2hMs\" : 0.125, \"latencyMs\" : 0.875 }\n, { \"startEnqMs\" : 3, ";
  EXPECT_EQ(text.substr(0, first.size()), first);
  EXPECT_EQ(text.substr(text.size() - 5), " }\n]\n");
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(text);
  ASSERT_EQ(doc.size(), 7u);  // warm-up queries skipped (8.5+)
  const std::vector<std::string> keys{"startEnqMs", "endEnqMs", "startH2dMs", "endH2dMs", "startComputeMs",
                                      "endComputeMs", "startD2hMs", "endD2hMs", "h2dMs", "computeMs", "d2hMs",
                                      "latencyMs"};
  for (size_t i = 0; i < doc.size(); ++i) {
    std::vector<std::string> got;
    for (auto it = doc[i].begin(); it != doc[i].end(); ++it) got.push_back(it.key());
    EXPECT_EQ(got, keys);
    const InferenceTrace& q = t[i + 2];
    EXPECT_EQ(doc[i]["startH2dMs"].get<float>(), q.h2d_start);
    EXPECT_EQ(doc[i]["endComputeMs"].get<float>(), q.compute_end);
    EXPECT_EQ(doc[i]["computeMs"].get<float>(), q.compute_end - q.compute_start);
    EXPECT_EQ(doc[i]["latencyMs"].get<float>(), 0.375F + (q.compute_end - q.compute_start));
  }
}

TEST(BenchExports, ExploreRecomputesTheSummaryFromExportedTimes) {
  TempDir dir;
  const std::vector<InferenceTrace> t = syntheticTrace();
  ReportSettings s;
  s.warmup_ms = 1;
  auto sum = summarize(t, s);
  ASSERT_TRUE(sum.ok());
  const std::string path = dir.file("t.timing.json");
  ASSERT_TRUE(writeFileAtomic(path, timesJson(t, sum->warmups)).ok());
  auto records = explore::readTimingJson(path);
  ASSERT_TRUE(records.ok()) << records.status().message();
  ASSERT_EQ(records->size(), 7u);
  explore::TimingOptions opts;
  opts.warmup_ms = 1;
  auto ex = explore::summarizeTiming(*records, opts);
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  EXPECT_EQ(ex->measured, 7u);
  EXPECT_EQ(num(ex->throughput_qps), num(sum->throughput_qps));
  EXPECT_EQ(num(ex->walltime_s), num(sum->walltime_ms / 1000));
  EXPECT_EQ(ex->gpu_compute.median, sum->compute.median);
  EXPECT_EQ(ex->gpu_compute.percentiles, sum->compute.percentiles);
  EXPECT_EQ(ex->latency.max, sum->latency.max);
  EXPECT_EQ(ex->enqueue.median, sum->enqueue.median);
}

Profile profile() {
  Profile p;
  p.layers = {{"conv1 + relu1", 0, {}}, {"Reshape_2", 0, {}}, {"fc", 0, {}}};
  p.addIteration({0.5F, 0, 1.0F});
  p.addIteration({0.25F, 0, 1.5F});
  p.addIteration({0.75F, 0, 0.5F});
  return p;
}

TEST(BenchExports, ProfileLayout) {
  // Totals 1.5 / 0 / 3 of 4.5 ms over 3 inferences; zero-time layers stay.
  EXPECT_EQ(profileJson(profile()),
            "[\n"
            "  { \"count\" : 3 }\n"
            ", { \"name\" : \"conv1 + relu1\", \"timeMs\" : 1.5, \"averageMs\" : 0.5, \"medianMs\" : 0.5, "
            "\"percentage\" : 33.3333 }\n"
            ", { \"name\" : \"Reshape_2\", \"timeMs\" : 0, \"averageMs\" : 0, \"medianMs\" : 0, \"percentage\" : 0 }\n"
            ", { \"name\" : \"fc\", \"timeMs\" : 3, \"averageMs\" : 1, \"medianMs\" : 1, \"percentage\" : 66.6667 }\n"
            "]\n");
  Profile q;
  q.layers = {{"a \"quoted\" layer", 0, {}}};
  q.addIteration({1.0F});
  nlohmann::json doc = nlohmann::json::parse(profileJson(q));  // names escaped: stays valid JSON
  EXPECT_EQ(doc[1]["name"], "a \"quoted\" layer");
}

TEST(BenchExports, ExploreJoinsProfileWithLayerInfo) {
  TempDir dir;
  const std::string graph = dir.file("m.engine.graph.json");
  const std::string prof = dir.file("m.engine.profile.json");
  // Layer info as Engine::layerInfoJson(kDetailed) writes it (trtexec's keys).
  nlohmann::ordered_json g = {
      {"Layers",
       {{{"Name", "conv1 + relu1"}, {"LayerType", "CaskConvolution"}, {"ParameterType", "Convolution"},
         {"Inputs", {{{"Name", "x"}, {"Location", "Device"}, {"Dimensions", {1, 3, 8, 8}},
                      {"Format/Datatype", "Row major linear FP32"}}}},
         {"Outputs", {{{"Name", "r"}, {"Location", "Device"}, {"Dimensions", {1, 4, 8, 8}},
                       {"Format/Datatype", "Row major linear FP32"}}}},
         {"TacticName", "k1"}, {"TacticValue", "0x0000000000000001"}},
        {{"Name", "Reshape_2"}, {"LayerType", "Shuffle"}, {"ParameterType", "Shuffle"},
         {"Inputs", {{{"Name", "r"}, {"Location", "Device"}, {"Dimensions", {1, 4, 8, 8}},
                      {"Format/Datatype", "Row major linear FP32"}}}},
         {"Outputs", {{{"Name", "f"}, {"Location", "Device"}, {"Dimensions", {1, 256}},
                       {"Format/Datatype", "Row major linear FP32"}}}}},
        {{"Name", "fc"}, {"LayerType", "MatrixMultiply"}, {"ParameterType", "MatrixMultiply"},
         {"Inputs", {{{"Name", "f"}, {"Location", "Device"}, {"Dimensions", {1, 256}},
                      {"Format/Datatype", "Row major linear FP32"}}}},
         {"Outputs", {{{"Name", "y"}, {"Location", "Device"}, {"Dimensions", {1, 10}},
                       {"Format/Datatype", "Row major linear FP32"}}}}}}},
      {"Bindings", {"x", "y"}}};
  ASSERT_TRUE(writeFileAtomic(graph, g.dump()).ok());
  ASSERT_TRUE(writeFileAtomic(prof, profileJson(profile())).ok());
  explore::LoadOptions lo;
  lo.graph = graph;
  lo.profile = prof;
  auto plan = explore::loadEnginePlan(lo);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(plan->has_profile);
  EXPECT_EQ(plan->profile_iterations, 3);
  ASSERT_EQ(plan->layers.size(), 3u);
  EXPECT_EQ(plan->layers[0].name, "conv1 + relu1");
  EXPECT_DOUBLE_EQ(plan->layers[0].time_ms, 1.5);
  EXPECT_DOUBLE_EQ(plan->layers[0].avg_ms, 0.5);
  EXPECT_NEAR(plan->layers[0].pct, 33.3333, 1e-4);
  EXPECT_DOUBLE_EQ(plan->layers[2].median_ms, 1.0);
  EXPECT_DOUBLE_EQ(plan->layers[1].time_ms, 0.0);
}

TEST(BenchExports, OutputLayout) {
  std::vector<OutputTensor> outs(2);
  outs[0] = {"prob", {1, 3}, engine::DType::kFloat32, {}};
  const float f[3] = {0.5F, -1.0F, 2.25F};
  outs[0].bytes.resize(12);
  std::memcpy(outs[0].bytes.data(), f, 12);
  outs[1] = {"idx", {2}, engine::DType::kInt64, {}};
  const int64_t ids[2] = {7, -1};
  outs[1].bytes.resize(16);
  std::memcpy(outs[1].bytes.data(), ids, 16);
  const std::string text = outputJson(outs);
  EXPECT_EQ(text,
            "[\n"
            "  { \"name\" : \"prob\"\n"
            "  , \"dimensions\" : \"1x3\"\n"
            "  , \"values\" : [ 0.5, -1, 2.25 ]\n"
            "  }\n"
            ", { \"name\" : \"idx\"\n"
            "  , \"dimensions\" : \"2\"\n"
            "  , \"values\" : [ 7, -1 ]\n"
            "  }\n"
            "]\n");
  nlohmann::json doc = nlohmann::json::parse(text);
  EXPECT_EQ(doc[0]["dimensions"], "1x3");
  EXPECT_EQ(doc[0]["values"][2].get<double>(), 2.25);
  EXPECT_EQ(doc[1]["values"][1].get<int>(), -1);
}

TEST(BenchExports, LoadInputsChecksTheSize) {
  TempDir dir;
  const std::string path = dir.file("x.bin");
  ASSERT_TRUE(writeFileAtomic(path, std::string(16, '\x01')).ok());
  auto ok = loadInputFile("x", path, 16);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, std::vector<uint8_t>(16, 1));
  auto bad = loadInputFile("x", path, 12);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(bad.status().message().find("has 16 bytes, input 'x' needs 12"), std::string::npos);
  EXPECT_FALSE(loadInputFile("x", dir.file("missing.bin"), 4).ok());
}

TEST(BenchExports, AtomicWriteReplacesAndLeavesNoTemporary) {
  TempDir dir;
  const std::string path = dir.file("out.json");
  ASSERT_TRUE(writeFileAtomic(path, "old").ok());
  ASSERT_TRUE(writeFileAtomic(path, "[]\n").ok());
  EXPECT_EQ(slurp(path), "[]\n");
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(fs::path(path).parent_path())) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
  EXPECT_FALSE(writeFileAtomic(dir.file("no/such/dir/x.json"), "x").ok());
}

}  // namespace
}  // namespace gpuscope::bench
