// trtexec's command line (reference/trtexec.md §1-2) in the dialects of
// TensorRT 8.6, 10.x and 11.x. `--trtexecVersion` (gpuscope's own option,
// default 10 = 10.16) selects which spellings exist and which defaults apply:
// in 11 CUDA graphs, spin-wait and the separate profiling run are on and data
// transfers off; `--fp16/--bf16/--best` are gone and builds are strongly typed.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "engine/runtime/engine.h"

namespace gpuscope::bench {

struct TrtexecVersion {
  int major = 10;
  int minor = 16;  // 10.x: the last release (10.16) unless `--trtexecVersion=10.N`
  bool atLeast(int ma, int mi) const { return major > ma || (major == ma && minor >= mi); }
  std::string text() const;  // "8.6", "10.16", "11.0"
};

using ShapeList = std::vector<std::pair<std::string, engine::Shape>>;  // in command-line order

struct BenchOptions {
  TrtexecVersion version;
  bool help = false;
  // Model
  std::string onnx;
  // Build
  ShapeList min_shapes, opt_shapes, max_shapes;
  bool fp16 = false, bf16 = false, best = false, strongly_typed = false;
  std::string save_engine, load_engine, timing_cache_file;
  engine::ProfilingVerbosity profiling_verbosity = engine::ProfilingVerbosity::kLayerNamesOnly;
  int64_t workspace_bytes = -1;  // --memPoolSize=workspace:N / --workspace=N; -1 = engine default
  int avg_timing = 8;
  bool skip_inference = false;
  // Inference
  ShapeList shapes;
  std::vector<std::pair<std::string, std::string>> load_inputs;  // name -> file
  int iterations = 10;
  float warmup_ms = 200;
  float duration_s = 3;     // -1: until SIGINT
  float sleep_ms = 0, idle_ms = 0;
  int streams = 1;
  bool expose_dma = false;
  bool data_transfers = true;   // 11: false
  bool spin_wait = false;       // 11: true
  bool threads = false;
  bool cuda_graph = false;      // 11: true
  bool separate_profile_run = false;  // 11: always
  // Reporting
  bool verbose = false;
  int avg_runs = 10;
  std::vector<float> percentiles{90, 95, 99};
  bool dump_profile = false, dump_layer_info = false, dump_output = false;
  std::string export_times, export_profile, export_layer_info, export_output;
  // System
  engine::Device device = engine::Device::kGpu;
  int device_index = 0;

  // Whether layer profiling happens at all, and whether it has a run of its own.
  bool profiling() const { return dump_profile || !export_profile.empty(); }
  bool profileInSeparateRun() const { return profiling() && (separate_profile_run || version.major >= 11); }
};

struct ParsedOptions {
  BenchOptions options;
  std::vector<std::string> warnings;  // deprecations, no-ops, ignored options (printed as [W])
};

// Parses trtexec-style arguments (without the program name). Bad values,
// contradictions and options left over are InvalidInput (exit 2); leftovers
// read "Unknown option: <key> <value>", one line each.
StatusOr<ParsedOptions> parseBenchOptions(const std::vector<std::string>& args);

// "name:AxBxC,name2:D" (quoted names allowed; `scalar` or nothing = rank 0).
StatusOr<ShapeList> parseShapeSpec(const std::string& option, const std::string& spec);

// trtexec's help text for the selected dialect.
std::string helpText(const TrtexecVersion& version);

}  // namespace gpuscope::bench
