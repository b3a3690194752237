#include <gtest/gtest.h>

#include <map>

#include "tracer/config.h"

namespace gpuscope::tracer {
namespace {

TEST(TracerConfigTest, ParsesOptions) {
  TracerConfig c;
  ASSERT_TRUE(parseTraceList("cuda", &c).ok());
  EXPECT_TRUE(c.trace_cuda);
  EXPECT_FALSE(c.trace_nvtx);
  ASSERT_TRUE(parseTraceList("nvtx,cuda", &c).ok());
  EXPECT_TRUE(c.trace_cuda && c.trace_nvtx);
  Status osrt = parseTraceList("cuda,osrt", &c);
  EXPECT_EQ(osrt.code(), StatusCode::kInvalidInput);
  EXPECT_NE(osrt.message().find("osrt"), std::string::npos);
  Status bad = parseTraceList("cuda,bogus", &c);
  EXPECT_EQ(bad.message(), "--trace: expected a comma-separated list of cuda, nvtx, none; got 'bogus'");

  ASSERT_TRUE(parseGraphTraceMode("node", &c).ok());
  EXPECT_EQ(c.graph_mode, GraphTraceMode::kNode);
  EXPECT_FALSE(parseGraphTraceMode("nodes", &c).ok());

  ASSERT_TRUE(parseCaptureRange("nvtx:train step", &c).ok());
  EXPECT_EQ(c.capture, CaptureRangeKind::kNvtx);
  EXPECT_EQ(c.capture_nvtx_name, "train step");
  ASSERT_TRUE(parseCaptureRange("cudaProfilerApi", &c).ok());
  EXPECT_EQ(c.capture, CaptureRangeKind::kCudaProfilerApi);
  Status nv = parseCaptureRange("nvtx", &c);
  EXPECT_EQ(nv.message(), "--capture-range: expected 'nvtx:NAME' or 'cudaProfilerApi', got 'nvtx'");
}

TEST(TracerConfigTest, EnvironmentRoundTrip) {
  TracerConfig c;
  c.trace_nvtx = false;
  c.graph_mode = GraphTraceMode::kNode;
  c.capture = CaptureRangeKind::kNvtx;
  c.capture_nvtx_name = "step";
  c.flush_interval_ms = 100;
  c.output_dir = "/tmp/x";
  std::map<std::string, std::string> env;
  for (auto& [k, v] : configToEnv(c)) env[k] = v;
  auto get = [&](const char* n) -> const char* {
    auto it = env.find(n);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  StatusOr<TracerConfig> back = configFromEnv(get);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->trace_cuda);
  EXPECT_FALSE(back->trace_nvtx);
  EXPECT_EQ(back->graph_mode, GraphTraceMode::kNode);
  EXPECT_EQ(back->capture_nvtx_name, "step");
  EXPECT_EQ(back->flush_interval_ms, 100);
  EXPECT_EQ(back->output_dir, "/tmp/x");
  EXPECT_FALSE(back->trace_all_apis);  // the default: hot query APIs not recorded

  c.trace_all_apis = true;
  for (auto& [k, v] : configToEnv(c)) env[k] = v;
  back = configFromEnv(get);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->trace_all_apis);
  env[kEnvAllApis] = "yes";
  Status bad_all = configFromEnv(get).status();
  EXPECT_EQ(bad_all.message(), "GPUSCOPE_CUDA_TRACE_ALL_APIS: expected 0 or 1, got 'yes'");
  env.erase(kEnvAllApis);  // an older launcher: the default
  back = configFromEnv(get);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_FALSE(back->trace_all_apis);

  env[kEnvFlushMs] = std::string(1, '0');  // 0 ms: invalid
  EXPECT_FALSE(configFromEnv(get).ok());
  env.erase(kEnvDir);
  EXPECT_FALSE(configFromEnv(get).ok());  // loaded outside gpuscope trace
}

}  // namespace
}  // namespace gpuscope::tracer
