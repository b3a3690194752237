// trtexec's command line in the three dialects (reference/trtexec.md §1-2).
#include <gtest/gtest.h>

#include "bench/options.h"

namespace gpuscope::bench {
namespace {

using engine::ProfilingVerbosity;

ParsedOptions parseOk(std::vector<std::string> args) {
  auto r = parseBenchOptions(args);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : ParsedOptions{};
}

std::string parseError(std::vector<std::string> args) {
  auto r = parseBenchOptions(args);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(r.status().exitCode(), 2);
  return r.status().message();
}

bool hasWarning(const ParsedOptions& p, const std::string& part) {
  for (const std::string& w : p.warnings)
    if (w.find(part) != std::string::npos) return true;
  return false;
}

TEST(BenchOptions, DefaultsAreTrtexecs) {
  ParsedOptions p = parseOk({"--onnx=m.onnx"});
  const BenchOptions& o = p.options;
  EXPECT_EQ(o.version.major, 10);
  EXPECT_EQ(o.version.minor, 16);
  EXPECT_EQ(o.onnx, "m.onnx");
  EXPECT_EQ(o.iterations, 10);
  EXPECT_EQ(o.warmup_ms, 200.0F);
  EXPECT_EQ(o.duration_s, 3.0F);
  EXPECT_EQ(o.avg_runs, 10);
  EXPECT_EQ(o.percentiles, (std::vector<float>{90, 95, 99}));
  EXPECT_EQ(o.streams, 1);
  EXPECT_EQ(o.avg_timing, 8);
  EXPECT_TRUE(o.data_transfers);
  EXPECT_FALSE(o.cuda_graph);
  EXPECT_FALSE(o.spin_wait);
  EXPECT_FALSE(o.separate_profile_run);
  EXPECT_FALSE(o.threads);
  EXPECT_FALSE(o.fp16 || o.bf16 || o.best || o.strongly_typed);
  EXPECT_EQ(o.profiling_verbosity, ProfilingVerbosity::kLayerNamesOnly);
  EXPECT_EQ(o.device, engine::Device::kGpu);
  EXPECT_EQ(o.device_index, 0);
  EXPECT_TRUE(p.warnings.empty());
}

TEST(BenchOptions, EveryOptionParses) {
  ParsedOptions p = parseOk({"--onnx=m.onnx", "--saveEngine=e.plan", "--shapes=x:1x3x8x8,'a:b':2",
                             "--minShapes=x:1x3x8x8,a:b:1", "--optShapes=x:1x3x8x8,a:b:2", "--maxShapes=x:4x3x8x8,a:b:4",
                             "--fp16", "--bf16", "--useCudaGraph", "--noDataTransfers", "--warmUp=50",
                             "--duration=0.5", "--iterations=7", "--avgRuns=3", "--percentile=50,99.9",
                             "--streams=2", "--useSpinWait", "--threads", "--separateProfileRun", "--dumpProfile",
                             "--exportTimes=t.json", "--exportProfile=p.json", "--exportLayerInfo=g.json",
                             "--profilingVerbosity=detailed", "--timingCacheFile=tc", "--verbose",
                             "--loadInputs=x:x.bin,a:b:ab.bin", "--exportOutput=o.json", "--memPoolSize=workspace:1.5G",
                             "--avgTiming=4", "--sleepTime=1", "--idleTime=2", "--exposeDMA", "--device=1"});
  const BenchOptions& o = p.options;
  EXPECT_EQ(o.save_engine, "e.plan");
  ASSERT_EQ(o.shapes.size(), 2u);
  EXPECT_EQ(o.shapes[0].first, "x");
  EXPECT_EQ(o.shapes[0].second, (engine::Shape{1, 3, 8, 8}));
  EXPECT_EQ(o.shapes[1].first, "a:b");
  EXPECT_EQ(o.shapes[1].second, (engine::Shape{2}));
  EXPECT_EQ(o.min_shapes[1].first, "a:b");  // unquoted: split at the last ':'
  EXPECT_EQ(o.max_shapes[0].second, (engine::Shape{4, 3, 8, 8}));
  EXPECT_TRUE(o.fp16 && o.bf16 && o.cuda_graph && o.spin_wait && o.threads && o.separate_profile_run);
  EXPECT_FALSE(o.data_transfers);
  EXPECT_EQ(o.warmup_ms, 50.0F);
  EXPECT_EQ(o.duration_s, 0.5F);
  EXPECT_EQ(o.iterations, 7);
  EXPECT_EQ(o.avg_runs, 3);
  EXPECT_EQ(o.percentiles, (std::vector<float>{50, 99.9F}));
  EXPECT_EQ(o.streams, 2);
  EXPECT_TRUE(o.dump_profile);
  EXPECT_EQ(o.export_times, "t.json");
  EXPECT_EQ(o.export_profile, "p.json");
  EXPECT_EQ(o.export_layer_info, "g.json");
  EXPECT_EQ(o.export_output, "o.json");
  EXPECT_EQ(o.profiling_verbosity, ProfilingVerbosity::kDetailed);
  EXPECT_EQ(o.timing_cache_file, "tc");
  EXPECT_TRUE(o.verbose);
  ASSERT_EQ(o.load_inputs.size(), 2u);
  EXPECT_EQ(o.load_inputs[1], (std::pair<std::string, std::string>{"a:b", "ab.bin"}));
  EXPECT_EQ(o.workspace_bytes, int64_t(1.5 * (1 << 30)));
  EXPECT_EQ(o.avg_timing, 4);
  EXPECT_EQ(o.sleep_ms, 1.0F);
  EXPECT_EQ(o.idle_ms, 2.0F);
  EXPECT_TRUE(o.expose_dma);
  EXPECT_EQ(o.device_index, 1);
  EXPECT_TRUE(o.profileInSeparateRun());
}

TEST(BenchOptions, BooleansIgnoreTheirValue) {
  // trtexec's bool converter always returns true.
  ParsedOptions p = parseOk({"--onnx=m.onnx", "--fp16=false", "--useCudaGraph=0"});
  EXPECT_TRUE(p.options.fp16);
  EXPECT_TRUE(p.options.cuda_graph);
}

TEST(BenchOptions, UnknownOptionsListEveryLeftover) {
  EXPECT_EQ(parseError({"--onnx=m.onnx", "--bogus=3", "--frobnicate"}),
            "Unknown option: --bogus 3\nUnknown option: --frobnicate ");
  // A second occurrence is left over, as in trtexec's multimap.
  EXPECT_EQ(parseError({"--onnx=m.onnx", "--iterations=5", "--iterations=6"}), "Unknown option: --iterations 6");
}

TEST(BenchOptions, Dialect86) {
  ParsedOptions p = parseOk({"--trtexecVersion=8.6", "--onnx=m.onnx", "--nvtxMode=verbose", "--workspace=512",
                             "--explicitBatch", "--buildOnly", "--best"});
  const BenchOptions& o = p.options;
  EXPECT_EQ(o.version.major, 8);
  EXPECT_EQ(o.profiling_verbosity, ProfilingVerbosity::kDetailed);
  EXPECT_EQ(o.workspace_bytes, int64_t(512) << 20);
  EXPECT_TRUE(o.skip_inference);
  EXPECT_TRUE(o.fp16);
  EXPECT_FALSE(o.bf16);  // 8.6 has no bf16
  EXPECT_TRUE(hasWarning(p, "--nvtxMode flag has been deprecated"));
  EXPECT_TRUE(hasWarning(p, "--workspace flag has been deprecated"));
  EXPECT_TRUE(hasWarning(p, "--explicitBatch"));
  EXPECT_TRUE(hasWarning(p, "--buildOnly"));
  EXPECT_EQ(p.warnings.size(), 4u);  // nvtxMode's own spelling "verbose" is not warned about again
  // 8.6: MiB only, no suffix; no bf16, stronglyTyped, infStreams.
  EXPECT_NE(parseError({"--trtexecVersion=8.6", "--onnx=m.onnx", "--memPoolSize=workspace:1G"}), "");
  EXPECT_EQ(parseOk({"--trtexecVersion=8.6", "--onnx=m", "--memPoolSize=workspace:64"}).options.workspace_bytes,
            int64_t(64) << 20);
  EXPECT_EQ(parseError({"--trtexecVersion=8.6", "--onnx=m.onnx", "--bf16"}), "Unknown option: --bf16 ");
  EXPECT_EQ(parseError({"--trtexecVersion=8.6", "--onnx=m.onnx", "--stronglyTyped"}),
            "Unknown option: --stronglyTyped ");
  EXPECT_EQ(parseError({"--trtexecVersion=8.6", "--onnx=m.onnx", "--infStreams=2"}), "Unknown option: --infStreams 2");
  EXPECT_EQ(parseError({"--trtexecVersion=8.6", "--onnx=m.onnx", "--noCudaGraph"}), "Unknown option: --noCudaGraph ");
}

TEST(BenchOptions, Dialect10) {
  // 10.x: --nvtxMode, --workspace and --explicitBatch are gone.
  EXPECT_EQ(parseError({"--onnx=m.onnx", "--nvtxMode=verbose"}), "Unknown option: --nvtxMode verbose");
  EXPECT_EQ(parseError({"--onnx=m.onnx", "--workspace=512"}), "Unknown option: --workspace 512");
  EXPECT_EQ(parseError({"--onnx=m.onnx", "--explicitBatch"}), "Unknown option: --explicitBatch ");
  EXPECT_EQ(parseError({"--onnx=m.onnx", "--includeDataTransfers"}), "Unknown option: --includeDataTransfers ");
  ParsedOptions p = parseOk({"--onnx=m.onnx", "--stronglyTyped", "--infStreams=3", "--memPoolSize=workspace:256M"});
  EXPECT_TRUE(p.options.strongly_typed);
  EXPECT_EQ(p.options.streams, 3);
  EXPECT_EQ(p.options.workspace_bytes, int64_t(256) << 20);
  // --best: every reduced precision.
  ParsedOptions b = parseOk({"--onnx=m.onnx", "--best"});
  EXPECT_TRUE(b.options.fp16 && b.options.bf16);
  // 10.14+ deprecates the precision flags; 10.13 does not.
  EXPECT_TRUE(hasWarning(b, "deprecated"));
  EXPECT_FALSE(hasWarning(parseOk({"--trtexecVersion=10.13", "--onnx=m.onnx", "--fp16"}), "deprecated"));
  EXPECT_EQ(parseOk({"--trtexecVersion=10.13", "--onnx=m"}).options.version.minor, 13);
}

TEST(BenchOptions, Dialect11) {
  ParsedOptions p = parseOk({"--trtexecVersion=11", "--onnx=m.onnx"});
  const BenchOptions& o = p.options;
  EXPECT_TRUE(o.cuda_graph);
  EXPECT_FALSE(o.data_transfers);
  EXPECT_TRUE(o.spin_wait);
  EXPECT_TRUE(o.separate_profile_run);
  EXPECT_TRUE(o.strongly_typed);
  ParsedOptions off = parseOk({"--trtexecVersion=11", "--onnx=m.onnx", "--noCudaGraph", "--includeDataTransfers",
                               "--noSpinWait"});
  EXPECT_FALSE(off.options.cuda_graph);
  EXPECT_TRUE(off.options.data_transfers);
  EXPECT_FALSE(off.options.spin_wait);
  // Old flags are no-ops with a warning.
  ParsedOptions old = parseOk({"--trtexecVersion=11", "--onnx=m.onnx", "--useCudaGraph", "--noDataTransfers",
                               "--useSpinWait", "--separateProfileRun", "--stronglyTyped", "--streams=2"});
  EXPECT_TRUE(old.options.cuda_graph);
  EXPECT_FALSE(old.options.data_transfers);
  EXPECT_TRUE(hasWarning(old, "--useCudaGraph flag is a deprecated no-op"));
  EXPECT_TRUE(hasWarning(old, "--separateProfileRun flag is a deprecated no-op"));
  EXPECT_TRUE(hasWarning(old, "--stronglyTyped is a no-op"));
  EXPECT_TRUE(hasWarning(old, "--streams flag has been deprecated"));
  EXPECT_EQ(old.options.streams, 2);
  // Precision flags are removed in 11.
  EXPECT_EQ(parseError({"--trtexecVersion=11", "--onnx=m.onnx", "--fp16"}), "Unknown option: --fp16 ");
  EXPECT_EQ(parseError({"--trtexecVersion=11", "--onnx=m.onnx", "--best"}), "Unknown option: --best ");
  // Profiling always has a run of its own in 11.
  EXPECT_TRUE(parseOk({"--trtexecVersion=11", "--onnx=m", "--dumpProfile"}).options.profileInSeparateRun());
  EXPECT_FALSE(parseOk({"--onnx=m", "--dumpProfile"}).options.profileInSeparateRun());
}

TEST(BenchOptions, Contradictions) {
  EXPECT_EQ(parseError({"--trtexecVersion=11", "--onnx=m.onnx", "--useCudaGraph", "--noCudaGraph"}),
            "--useCudaGraph and --noCudaGraph contradict each other");
  EXPECT_EQ(parseError({"--trtexecVersion=11", "--onnx=m.onnx", "--noDataTransfers", "--includeDataTransfers"}),
            "--noDataTransfers and --includeDataTransfers contradict each other");
  EXPECT_EQ(parseError({"--trtexecVersion=11", "--onnx=m.onnx", "--useSpinWait", "--noSpinWait"}),
            "--useSpinWait and --noSpinWait contradict each other");
  EXPECT_NE(parseError({"--onnx=m.onnx", "--loadEngine=e.plan"}).find("--loadEngine and --onnx"), std::string::npos);
  EXPECT_NE(parseError({"--onnx=m.onnx", "--stronglyTyped", "--fp16"}).find("--stronglyTyped cannot be combined"),
            std::string::npos);
  EXPECT_NE(parseError({"--onnx=m.onnx", "--stronglyTyped", "--best"}).find("--stronglyTyped"), std::string::npos);
  EXPECT_EQ(parseError({"--onnx=m.onnx", "--iterations=-3"}), "--iterations=-3: expected a positive count");
  EXPECT_EQ(parseError({"--onnx=m.onnx", "--iterations=abc"}), "--iterations=abc: expected an integer");
  EXPECT_EQ(parseError({"--onnx=m.onnx", "--percentile=90,101"}), "--percentile=90,101: expected percentiles in [0,100]");
  EXPECT_NE(parseError({"--onnx=m.onnx", "--warmUp=-1"}), "");
  EXPECT_NE(parseError({"--onnx=m.onnx", "--duration=-2"}), "");
  EXPECT_NE(parseError({"--onnx=m.onnx", "--streams=0"}), "");
  EXPECT_NE(parseError({"--onnx=m.onnx", "--avgRuns=0"}), "");
  EXPECT_NE(parseError({"--onnx=m.onnx", "--device=gpu0"}), "");
  EXPECT_NE(parseError({"--onnx=m.onnx", "--profilingVerbosity=loud"}), "");
  EXPECT_NE(parseError({"--onnx=m.onnx", "--memPoolSize=scratch:1"}), "");
  EXPECT_NE(parseError({"--onnx=m.onnx", "--shapes=x"}), "");
  EXPECT_NE(parseError({"--onnx=m.onnx", "--shapes=x:1x-2"}), "");
  EXPECT_NE(parseError({"--onnx=m.onnx", "--shapes=x:1,x:2"}).find("given twice"), std::string::npos);
  EXPECT_NE(parseError({"--onnx=m.onnx", "--loadInputs=x"}), "");
  EXPECT_NE(parseError({"--onnx=m.onnx", "--streams=2", "--infStreams=2"}), "");
  EXPECT_NE(parseError({"--onnx=m.onnx", "--trtexecVersion=9"}).find("--trtexecVersion"), std::string::npos);
  EXPECT_NE(parseError({"--iterations=5"}).find("no model given"), std::string::npos);
  EXPECT_NE(parseError({"--loadEngine=e", "--optShapes=x:1"}).find("build options"), std::string::npos);
  EXPECT_NE(parseError({"--onnx=m", "--skipInference", "--exportTimes=t.json"}).find("--skipInference"),
            std::string::npos);
}

TEST(BenchOptions, DurationMinusOneRunsUntilInterrupted) {
  EXPECT_EQ(parseOk({"--onnx=m", "--duration=-1"}).options.duration_s, -1.0F);
}

TEST(BenchOptions, ProfilingVerbosityAliases) {
  ParsedOptions p = parseOk({"--onnx=m", "--profilingVerbosity=default"});
  EXPECT_EQ(p.options.profiling_verbosity, ProfilingVerbosity::kLayerNamesOnly);
  EXPECT_TRUE(hasWarning(p, "deprecated"));
  EXPECT_EQ(parseOk({"--onnx=m", "--profilingVerbosity=verbose"}).options.profiling_verbosity,
            ProfilingVerbosity::kDetailed);
  EXPECT_EQ(parseOk({"--onnx=m", "--profilingVerbosity=none"}).options.profiling_verbosity, ProfilingVerbosity::kNone);
}

TEST(BenchOptions, CpuDeviceAndIgnoredOptions) {
  ParsedOptions p = parseOk({"--onnx=m", "--device=cpu", "--useCudaGraph", "--noTF32", "--builderOptimizationLevel=5"});
  EXPECT_EQ(p.options.device, engine::Device::kCpu);
  EXPECT_FALSE(p.options.cuda_graph);
  EXPECT_TRUE(hasWarning(p, "CPU device has no CUDA graphs"));
  EXPECT_TRUE(hasWarning(p, "--noTF32 has no counterpart"));
  EXPECT_TRUE(hasWarning(p, "--builderOptimizationLevel has no counterpart"));
}

TEST(BenchOptions, HelpNeedsNoModel) {
  EXPECT_TRUE(parseOk({"--help"}).options.help);
  EXPECT_TRUE(parseOk({"-h"}).options.help);
  std::string h10 = helpText(TrtexecVersion{10, 16});
  std::string h11 = helpText(TrtexecVersion{11, 0});
  std::string h86 = helpText(TrtexecVersion{8, 6});
  EXPECT_NE(h10.find("--useCudaGraph"), std::string::npos);
  EXPECT_EQ(h10.find("--noCudaGraph"), std::string::npos);
  EXPECT_NE(h11.find("--noCudaGraph"), std::string::npos);
  EXPECT_EQ(h11.find("--fp16"), std::string::npos);
  EXPECT_NE(h86.find("--nvtxMode"), std::string::npos);
  EXPECT_LT(h10.find("=== Model Options ==="), h10.find("=== Build Options ==="));
  EXPECT_LT(h10.find("=== Build Options ==="), h10.find("=== Inference Options ==="));
  EXPECT_LT(h10.find("=== Inference Options ==="), h10.find("=== Reporting Options ==="));
  EXPECT_LT(h10.find("=== Reporting Options ==="), h10.find("=== System Options ==="));
  EXPECT_LT(h10.find("=== System Options ==="), h10.find("=== Help ==="));
}

TEST(BenchOptions, ExportTimesWithAttachedProfilerWarns) {
  ParsedOptions p = parseOk({"--onnx=m", "--dumpProfile", "--exportTimes=t.json"});
  EXPECT_TRUE(hasWarning(p, "no times are exported"));
  EXPECT_FALSE(hasWarning(parseOk({"--onnx=m", "--dumpProfile", "--separateProfileRun", "--exportTimes=t.json"}),
                          "no times are exported"));
}

}  // namespace
}  // namespace gpuscope::bench
