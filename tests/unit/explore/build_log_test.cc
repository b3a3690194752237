// trtexec verbose log: figures counted by hand (grep) over the shared TRT 8.5
// log, and a TRT 10-style excerpt written here.
#include <gtest/gtest.h>

#include "fixtures/engine_fixture.h"
#include "explore/build_log.h"
#include "test_paths.h"

namespace gpuscope::explore {
namespace {

TEST(ExploreBuildLog, Trt85VerboseLog) {
  GS_REQUIRE_SHARED_TRT();
  auto log = readBuildLog(test::verboseLogDir() + "trt.out");
  ASSERT_TRUE(log.ok()) << log.status().message();
  EXPECT_EQ(log->trt_version, "8502");
  EXPECT_EQ(log->lines, 12933);
  // grep -c "Timing Runner" = 740; "] Tactic: 0x... Time: " = 2548; distinct runner layers = 105
  EXPECT_EQ(log->timing_blocks, 740);
  EXPECT_EQ(log->tactics_timed, 2548);
  EXPECT_EQ(log->layers.size(), 105u);
  // ": Fusing ... with " = 187, ": fusing ... into " = 71, "Removing " = 331
  EXPECT_EQ(log->fusions.size(), 258u);
  EXPECT_EQ(log->removed_layers, 331);
  EXPECT_EQ(log->gpu_layers.size(), 82u);
  ASSERT_FALSE(log->phases.empty());
  EXPECT_EQ(log->phases.front(), (std::pair<std::string, int64_t>{"Original", 730}));
  EXPECT_EQ(log->phases.back(), (std::pair<std::string, int64_t>{"After reformat layers", 86}));
  EXPECT_DOUBLE_EQ(log->graph_optimization_s, 0.831256);
  EXPECT_DOUBLE_EQ(log->tactic_selection_s, 309.95);
  EXPECT_DOUBLE_EQ(log->engine_generation_s, 314.751);
  EXPECT_DOUBLE_EQ(log->engine_built_s, 320.636);
  // Myelin: runner at 17:58:41, chosen at 17:58:44; the second 17:58:44 -> 17:58:48.
  std::vector<const TunedLayer*> myelin;
  for (const auto& l : log->layers)
    if (l.myelin) myelin.push_back(&l);
  ASSERT_EQ(myelin.size(), 2u);
  EXPECT_EQ(myelin[0]->name, "{ForeignNode[/head/Constant_2_output_0.../Unsqueeze_2]}");
  EXPECT_DOUBLE_EQ(myelin[0]->autotune_s, 3);
  EXPECT_DOUBLE_EQ(myelin[1]->autotune_s, 4);
  EXPECT_EQ(myelin[0]->scratch_bytes, 89769472);
  EXPECT_EQ(myelin[0]->chosen_runner, "Myelin");
  // The final tactic names follow "Formats and tactics selection completed".
  bool found = false;
  for (const auto& l : log->layers)
    if (l.name == "/backbone/maxpool/MaxPool") {
      found = true;
      EXPECT_EQ(l.kernel, "sm50_xmma_pooling_tiled_FP32NCHW_kMAX_custom_tP4_tQ32_tRS3_tUV2");
    }
  EXPECT_TRUE(found);
  auto meta = buildLogMetadata(*log);
  EXPECT_EQ(meta["build_options"]["Precision"], "FP32+INT8");
  EXPECT_EQ(meta["build_options"]["Memory Pools"],
            "workspace: default, dlaSRAM: default, dlaLocalDRAM: default, dlaGlobalDRAM: default");
  EXPECT_EQ(meta["model_options"]["Model"], "yolo_pytorch_quantized.onnx");
}

TEST(ExploreBuildLog, Trt10StyleExcerpt) {
  std::string dir = test::scratchDir();
  std::string text =
      "&&&& RUNNING TensorRT.trtexec [TensorRT v101600] [b12] # trtexec --onnx=m.onnx --verbose\n"
      "[01/02/2025-10:00:00] [I] === Performance summary ===\n"
      "[01/02/2025-10:00:00] [I] Throughput: 1234.5 qps\n"
      "[01/02/2025-10:00:00] [I] Latency: min = 0.5 ms, max = 0.9 ms, mean = 0.6 ms, median = 0.55 ms, "
      "percentile(90%) = 0.7 ms, percentile(95%) = 0.8 ms, percentile(99%) = 0.85 ms\n"
      "[01/02/2025-10:00:01] [V] [TRT] Original: 12 layers\n"
      "[01/02/2025-10:00:01] [V] [TRT] ConvReluFusion: Fusing conv1 with relu1\n"
      "[01/02/2025-10:00:01] [V] [TRT] Merging layers: a || b\n"
      "[01/02/2025-10:00:01] [V] [TRT] After vertical fusions: 9 layers\n"
      "[01/02/2025-10:00:02] [V] [TRT] --------------- Timing Runner: conv1 + relu1 (CaskConvolution[0x80000009])\n"
      "[01/02/2025-10:00:02] [V] [TRT] Tactic Name: sm80_xmma_fprop_a Tactic: 0x00000000000000a1 Time: 0.25\n"
      "[01/02/2025-10:00:02] [V] [TRT] Tactic Name: sm80_xmma_fprop_b Tactic: 0x00000000000000b2 Time: 0.125\n"
      "[01/02/2025-10:00:03] [V] [TRT] conv1 + relu1 (CaskConvolution[0x80000009]) profiling completed in 1.5 "
      "seconds. Fastest Tactic: 0x00000000000000b2 Time: 0.125\n"
      "[01/02/2025-10:00:03] [V] [TRT] >>>>>>>>>>>>>>> Chose Runner Type: CaskConvolution Tactic: 0x00000000000000b2\n"
      "[01/02/2025-10:00:04] [I] [TRT] Engine generation completed in 2.5 seconds.\n";
  ASSERT_TRUE(testing::writeTextFile(dir + "/b.log", text));
  auto log = readBuildLog(dir + "/b.log");
  ASSERT_TRUE(log.ok()) << log.status().message();
  EXPECT_EQ(log->trt_version, "101600");
  ASSERT_EQ(log->layers.size(), 1u);
  const TunedLayer& l = log->layers[0];
  EXPECT_EQ(l.name, "conv1 + relu1");
  EXPECT_EQ(l.tactics_timed, 2);
  EXPECT_DOUBLE_EQ(l.fastest_ms, 0.125);
  EXPECT_DOUBLE_EQ(l.autotune_s, 1.5);  // the "profiling completed" figure, not the timestamps
  EXPECT_EQ(l.chosen_tactic, "0x00000000000000b2");
  ASSERT_EQ(log->fusions.size(), 1u);
  EXPECT_EQ(log->fusions[0].into, "conv1");
  EXPECT_EQ(log->fusions[0].fused, "relu1");
  EXPECT_EQ(log->merges.size(), 1u);
  EXPECT_DOUBLE_EQ(log->engine_generation_s, 2.5);
  auto meta = buildLogMetadata(*log);
  EXPECT_DOUBLE_EQ(meta["performance_summary"]["Throughput"].get<double>(), 1234.5);
  ASSERT_EQ(meta["performance_summary"]["Latency"].size(), 7u);
  EXPECT_DOUBLE_EQ(meta["performance_summary"]["Latency"][3].get<double>(), 0.55);
}

TEST(ExploreBuildLog, NotALog) {
  std::string dir = test::scratchDir();
  ASSERT_TRUE(testing::writeTextFile(dir + "/x.log", "hello\nworld\n"));
  auto log = readBuildLog(dir + "/x.log");
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("x.log: no trtexec/TensorRT log lines found"), std::string::npos);
}

}  // namespace
}  // namespace gpuscope::explore
