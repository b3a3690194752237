#include "bench/echo.h"

#include "bench/report.h"

namespace gpuscope::bench {
namespace {

const char* onOff(bool b) { return b ? "Enabled" : "Disabled"; }

// TensorRT's ProfilingVerbosity numbers: kLAYER_NAMES_ONLY 0, kNONE 1, kDETAILED 2.
int verbosityNumber(engine::ProfilingVerbosity v) {
  switch (v) {
    case engine::ProfilingVerbosity::kLayerNamesOnly: return 0;
    case engine::ProfilingVerbosity::kNone: return 1;
    case engine::ProfilingVerbosity::kDetailed: return 2;
  }
  return 0;
}

std::string shapeListText(const ShapeList& shapes) {
  std::string s;
  for (const auto& [name, shape] : shapes) {
    if (!s.empty()) s += ", ";
    s += name + "=" + dimsText(shape);
  }
  return s;
}

const engine::Shape* find(const ShapeList& l, const std::string& name) {
  for (const auto& [n, s] : l)
    if (n == name) return &s;
  return nullptr;
}

}  // namespace

std::string dimsText(const engine::Shape& shape) {
  if (shape.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(shape[i]);
  }
  return s;
}

void printOptionEcho(const BenchOptions& o, Logger& log) {
  const bool v86 = o.version.major == 8, v11 = o.version.major >= 11;
  const bool building = o.load_engine.empty();
  log.info("=== Model Options ===");
  log.info(std::string("Format: ") + (building ? "ONNX" : "*"));
  log.info("Model: " + o.onnx);
  log.info("Output:");
  if (building) {
    log.info("=== Build Options ===");
    std::string pools = "workspace: " + (o.workspace_bytes < 0 ? std::string("default")
                                                                : num(double(o.workspace_bytes) / (1 << 20)) + " MiB");
    pools += ", dlaSRAM: default, dlaLocalDRAM: default, dlaGlobalDRAM: default";
    if (!v86) pools += ", tacticSharedMem: default";
    log.info("Memory Pools: " + pools);
    log.info("avgTiming: " + std::to_string(o.avg_timing));
    std::string precision = "FP32";
    if (o.strongly_typed) precision = "Strongly Typed";
    else {
      if (o.fp16) precision += "+FP16";
      if (o.bf16) precision += "+BF16";
    }
    log.info("Precision: " + precision);
    log.info("Refit: Disabled");
    log.info("Sparsity: Disabled");
    log.info(std::string("Skip inference: ") + onOff(o.skip_inference));
    log.info("Save engine: " + o.save_engine);
    log.info("Load engine: " + o.load_engine);
    log.info("Profiling verbosity: " + std::to_string(verbosityNumber(o.profiling_verbosity)));
    log.info("timingCacheMode: " + std::string(o.timing_cache_file.empty() ? "local" : "global"));
    log.info("timingCacheFile: " + o.timing_cache_file);
    const ShapeList& build = o.opt_shapes.empty() ? o.shapes : o.opt_shapes;
    if (build.empty()) {
      log.info("Input build shapes: model");
    } else {
      for (const auto& [name, opt] : build) {
        const engine::Shape* mn = find(o.min_shapes, name);
        const engine::Shape* mx = find(o.max_shapes, name);
        log.info("Input build shape: " + name + "=" + dimsText(mn ? *mn : opt) + "+" + dimsText(opt) + "+" +
                 dimsText(mx ? *mx : opt));
      }
    }
  } else {
    log.info("");
  }
  log.info("=== System Options ===");
  log.info("Device: " + (o.device == engine::Device::kCpu ? std::string("cpu") : std::to_string(o.device_index)));
  log.info("DLACore: ");
  log.info("Plugins:");
  log.info("");
  log.info("=== Inference Options ===");
  log.info("Batch: Explicit");
  if (o.shapes.empty()) log.info("Input inference shapes: model");
  else log.info("Input inference shape : " + shapeListText(o.shapes));
  log.info("Iterations: " + std::to_string(o.iterations));
  log.info("Duration: " + num(o.duration_s) + "s (+ " + num(o.warmup_ms) + "ms warm up)");
  log.info("Sleep time: " + num(o.sleep_ms) + "ms");
  log.info("Idle time: " + num(o.idle_ms) + "ms");
  log.info((v86 ? "Streams: " : "Inference Streams: ") + std::to_string(o.streams));
  log.info(std::string("ExposeDMA: ") + onOff(o.expose_dma));
  log.info(std::string("Data transfers: ") + onOff(o.data_transfers));
  log.info(std::string("Spin-wait: ") + onOff(o.spin_wait));
  log.info(std::string("Multithreading: ") + onOff(o.threads));
  log.info(std::string("CUDA Graph: ") + onOff(o.cuda_graph));
  if (!v11) log.info(std::string("Separate profiling: ") + onOff(o.separate_profile_run));
  log.info("Time Deserialize: Disabled");
  log.info("Time Refit: Disabled");
  log.info("NVTX verbosity: " + std::to_string(verbosityNumber(o.profiling_verbosity)));
  log.info("Persistent Cache Ratio: 0");
  log.info("Inputs:");
  for (const auto& [name, file] : o.load_inputs) log.info(name + "<-" + file);
  log.info("=== Reporting Options ===");
  log.info(std::string("Verbose: ") + onOff(o.verbose));
  log.info("Averages: " + std::to_string(o.avg_runs) + " inferences");
  std::string pct;
  for (float p : o.percentiles) {
    if (!pct.empty()) pct += ',';
    pct += num(p);
  }
  log.info("Percentiles: " + pct);
  log.info("Dump refittable layers:Disabled");
  log.info("Dump output: Disabled");
  log.info(std::string("Profile: ") + onOff(o.profiling()));
  log.info("Export timing to JSON file: " + o.export_times);
  log.info("Export output to JSON file: " + o.export_output);
  log.info("Export profile to JSON file: " + o.export_profile);
  log.info("");
}

}  // namespace gpuscope::bench
