// The bench run after parsing: option echo, device information, engine build
// or load, shape and input checks, the timed run with its report and
// --exportTimes, the profiling run (separate, or attached to the timed run
// in 8.6/10 without --separateProfileRun), and the other exports.
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fmt/format.h>
#include <thread>

#include "base/file.h"
#include "base/version.h"
#include "bench/bench.h"
#include "bench/echo.h"
#include "bench/exports.h"
#include "bench/inference.h"
#include "bench/report.h"
#include "engine/onnx/onnx_import.h"

namespace gpuscope::bench {
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void onInterrupt(int) { g_interrupted.store(true); }

double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// gpuscope engines are built for one shape per input: --shapes, else
// --optShapes. min/max are checked to bracket it.
StatusOr<std::map<std::string, engine::Shape>> buildShapes(const BenchOptions& o) {
  std::map<std::string, engine::Shape> out;
  for (const auto& [name, s] : o.opt_shapes) out[name] = s;
  for (const auto& [name, s] : o.shapes) {
    auto it = out.find(name);
    if (it != out.end() && it->second != s)
      return InvalidInput(fmt::format("--shapes={}={} differs from --optShapes={}={}: gpuscope engines are built "
                                      "for one shape per input",
                                      name, dimsText(s), name, dimsText(it->second)));
    out[name] = s;
  }
  for (const ShapeList* bound : {&o.min_shapes, &o.max_shapes}) {
    const bool is_min = bound == &o.min_shapes;
    for (const auto& [name, s] : *bound) {
      auto it = out.find(name);
      if (it == out.end())
        return InvalidInput(fmt::format("--{}Shapes names '{}' but --optShapes/--shapes do not", is_min ? "min" : "max",
                                        name));
      bool ok = s.size() == it->second.size();
      for (size_t i = 0; ok && i < s.size(); ++i) ok = is_min ? s[i] <= it->second[i] : s[i] >= it->second[i];
      if (!ok)
        return InvalidInput(fmt::format("--{}Shapes={}={} does not bracket the opt shape {}", is_min ? "min" : "max",
                                        name, dimsText(s), dimsText(it->second)));
    }
  }
  return out;
}

std::string inputNames(const std::vector<engine::IoTensor>& io) {
  std::string s;
  for (const engine::IoTensor& t : io) {
    if (!t.is_input) continue;
    if (!s.empty()) s += ", ";
    s += t.name;
  }
  return s;
}

// Every tensor named by --shapes/--optShapes/--loadInputs must be an input.
Status checkNames(const BenchOptions& o, const std::vector<engine::IoTensor>& io) {
  auto isInput = [&io](const std::string& n) {
    for (const engine::IoTensor& t : io)
      if (t.is_input && t.name == n) return true;
    return false;
  };
  for (const auto& [opt, list] : {std::pair{"--shapes", &o.shapes}, std::pair{"--minShapes", &o.min_shapes},
                                  std::pair{"--optShapes", &o.opt_shapes}, std::pair{"--maxShapes", &o.max_shapes}})
    for (const auto& [name, shape] : *list)
      if (!isInput(name))
        return InvalidInput(fmt::format("{}: '{}' is not an input of the model (inputs: {})", opt, name, inputNames(io)));
  for (const auto& [name, file] : o.load_inputs)
    if (!isInput(name))
      return InvalidInput(fmt::format("--loadInputs: '{}' is not an input of the model (inputs: {})", name,
                                      inputNames(io)));
  // A loaded engine has fixed shapes: --shapes must repeat them.
  if (!o.load_engine.empty()) {
    for (const auto& [name, shape] : o.shapes)
      for (const engine::IoTensor& t : io)
        if (t.name == name && t.desc.shape != shape)
          return InvalidInput(fmt::format("--shapes={}:{}: the engine {} was built for {}", name, dimsText(shape),
                                          o.load_engine, dimsText(t.desc.shape)));
  }
  return OkStatus();
}

StatusOr<std::unique_ptr<engine::Engine>> makeEngine(const BenchOptions& o, Logger& log) {
  engine::LogSink sink = [&log](char severity, const std::string& msg) { log.log(severity, msg, true); };
  const auto t0 = std::chrono::steady_clock::now();
  if (!o.load_engine.empty()) {
    GS_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> e, engine::Engine::load(o.load_engine, sink));
    if (e->device() != o.device)
      return InvalidInput(fmt::format("{}: the engine was built for the {} device, --device asks for the {}",
                                      o.load_engine, e->device() == engine::Device::kCpu ? "cpu" : "GPU",
                                      o.device == engine::Device::kCpu ? "cpu" : "GPU"));
    log.info(fmt::format("Engine deserialized in {} sec.", num(secondsSince(t0))));
    return e;
  }
  engine::BuildOptions bo;
  GS_ASSIGN_OR_RETURN(bo.shapes, buildShapes(o));
  bo.fp16 = o.fp16;
  bo.bf16 = o.bf16;
  bo.device = o.device;
  bo.verbosity = o.profiling_verbosity;
  bo.timing_cache_file = o.timing_cache_file;
  bo.avg_timing = o.avg_timing;
  if (o.workspace_bytes >= 0) bo.workspace_bytes = o.workspace_bytes;
  log.info("Start parsing network model.");
  GS_ASSIGN_OR_RETURN(engine::Graph graph, engine::importOnnx(o.onnx));
  log.info(fmt::format("Finished parsing network model. Parse time: {}", num(secondsSince(t0))));
  // Shape options must name inputs; dynamic inputs without a shape get 1 for
  // every -1 dim, with trtexec's warning (its literal has no separator).
  std::vector<engine::IoTensor> inputs;
  for (engine::ValueId v : graph.inputs) inputs.push_back({graph.values[size_t(v)].name, graph.values[size_t(v)].desc, true});
  GS_RETURN_IF_ERROR(checkNames(o, inputs));
  for (const engine::IoTensor& in : inputs) {
    if (bo.shapes.count(in.name)) continue;
    engine::Shape s = in.desc.shape;
    bool dynamic = false;
    for (int64_t& d : s)
      if (d < 0) {
        d = 1;
        dynamic = true;
      }
    if (!dynamic) continue;
    log.warn("Shape missing for input with dynamic shape: " + in.name + "Automatically setting shape to: " + dimsText(s));
    bo.shapes[in.name] = s;
  }
  GS_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> e, engine::Engine::buildFromGraph(std::move(graph), bo, sink));
  log.info(fmt::format("Engine built in {} sec.", num(secondsSince(t0))));
  return e;
}

struct RunResult {
  std::vector<InferenceTrace> trace;
  Profile profile;
  std::vector<OutputTensor> outputs;
};

StatusOr<RunResult> runOnce(const BenchOptions& o, const RunSetup& setup, bool want_outputs, Logger& log) {
  std::unique_ptr<InferenceDevice> dev;
  if (o.device == engine::Device::kCpu) {
    GS_ASSIGN_OR_RETURN(dev, createCpuDevice(setup, log));
  } else {
    GS_ASSIGN_OR_RETURN(dev, createGpuDevice(setup, log));
  }
  LoopSettings ls;
  ls.iterations = o.iterations;
  ls.warmup_ms = o.warmup_ms;
  ls.duration_ms = o.duration_s < 0 ? -1.0F : o.duration_s * 1000.0F;
  ls.idle_ms = o.idle_ms;
  ls.depth = o.expose_dma ? 1 : 2;
  if (o.sleep_ms > 0) std::this_thread::sleep_for(std::chrono::duration<float, std::milli>(o.sleep_ms));
  const bool until_interrupt = o.duration_s < 0;
  if (until_interrupt) {
    log.warn("--duration=-1 is specified, inference will run in an endless loop until stopped manually with SIGINT "
             "(Ctrl+C).");
    g_interrupted.store(false);
    std::signal(SIGINT, onInterrupt);
  }
  GS_RETURN_IF_ERROR(dev->startClock());
  StatusOr<std::vector<InferenceTrace>> trace = runInferenceLoops(dev->streams(), ls, o.threads, &g_interrupted);
  if (until_interrupt) std::signal(SIGINT, SIG_DFL);
  if (!trace.ok()) return trace.status();
  RunResult r;
  r.trace = std::move(*trace);
  r.profile = dev->takeProfile();
  if (want_outputs) { GS_ASSIGN_OR_RETURN(r.outputs, dev->outputs()); }
  return r;
}

}  // namespace

Status runParsed(const BenchOptions& o, Logger& log) {
  printOptionEcho(o, log);
  log.info("=== Device Information ===");
  if (o.device == engine::Device::kCpu) {
    log.info("Selected Device: CPU (gpuscope reference engine; all times are host clock times)");
  } else {
    GS_ASSIGN_OR_RETURN(std::vector<std::string> lines, gpuDeviceInformation(o.device_index));
    for (const std::string& l : lines) log.info(l);
  }
  log.info("");
  log.info(std::string("gpuscope version: ") + kVersion);

  GS_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> eng, makeEngine(o, log));
  const std::vector<engine::IoTensor> io = eng->io();
  GS_RETURN_IF_ERROR(checkNames(o, io));
  if (!o.save_engine.empty()) {
    GS_RETURN_IF_ERROR(eng->save(o.save_engine));
    std::error_code ec;
    const auto size = std::filesystem::file_size(o.save_engine, ec);
    if (!ec) log.info(fmt::format("Created engine with size: {} MiB", num(double(size) / (1 << 20))));
    log.info("Saved engine to " + o.save_engine);
  }
  if (!o.export_layer_info.empty()) {
    GS_RETURN_IF_ERROR(writeFileAtomic(o.export_layer_info, eng->layerInfoJson(o.profiling_verbosity)));
    log.info("Layer information exported to " + o.export_layer_info);
  }
  if (o.skip_inference) {
    log.info("Skipped inference phase since --skipInference is added.");
    return OkStatus();
  }

  RunSetup setup;
  setup.engine = eng.get();
  setup.streams = o.streams;
  setup.data_transfers = o.data_transfers;
  setup.spin_wait = o.spin_wait;
  setup.cuda_graph = o.cuda_graph;
  setup.nvtx = o.profiling_verbosity;
  setup.device_index = o.device_index;
  for (const engine::IoTensor& t : io) {
    if (!t.is_input) continue;
    std::string file;
    for (const auto& [name, f] : o.load_inputs)
      if (name == t.name) file = f;
    if (file.empty()) {
      log.info("Using random values for input " + t.name);
    } else {
      GS_ASSIGN_OR_RETURN(setup.inputs[t.name], loadInputFile(t.name, file, t.desc.bytes()));
      log.info("Using values loaded from " + file + " for input " + t.name);
    }
    log.info("Input binding for " + t.name + " with dimensions " + dimsText(t.desc.shape) + " is created.");
  }
  for (const engine::IoTensor& t : io)
    if (!t.is_input) log.info("Output binding for " + t.name + " with dimensions " + dimsText(t.desc.shape) + " is created.");

  // 8.6/10 without --separateProfileRun: the profiler rides on the timed run
  // and no performance summary is printed (its synchronisation distorts it).
  const bool profile_attached = o.profiling() && !o.profileInSeparateRun();
  setup.profile_layers = profile_attached;
  log.info("Starting inference");
  GS_ASSIGN_OR_RETURN(RunResult timed, runOnce(o, setup, !o.export_output.empty(), log));
  Profile profile;
  if (profile_attached) {
    profile = std::move(timed.profile);
    log.info("The e2e network timing is not reported since it is inaccurate due to the extra synchronizations when "
             "the profiler is enabled.");
    log.info("To show e2e network timing report, add --separateProfileRun to profile layer timing in a separate run "
             "or remove --dumpProfile to disable the profiler.");
  } else {
    const ReportSettings rs = reportSettings(o);
    GS_ASSIGN_OR_RETURN(Summary sum, printPerformanceReport(timed.trace, rs, log));
    if (!o.export_times.empty()) {
      GS_RETURN_IF_ERROR(writeFileAtomic(o.export_times, timesJson(timed.trace, sum.warmups)));
    }
  }
  if (o.profileInSeparateRun()) {
    setup.profile_layers = true;
    GS_ASSIGN_OR_RETURN(RunResult prof, runOnce(o, setup, false, log));
    profile = std::move(prof.profile);
  }
  if (o.dump_profile) printProfile(profile, log);
  if (!o.export_profile.empty()) GS_RETURN_IF_ERROR(writeFileAtomic(o.export_profile, profileJson(profile)));
  if (!o.export_output.empty()) GS_RETURN_IF_ERROR(writeFileAtomic(o.export_output, outputJson(timed.outputs)));
  return OkStatus();
}

}  // namespace gpuscope::bench
