// gpuscope bench end to end on the CPU reference engine (--device=cpu) with
// the tiny CNN of tests/fixtures/onnx_fixture.h: build, save, load, the
// timed and the profiling run, every export read back by explore's loaders,
// and the log read by explore's trtexec log parser.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/report.h"
#include "explore/build_log.h"
#include "explore/engine_plan.h"
#include "explore/timing.h"
#include "fixtures/onnx_fixture.h"

namespace gpuscope::bench {
namespace {

namespace fs = std::filesystem;

class BenchCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("bench_cli_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    onnx_ = file("cnn.onnx");
    ASSERT_FALSE(gpuscope::testing::makeTinyCnnOnnx(onnx_, 18, true).empty());
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }

  Status run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    return runBench(args, out_, err_);
  }

  fs::path dir_;
  std::string onnx_;
  std::ostringstream out_, err_;
};

// The number printed after `key` in the summary ("Throughput: 123 qps").
double printed(const std::string& log, const std::string& key) {
  std::smatch m;
  std::regex re(key + ": ([0-9.e+-]+)");
  if (!std::regex_search(log, m, re)) return -1;
  return std::stod(m[1]);
}

TEST_F(BenchCli, BuildRunProfileAndExportOnCpu) {
  const std::string times = file("m.timing.json"), prof = file("m.profile.json"), graph = file("m.graph.json"),
                    output = file("out.json"), plan = file("m.plan");
  Status st = run({"--onnx=" + onnx_, "--device=cpu", "--shapes=input:2x3x16x16", "--iterations=6", "--warmUp=0",
                   "--duration=0", "--avgRuns=2", "--separateProfileRun", "--dumpProfile",
                   "--profilingVerbosity=detailed", "--exportTimes=" + times, "--exportProfile=" + prof,
                   "--exportLayerInfo=" + graph, "--exportOutput=" + output, "--saveEngine=" + plan});
  ASSERT_TRUE(st.ok()) << st.message() << "\n" << err_.str();
  const std::string log = out_.str();
  EXPECT_EQ(log.rfind("&&&& RUNNING gpuscope.bench [gpuscope v", 0), 0u);
  EXPECT_NE(log.find("&&&& PASSED gpuscope.bench"), std::string::npos);
  EXPECT_NE(log.find("[I] === Performance summary ==="), std::string::npos);
  EXPECT_NE(log.find("[I] === Profile ("), std::string::npos);
  EXPECT_NE(log.find("Input binding for input with dimensions 2x3x16x16 is created."), std::string::npos);

  // The summary agrees with the exported per-query times.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, std::regex("Timing trace has ([0-9]+) queries")));
  const size_t measured = std::stoul(m[1]);
  EXPECT_GE(measured, 6u);
  auto records = explore::readTimingJson(times);
  ASSERT_TRUE(records.ok()) << records.status().message();
  EXPECT_EQ(records->size(), measured);
  explore::TimingOptions topts;
  topts.warmup_ms = 0;
  auto ex = explore::summarizeTiming(*records, topts);
  ASSERT_TRUE(ex.ok());
  const double qps = printed(log, "Throughput");
  EXPECT_NEAR(ex->throughput_qps, qps, 0.01 * qps);
  std::smatch mx;
  ASSERT_TRUE(std::regex_search(log, mx, std::regex("GPU Compute Time: min = [^,]+, max = ([0-9.e+-]+) ms")));
  EXPECT_EQ(num(ex->gpu_compute.max), mx[1].str());
  for (const auto& r : *records) {
    // The export prints each time with 6 significant digits (%g, as trtexec's
    // default stream precision), a relative rounding of up to 5e-6 each: four
    // rounded values (three terms and the sum), each at most the latency.
    EXPECT_NEAR(r.h2d + r.compute + r.d2h, r.latency, 4 * 5e-6 * r.latency + 1e-9) << "latency = h2d + compute + d2h";
    EXPECT_LE(r.start_h2d, r.start_compute);
    EXPECT_LE(r.end_compute, r.end_d2h);
  }

  // Profile + layer info load into explore's engine plan.
  explore::LoadOptions lo;
  lo.graph = graph;
  lo.profile = prof;
  auto p = explore::loadEnginePlan(lo);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(p->has_profile);
  EXPECT_GE(p->profile_iterations, 6);
  EXPECT_FALSE(p->layers.empty());
  double pct = 0;
  for (const auto& l : p->layers) pct += l.pct;
  EXPECT_NEAR(pct, 100.0, 0.5);
  std::ostringstream iters;
  iters << "=== Profile (" << p->profile_iterations << " iterations ) ===";
  EXPECT_NE(log.find(iters.str()), std::string::npos);

  // Output dump: the CNN's logits, 2x10.
  nlohmann::json outs = nlohmann::json::parse(std::ifstream(output));
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0]["name"], "logits");
  EXPECT_EQ(outs[0]["dimensions"], "2x10");
  EXPECT_EQ(outs[0]["values"].size(), 20u);

  // explore --log reads the bench log like a trtexec log.
  const std::string log_path = file("m.profile.log");
  std::ofstream(log_path) << log;
  auto parsed = explore::readBuildLog(log_path);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->sections.at("inference_options").at("Duration"), "0s (+ 0ms warm up)");
  EXPECT_EQ(parsed->sections.at("model_options").at("Model"), onnx_);
  EXPECT_EQ(parsed->sections.at("performance_summary").at("Throughput"), num(qps) + " qps");
  EXPECT_TRUE(parsed->sections.count("build_options"));
  EXPECT_TRUE(parsed->sections.count("device_information"));

  // The saved engine loads and runs with the same shapes.
  ASSERT_TRUE(fs::exists(plan));
  st = run({"--loadEngine=" + plan, "--device=cpu", "--iterations=3", "--warmUp=0", "--duration=0"});
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_NE(out_.str().find("&&&& PASSED"), std::string::npos);
  EXPECT_EQ(out_.str().find("=== Build Options ==="), std::string::npos);
  st = run({"--loadEngine=" + plan, "--device=cpu", "--shapes=input:4x3x16x16"});
  EXPECT_EQ(st.code(), StatusCode::kInvalidInput);
  EXPECT_NE(out_.str().find("&&&& FAILED"), std::string::npos);
}

TEST_F(BenchCli, AttachedProfilerSuppressesTheSummary) {
  // 8.6/10 without --separateProfileRun: profile from the timed run, no
  // performance summary, no --exportTimes file.
  const std::string times = file("t.json");
  Status st = run({"--onnx=" + onnx_, "--device=cpu", "--shapes=input:1x3x16x16", "--iterations=3", "--warmUp=0",
                   "--duration=0", "--dumpProfile", "--exportTimes=" + times});
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(out_.str().find("=== Performance summary ==="), std::string::npos);
  EXPECT_NE(out_.str().find("The e2e network timing is not reported"), std::string::npos);
  EXPECT_NE(out_.str().find("=== Profile ("), std::string::npos);
  EXPECT_FALSE(fs::exists(times));
  EXPECT_NE(err_.str().find("[W] --exportTimes: no times are exported"), std::string::npos);
  // 11: profiling always in a run of its own, so the summary is back.
  st = run({"--trtexecVersion=11", "--onnx=" + onnx_, "--device=cpu", "--shapes=input:1x3x16x16", "--iterations=3",
            "--warmUp=0", "--duration=0", "--dumpProfile"});
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_NE(out_.str().find("=== Performance summary ==="), std::string::npos);
  EXPECT_NE(out_.str().find("=== Profile ("), std::string::npos);
}

TEST_F(BenchCli, StreamsOnThreadsMergeEveryQuery) {
  // Two contexts of one engine, each driven by its own thread. Per stream,
  // with --warmUp=0 --duration=0 the loop makes exactly --iterations steps,
  // one query each (the last drained at the end): 2 x 5 queries, none of
  // them warm-up; the separate profiling run, same settings, profiles 10.
  Status st = run({"--onnx=" + onnx_, "--device=cpu", "--shapes=input:1x3x16x16", "--iterations=5", "--warmUp=0",
                   "--duration=0", "--streams=2", "--threads", "--separateProfileRun", "--dumpProfile"});
  ASSERT_TRUE(st.ok()) << st.message() << "\n" << out_.str() << err_.str();
  EXPECT_NE(out_.str().find("Timing trace has 10 queries over "), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("=== Profile (10 iterations ) ==="), std::string::npos) << out_.str();
  EXPECT_NE(err_.str().find("* Multiple inference streams are used."), std::string::npos) << err_.str();
}

TEST_F(BenchCli, LoadInputsFeedTheEngine) {
  // The same input file gives the same logits; random inputs give others.
  const std::string bin = file("x.bin");
  {
    std::ofstream f(bin, std::ios::binary);
    for (int i = 0; i < 3 * 16 * 16; ++i) {
      const float v = float(i % 7) * 0.25F - 0.75F;
      f.write(reinterpret_cast<const char*>(&v), 4);
    }
  }
  auto logits = [&](const std::string& tag, bool load) {
    const std::string out = file(tag + ".json");
    std::vector<std::string> args{"--onnx=" + onnx_, "--device=cpu", "--shapes=input:1x3x16x16", "--iterations=2",
                                  "--warmUp=0", "--duration=0", "--exportOutput=" + out};
    if (load) args.push_back("--loadInputs=input:" + bin);
    Status st = run(args);
    EXPECT_TRUE(st.ok()) << st.message();
    return nlohmann::json::parse(std::ifstream(out))[0]["values"];
  };
  const nlohmann::json a = logits("a", true), b = logits("b", true), r = logits("r", false);
  ASSERT_EQ(a.size(), 10u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, r);
  EXPECT_NE(out_.str().find("Using random values for input input"), std::string::npos);
}

TEST_F(BenchCli, InputErrors) {
  Status st = run({"--onnx=" + onnx_, "--device=cpu", "--shapes=image:1x3x16x16"});
  EXPECT_EQ(st.code(), StatusCode::kInvalidInput);
  EXPECT_NE(st.message().find("--shapes: 'image' is not an input of the model (inputs: input)"), std::string::npos)
      << st.message();
  // --loadInputs: size checked against the input's bytes (1*3*16*16*4).
  const std::string bin = file("x.bin");
  std::ofstream(bin) << std::string(100, '\0');
  st = run({"--onnx=" + onnx_, "--device=cpu", "--shapes=input:1x3x16x16", "--loadInputs=input:" + bin});
  EXPECT_EQ(st.code(), StatusCode::kInvalidInput);
  EXPECT_NE(st.message().find("needs 3072"), std::string::npos);
  // Unknown option: nothing printed, exit 2.
  st = run({"--onnx=" + onnx_, "--device=cpu", "--frobnicate=1"});
  EXPECT_EQ(st.exitCode(), 2);
  EXPECT_EQ(st.message(), "Unknown option: --frobnicate 1");
  EXPECT_EQ(out_.str(), "");
  // No arguments / --help: the help, and success.
  EXPECT_TRUE(run({}).ok());
  EXPECT_NE(out_.str().find("=== Inference Options ==="), std::string::npos);
}

TEST_F(BenchCli, BinaryExitCodes) {
  const std::string bin = GPUSCOPE_BINARY;
  if (!fs::exists(bin)) GTEST_SKIP() << "gpuscope binary not built: " << bin;
  const std::string quiet = " >/dev/null 2>&1";
  EXPECT_EQ(WEXITSTATUS(std::system((bin + " bench --onnx=x.onnx --bogus" + quiet).c_str())), 2);
  EXPECT_EQ(WEXITSTATUS(std::system((bin + " bench --trtexecVersion=11 --onnx=x --useCudaGraph --noCudaGraph" + quiet).c_str())), 2);
  EXPECT_EQ(WEXITSTATUS(std::system((bin + " bench --help" + quiet).c_str())), 0);
  EXPECT_EQ(WEXITSTATUS(std::system((bin + " bench --onnx=" + onnx_ +
                                     " --device=cpu --shapes=input:1x3x16x16 --iterations=2 --warmUp=0 --duration=0" +
                                     quiet).c_str())),
            0);
}

// A model that cannot be read: exit 2 through the binary (gpuscope execs
// gpuscope-bench), one error line naming the file, and none of the requested
// output files exists afterwards.
TEST_F(BenchCli, TruncatedModelFailsWithoutWritingAnyFile) {
  const std::string bin = GPUSCOPE_BINARY;
  if (!fs::exists(bin)) GTEST_SKIP() << "gpuscope binary not built: " << bin;
  std::string bytes = gpuscope::testing::makeTinyCnnOnnx("", 18, true);
  const std::string bad = file("truncated.onnx");
  gpuscope::testing::writeBinaryFile(bad, bytes.substr(0, bytes.size() / 2));
  const std::string plan = file("t.plan"), times = file("t.timing.json"), graph = file("t.graph.json"),
                    err = file("t.err");
  const std::string cmd = bin + " bench --onnx=" + bad + " --device=cpu --shapes=input:1x3x16x16 --saveEngine=" + plan +
                          " --exportTimes=" + times + " --exportLayerInfo=" + graph + " >/dev/null 2>" + err;
  EXPECT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 2);
  std::ifstream in(err);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("gpuscope: error: " + bad + ":"), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(plan));
  EXPECT_FALSE(fs::exists(times));
  EXPECT_FALSE(fs::exists(graph));
}

}  // namespace
}  // namespace gpuscope::bench
