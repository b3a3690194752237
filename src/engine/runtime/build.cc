// Engine::buildFromGraph: shapes bound and inferred, the optimizer run, then
// the CPU or GPU plan made. trtexec's INFO lines frame the build.
#include <fmt/format.h>

#include "engine/passes/infer_shapes.h"
#include "engine/passes/pipeline.h"
#include "engine/runtime/build_internal.h"
#include "engine/runtime/engine_impl.h"

namespace gpuscope::engine {

Precision precisionOf(const BuildOptions& options) {
  // --best allows both; fp16 is the faster on every GPU this engine targets.
  if (options.fp16) return Precision::kFp16;
  if (options.bf16) return Precision::kBf16;
  return Precision::kFp32;
}

DType computeTypeOf(Precision p) {
  switch (p) {
    case Precision::kFp16: return DType::kFloat16;
    case Precision::kBf16: return DType::kBFloat16;
    case Precision::kFp32: break;
  }
  return DType::kFloat32;
}

StatusOr<std::unique_ptr<Engine>> buildEngine(Graph graph, const BuildOptions& options, const LogSink& log,
                                              int64_t start_ns) {
  auto V = [&](const std::string& m) {
    if (log) log('V', m);
  };
  GS_RETURN_IF_ERROR(bindInputShapes(graph, options.shapes));
  GS_RETURN_IF_ERROR(inferShapes(graph));
  auto e = std::make_unique<EngineImpl>();
  e->device_ = options.device;
  e->precision_ = precisionOf(options);
  e->verbosity_ = options.verbosity;
  if (options.optimize) {
    PassLog passes;
    Status s = optimize(graph, OptimizeOptions{computeTypeOf(e->precision_), true}, passes);
    for (const std::string& line : passes.lines()) V(line);
    GS_RETURN_IF_ERROR(s);
  }
  graph.compact();
  e->graph_ = std::move(graph);
  GS_RETURN_IF_ERROR(makeLayerRecords(*e));
  int64_t generation = monotonicNs();
  if (options.device == Device::kCpu) {
    GS_RETURN_IF_ERROR(e->planSteps());
    GS_RETURN_IF_ERROR(makeCpuLayers(*e));
  } else {
    TimingOptions topts;
    topts.avg_timing = options.avg_timing;
    topts.workspace_limit = options.workspace_bytes;
    topts.timing_cache_file = options.timing_cache_file;
    GS_RETURN_IF_ERROR(buildGpuPlan(*e, topts, log));
  }
  if (log) {
    V("Engine Layer Information:");
    for (const LayerRecord& l : e->layers_)
      V(fmt::format("Layer({}): {}, Tactic: 0x{:016x}", l.layer_type, l.name, l.tactic_value));
    V(fmt::format("Total Activation Memory: {} bytes, Weights: {} bytes, Workspace: {} bytes", e->memory_.arena_bytes,
                  e->memory_.weight_bytes, e->workspace_bytes_));
    V(fmt::format("Engine generation completed in {:.6g} seconds.", secondsSince(generation)));
    log('I', fmt::format("Engine built in {:.6g} sec.", secondsSince(start_ns)));
    // The size trtexec reports is that of the serialized plan.
    log('I', fmt::format("Created engine with size: {:.6g} MiB", double(e->serialized().size()) / (1024.0 * 1024.0)));
  }
  return std::unique_ptr<Engine>(std::move(e));
}

StatusOr<std::unique_ptr<Engine>> Engine::buildFromGraph(Graph graph, const BuildOptions& options, const LogSink& log) {
  return buildEngine(std::move(graph), options, log, monotonicNs());
}

}  // namespace gpuscope::engine
