// The GPU execution context: device buffers for the arena, the workspace and
// each IO tensor; layers enqueued in order on one stream, each inside an NVTX
// range of domain "TensorRT" named like TensorRT names it (trt_naming.md §3),
// optional CUDA events per layer, and CUDA-graph capture with fallback.
//
// Each context owns its cuDNN / cuBLASLt handles and its own GpuLayer
// instances (made by the registry, then given the engine's chosen tactics):
// a layer keeps its handle and sets the handle's stream at enqueue
// (cudnnSetStream), so layers shared by contexts driven from several host
// threads (bench --streams=N --threads) would race — a conv of one context
// launched on another's stream, or concurrent use of one cudnnHandle_t,
// which cuDNN forbids. Shared by all contexts, read-only: the optimized
// graph, the memory plan, the weights buffer and the NVRTC kernel cache
// (thread-safe).
//
// Per-layer profiling: a start and an end event around each layer. Launched
// layer by layer, a pair also measures the host's launch gaps whenever the
// GPU waits for the CPU; so the profiling context captures the inference
// with the events as event-record nodes (cudaEventRecordExternal) into a
// CUDA graph, and each pair then brackets only the layer's GPU work.
#include <cuda_runtime.h>
#include <fmt/format.h>
#include <nvtx3/nvToolsExt.h>

#include <algorithm>

#include "engine/gpu/cuda_check.h"
#include "engine/runtime/contexts.h"
#include "engine/runtime/layer_info.h"

namespace gpuscope::engine {
namespace {

// TensorRT's domain: gpuscope trace / analyze --layers read both ours and its.
nvtxDomainHandle_t nvtxDomain() {
  static nvtxDomainHandle_t d = nvtxDomainCreateA("TensorRT");
  return d;
}

void nvtxPush(const char* text) {
  nvtxEventAttributes_t a{};
  a.version = NVTX_VERSION;
  a.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
  a.messageType = NVTX_MESSAGE_TYPE_ASCII;
  a.message.ascii = text;
  nvtxDomainRangePushEx(nvtxDomain(), &a);
}

void nvtxPop() { nvtxDomainRangePop(nvtxDomain()); }

class GpuExecutionContext final : public ExecutionContext {
 public:
  GpuExecutionContext(const EngineImpl& e, const ContextOptions& o) : e_(e), options_(o) {}

  ~GpuExecutionContext() override {
    // Teardown errors cannot be reported from a destructor. Layers hold
    // descriptors made with this context's handles: destroyed first.
    layers_.clear();
    resources_.reset();
    if (exec_) (void)cudaGraphExecDestroy(exec_);
    for (cudaEvent_t ev : events_) (void)cudaEventDestroy(ev);
    for (void* p : io_) (void)cudaFree(p);
    if (arena_) (void)cudaFree(arena_);
    if (workspace_) (void)cudaFree(workspace_);
  }

  Status init() {
    const Graph& g = e_.graph_;
    if (e_.memory_.arena_bytes > 0)
      GS_CUDA_CHECK(cudaMalloc(&arena_, size_t(e_.memory_.arena_bytes)), fmt::format("activation arena ({} bytes)", e_.memory_.arena_bytes));
    if (e_.workspace_bytes_ > 0)
      GS_CUDA_CHECK(cudaMalloc(&workspace_, size_t(e_.workspace_bytes_)), fmt::format("workspace ({} bytes)", e_.workspace_bytes_));
    for (ValueId v : g.inputs) GS_RETURN_IF_ERROR(allocIo(g.values[size_t(v)]));
    for (ValueId v : g.outputs) GS_RETURN_IF_ERROR(allocIo(g.values[size_t(v)]));
    GS_RETURN_IF_ERROR(createLayers());
    bindings_.resize(e_.layers_.size());
    for (size_t l = 0; l < e_.layers_.size(); ++l) {
      const Node& node = g.nodes[size_t(e_.layers_[l].node)];
      LayerBindings& b = bindings_[l];
      for (ValueId v : node.inputs) b.inputs.push_back(v == kNoValue ? nullptr : address(e_.memory_.values[size_t(v)]));
      for (ValueId v : node.outputs) b.outputs.push_back(address(e_.memory_.values[size_t(v)]));
      b.workspace = workspace_;
      // Like TensorRT's setNvtxVerbosity, a context cannot exceed the build's level.
      if (options_.nvtx == ProfilingVerbosity::kDetailed && e_.verbosity_ == ProfilingVerbosity::kDetailed)
        nvtx_text_.push_back(layerDetailJson(g, e_.layers_[l]));
      else
        nvtx_text_.push_back(e_.layers_[l].name);
    }
    if (options_.profile_layers) {
      events_.resize(2 * e_.layers_.size());
      for (cudaEvent_t& ev : events_) GS_CUDA_CHECK(cudaEventCreate(&ev), "per-layer profiling events");
    }
    return OkStatus();
  }

  void* buffer(const std::string& name) override {
    const Graph& g = e_.graph_;
    for (size_t i = 0; i < g.inputs.size(); ++i)
      if (g.values[size_t(g.inputs[i])].name == name) return io_[i];
    for (size_t i = 0; i < g.outputs.size(); ++i)
      if (g.values[size_t(g.outputs[i])].name == name) return io_[g.inputs.size() + i];
    return nullptr;
  }

  Status enqueue(void* stream) override {
    auto s = static_cast<cudaStream_t>(stream);
    if (exec_) {
      GS_CUDA_CHECK(cudaGraphLaunch(exec_, s), "ExecutionContext::enqueue (CUDA graph)");
      ran_ = true;  // the graph re-records the per-layer events, if any
      return OkStatus();
    }
    GS_RETURN_IF_ERROR(enqueueLayers(s));
    ran_ = true;
    return OkStatus();
  }

  StatusOr<bool> captureGraph(void* stream, const LogSink& log) override {
    auto warn = [&](const std::string& why) {
      (void)cudaGetLastError();  // leave no error behind for the layer-by-layer path
      if (log) log('W', "CUDA graph capture failed: " + why + "; running layer by layer");
      return false;
    };
    if (exec_) return true;
    auto s = static_cast<cudaStream_t>(stream);
    cudaError_t err = cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal);
    if (err != cudaSuccess) return warn(fmt::format("cudaStreamBeginCapture: {}", cudaGetErrorString(err)));
    capturing_ = true;  // per-layer events become event-record nodes of the graph
    Status st = enqueueLayers(s);
    capturing_ = false;
    cudaGraph_t graph = nullptr;
    err = cudaStreamEndCapture(s, &graph);
    if (!st.ok() || err != cudaSuccess || graph == nullptr) {
      if (graph) (void)cudaGraphDestroy(graph);
      return warn(!st.ok() ? st.message() : fmt::format("cudaStreamEndCapture: {}", cudaGetErrorString(err)));
    }
    cudaGraphExec_t exec = nullptr;
    err = cudaGraphInstantiate(&exec, graph, 0);
    (void)cudaGraphDestroy(graph);
    if (err != cudaSuccess) return warn(fmt::format("cudaGraphInstantiate: {}", cudaGetErrorString(err)));
    exec_ = exec;
    return true;
  }

  StatusOr<LayerTimes> lastLayerTimes() override {
    if (!options_.profile_layers) return InvalidInput("lastLayerTimes: the context was created without profile_layers");
    if (!ran_) return InvalidInput("lastLayerTimes: no inference has run yet");
    LayerTimes t;
    t.ms.assign(e_.layers_.size(), 0.f);
    if (events_.empty()) return t;
    GS_CUDA_CHECK(cudaEventSynchronize(events_.back()), "lastLayerTimes");
    for (size_t l = 0; l < e_.layers_.size(); ++l)
      GS_CUDA_CHECK(cudaEventElapsedTime(&t.ms[l], events_[2 * l], events_[2 * l + 1]), e_.layers_[l].name);
    return t;
  }

 private:
  Status allocIo(const Value& v) {
    void* p = nullptr;
    GS_CUDA_CHECK(cudaMalloc(&p, size_t(std::max<int64_t>(v.desc.bytes(), 256))), fmt::format("buffer of '{}'", v.name));
    io_.push_back(p);
    return OkStatus();
  }

  void* address(const ValueLocation& loc) const {
    switch (loc.storage) {
      case Storage::kArena: return static_cast<char*>(arena_) + loc.offset;
      case Storage::kWeights: return static_cast<char*>(e_.gpu_->weights()) + loc.offset;
      case Storage::kInput: return io_[size_t(loc.offset)];
      case Storage::kOutput: return io_[e_.graph_.inputs.size() + size_t(loc.offset)];
      case Storage::kNone: break;
    }
    return nullptr;
  }

  // This context's layers: the registry's implementation of each layer's
  // node, made with this context's handles and given the tactic the builder
  // chose (as Engine::load does). The plan's workspace must still fit.
  Status createLayers() {
    const Graph& g = e_.graph_;
    GS_ASSIGN_OR_RETURN(resources_, GpuResources::create());
    GpuContext& ctx = resources_->context();
    const GpuLayerRegistry& registry = GpuLayerRegistry::instance();
    layers_.reserve(e_.layers_.size());
    for (const LayerRecord& rec : e_.layers_) {
      GS_ASSIGN_OR_RETURN(std::unique_ptr<GpuLayer> layer, registry.create(g, rec.node, ctx));
      Status st = layer->select(rec.tactic_value);
      if (!st.ok())
        return InternalError(fmt::format("execution context: layer '{}' cannot take the engine's tactic 0x{:016x}: {}",
                                         rec.name, rec.tactic_value, st.message()));
      if (int64_t(layer->workspaceBytes()) > e_.workspace_bytes_)
        return InternalError(fmt::format("execution context: layer '{}' needs {} bytes of workspace, the plan has {}",
                                         rec.name, layer->workspaceBytes(), e_.workspace_bytes_));
      layers_.push_back(std::move(layer));
    }
    return OkStatus();
  }

  // Outside capture a plain record; inside, an event-record node (a plain
  // record would only mark a capture dependency, timing nothing).
  cudaError_t recordEvent(cudaEvent_t ev, cudaStream_t s) const {
    return cudaEventRecordWithFlags(ev, s, capturing_ ? cudaEventRecordExternal : cudaEventRecordDefault);
  }

  Status enqueueLayers(cudaStream_t s) {
    const bool nvtx = options_.nvtx != ProfilingVerbosity::kNone && e_.verbosity_ != ProfilingVerbosity::kNone;
    if (nvtx) nvtxPush("ExecutionContext::enqueue");
    Status st = enqueueBody(s, nvtx);
    if (nvtx) nvtxPop();
    return st;
  }

  Status enqueueBody(cudaStream_t s, bool nvtx) {
    for (size_t l = 0; l < e_.layers_.size(); ++l) {
      const std::string& name = e_.layers_[l].name;
      if (nvtx) nvtxPush(nvtx_text_[l].c_str());
      if (!events_.empty()) GS_CUDA_CHECK(recordEvent(events_[2 * l], s), name);
      Status st = layers_[l]->enqueue(bindings_[l], s);
      cudaError_t launch = cudaGetLastError();
      if (st.ok() && !events_.empty()) {
        cudaError_t rec = recordEvent(events_[2 * l + 1], s);
        if (launch == cudaSuccess) launch = rec;
      }
      if (nvtx) nvtxPop();
      GS_RETURN_IF_ERROR(st);
      GS_CUDA_CHECK(launch, fmt::format("layer '{}'", name));
    }
    for (const OutputCopy& c : e_.memory_.output_copies)
      GS_CUDA_CHECK(cudaMemcpyAsync(io_[e_.graph_.inputs.size() + size_t(c.output)], address(c.from), size_t(c.bytes),
                                    cudaMemcpyDeviceToDevice, s),
                    fmt::format("copy to output '{}'", e_.graph_.values[size_t(e_.graph_.outputs[size_t(c.output)])].name));
    return OkStatus();
  }

  const EngineImpl& e_;
  ContextOptions options_;
  std::unique_ptr<GpuResources> resources_;       // this context's cuDNN / cuBLASLt handles
  std::vector<std::unique_ptr<GpuLayer>> layers_;  // parallel to e_.layers_, made with resources_
  bool capturing_ = false;
  void* arena_ = nullptr;
  void* workspace_ = nullptr;
  std::vector<void*> io_;  // inputs then outputs
  std::vector<LayerBindings> bindings_;
  std::vector<std::string> nvtx_text_;
  std::vector<cudaEvent_t> events_;  // start/end per layer
  cudaGraphExec_t exec_ = nullptr;
  bool ran_ = false;
};

}  // namespace

StatusOr<std::unique_ptr<ExecutionContext>> createGpuContext(const EngineImpl& engine, const ContextOptions& options) {
  auto ctx = std::make_unique<GpuExecutionContext>(engine, options);
  GS_RETURN_IF_ERROR(ctx->init());
  return std::unique_ptr<ExecutionContext>(std::move(ctx));
}

StatusOr<std::unique_ptr<ExecutionContext>> ExecutionContext::create(const Engine& engine, const ContextOptions& options) {
  const auto* impl = dynamic_cast<const EngineImpl*>(&engine);
  if (!impl) return InvalidInput("ExecutionContext::create: not an engine made by gpuscope's builder or loader");
  if (impl->device() == Device::kCpu) return createCpuContext(*impl, options);
  return createGpuContext(*impl, options);
}

}  // namespace gpuscope::engine
