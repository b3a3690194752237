// GPU plan: one GpuLayer per layer, memory planned and weights uploaded, and
// a tactic per layer — the saved one when loading, else the fastest measured
// (or remembered by the timing cache). The log follows TensorRT 10's verbose
// lines (reference/trtexec.md §7) so explore's build-log reader reads it.
#include <cuda_runtime.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <random>

#include "engine/gpu/cuda_check.h"
#include "engine/runtime/engine_impl.h"
#include "engine/runtime/layer_info.h"
#include "engine/runtime/timing_cache.h"

namespace gpuscope::engine {
namespace {

// Scratch tensors for timing: one read-only random region per float dtype
// (all inputs of that dtype point at it), zeros for integer inputs (valid
// indices), and separate output and workspace regions.
class TimingScratch {
 public:
  ~TimingScratch() {
    for (void* p : {fp32_, fp16_, bf16_, zeros_, out_, ws_})
      if (p) (void)cudaFree(p);
  }

  StatusOr<const void*> input(DType t, int64_t bytes) {
    StatusOr<void*> p = t == DType::kFloat32    ? grow(fp32_, fp32_bytes_, bytes, t)
                        : t == DType::kFloat16  ? grow(fp16_, fp16_bytes_, bytes, t)
                        : t == DType::kBFloat16 ? grow(bf16_, bf16_bytes_, bytes, t)
                                                : grow(zeros_, zeros_bytes_, bytes, t);
    if (!p.ok()) return p.status();
    return static_cast<const void*>(*p);
  }
  StatusOr<void*> output(int64_t bytes) { return growRaw(out_, out_bytes_, bytes); }
  StatusOr<void*> workspace(int64_t bytes) { return growRaw(ws_, ws_bytes_, bytes); }

 private:
  StatusOr<void*> growRaw(void*& p, int64_t& have, int64_t need) {
    if (need <= have) return p;
    if (p) GS_CUDA_CHECK(cudaFree(p), "timing scratch");
    p = nullptr;
    have = 0;
    GS_CUDA_CHECK(cudaMalloc(&p, size_t(std::max<int64_t>(need, 256))), fmt::format("timing scratch ({} bytes)", need));
    have = need;
    return p;
  }

  StatusOr<void*> grow(void*& p, int64_t& have, int64_t need, DType t) {
    if (need <= have) return p;
    GS_ASSIGN_OR_RETURN(void* d, growRaw(p, have, need));
    std::vector<uint8_t> host(size_t(need), 0);
    std::uniform_real_distribution<float> dist(-1.f, 1.f);
    int64_t n = need / int64_t(dtypeSize(t));
    if (t == DType::kFloat32) {
      auto* f = reinterpret_cast<float*>(host.data());
      for (int64_t i = 0; i < n; ++i) f[i] = dist(rng_);
    } else if (t == DType::kFloat16 || t == DType::kBFloat16) {
      auto* h = reinterpret_cast<uint16_t*>(host.data());
      for (int64_t i = 0; i < n; ++i) h[i] = t == DType::kFloat16 ? floatToHalf(dist(rng_)) : floatToBf16(dist(rng_));
    }
    GS_CUDA_CHECK(cudaMemcpy(d, host.data(), host.size(), cudaMemcpyHostToDevice), "timing scratch fill");
    return d;
  }

  std::mt19937 rng_{12345};
  void *fp32_ = nullptr, *fp16_ = nullptr, *bf16_ = nullptr, *zeros_ = nullptr, *out_ = nullptr, *ws_ = nullptr;
  int64_t fp32_bytes_ = 0, fp16_bytes_ = 0, bf16_bytes_ = 0, zeros_bytes_ = 0, out_bytes_ = 0, ws_bytes_ = 0;
};

struct TimingStream {
  cudaStream_t stream = nullptr;
  cudaEvent_t start = nullptr, stop = nullptr;
  ~TimingStream() {
    if (start) (void)cudaEventDestroy(start);
    if (stop) (void)cudaEventDestroy(stop);
    if (stream) (void)cudaStreamDestroy(stream);
  }
};

std::string runnerId(std::string_view layer_type) {
  return fmt::format("0x{:08x}", 0x80000000u | uint32_t(fnv1a64(layer_type.data(), layer_type.size()) & 0xffffu));
}

// Tactic names go into "Tactic Name: <name>" (no spaces: log readers split on them).
std::string logName(std::string name) {
  std::replace(name.begin(), name.end(), ' ', '_');
  return name.empty() ? "unnamed" : name;
}

// trtexec's "Autotuning format combination: Float(150528,50176,224,1) -> ..." line.
std::string formatCombination(const Graph& g, const Node& node) {
  auto one = [&](ValueId v) {
    const TensorDesc& d = g.values[size_t(v)].desc;
    return fmt::format("{}({})", weightTypeName(d.dtype), fmt::join(contiguousStrides(d.shape), ","));
  };
  std::vector<std::string> ins, outs;
  for (ValueId v : node.inputs)
    if (v != kNoValue && !g.isConstant(v)) ins.push_back(one(v));
  for (ValueId v : node.outputs) outs.push_back(one(v));
  return fmt::format("*************** Autotuning format combination: {} -> {} ***************", fmt::join(ins, ", "),
                     fmt::join(outs, ", "));
}

// GPU time of `runs` back-to-back enqueues between two events, per run.
StatusOr<double> timeDirect(GpuLayer& layer, const LayerBindings& b, TimingStream& ts, int runs, const std::string& where) {
  GS_CUDA_CHECK(cudaEventRecord(ts.start, ts.stream), where);
  for (int i = 0; i < runs; ++i) GS_RETURN_IF_ERROR(layer.enqueue(b, ts.stream));
  GS_CUDA_CHECK(cudaEventRecord(ts.stop, ts.stream), where);
  GS_CUDA_CHECK(cudaEventSynchronize(ts.stop), where);
  GS_CUDA_CHECK(cudaGetLastError(), where);
  float ms = 0;
  GS_CUDA_CHECK(cudaEventElapsedTime(&ms, ts.start, ts.stop), where);
  return double(ms) / runs;
}

// The same runs captured into a CUDA graph and launched once: the engine
// runs as a graph, and a directly launched layer measures the library's
// host overhead instead of its kernels whenever the host is slower than the
// GPU (cuDNN's legacy API spends tens of microseconds per call, so small
// convolutions would pick the algorithm with the cheapest host path).
// nullopt when the layer cannot be captured.
StatusOr<std::optional<double>> timeCaptured(GpuLayer& layer, const LayerBindings& b, TimingStream& ts, int runs,
                                             const std::string& where) {
  if (cudaStreamBeginCapture(ts.stream, cudaStreamCaptureModeThreadLocal) != cudaSuccess) {
    (void)cudaGetLastError();
    return std::optional<double>();
  }
  bool enqueued = true;
  for (int i = 0; i < runs && enqueued; ++i) enqueued = layer.enqueue(b, ts.stream).ok();
  cudaGraph_t graph = nullptr;
  cudaError_t end = cudaStreamEndCapture(ts.stream, &graph);
  cudaGraphExec_t exec = nullptr;
  bool ok = enqueued && end == cudaSuccess && graph != nullptr &&
            cudaGraphInstantiate(&exec, graph, 0) == cudaSuccess;
  if (graph) (void)cudaGraphDestroy(graph);
  if (!ok) {
    if (exec) (void)cudaGraphExecDestroy(exec);
    (void)cudaGetLastError();
    return std::optional<double>();
  }
  float ms = 0;
  cudaError_t err = cudaGraphLaunch(exec, ts.stream);  // warm-up launch (uploads the graph)
  if (err == cudaSuccess) err = cudaEventRecord(ts.start, ts.stream);
  if (err == cudaSuccess) err = cudaGraphLaunch(exec, ts.stream);
  if (err == cudaSuccess) err = cudaEventRecord(ts.stop, ts.stream);
  if (err == cudaSuccess) err = cudaEventSynchronize(ts.stop);
  if (err == cudaSuccess) err = cudaEventElapsedTime(&ms, ts.start, ts.stop);
  (void)cudaGraphExecDestroy(exec);
  GS_CUDA_CHECK(err, where);
  return std::optional<double>(double(ms) / runs);
}

// Times one tactic: 1 warm-up, then `runs` enqueues, captured in a CUDA
// graph when the layer allows it, else launched directly.
StatusOr<double> timeTactic(GpuLayer& layer, const LayerBindings& b, TimingStream& ts, int runs, const std::string& where) {
  GS_RETURN_IF_ERROR(layer.enqueue(b, ts.stream));
  GS_CUDA_CHECK(cudaGetLastError(), where);
  GS_CUDA_CHECK(cudaStreamSynchronize(ts.stream), where);
  GS_ASSIGN_OR_RETURN(std::optional<double> captured, timeCaptured(layer, b, ts, runs, where));
  if (captured) return *captured;
  return timeDirect(layer, b, ts, runs, where);
}

}  // namespace

Status buildGpuPlan(EngineImpl& e, const TimingOptions& options, const LogSink& log) {
  auto V = [&](const std::string& m) {
    if (log) log('V', m);
  };
  GS_ASSIGN_OR_RETURN(e.gpu_, GpuResources::create());
  GpuContext& ctx = e.gpu_->context();
  e.cc_major_ = ctx.cc_major;
  e.cc_minor_ = ctx.cc_minor;
  GS_RETURN_IF_ERROR(e.planSteps());
  GS_RETURN_IF_ERROR(e.gpu_->uploadWeights(e.graph_, e.memory_));

  const Graph& g = e.graph_;
  const GpuLayerRegistry& registry = GpuLayerRegistry::instance();
  e.gpu_layers_.clear();
  for (LayerRecord& rec : e.layers_) {
    GS_ASSIGN_OR_RETURN(std::unique_ptr<GpuLayer> layer, registry.create(g, rec.node, ctx));
    rec.layer_type = std::string(layer->layerType());
    rec.parameter_type = std::string(layer->parameterType());
    e.gpu_layers_.push_back(std::move(layer));
  }

  int64_t start = monotonicNs();
  std::string warning;
  TimingCache cache;
  if (options.timing && !options.timing_cache_file.empty()) {
    cache = TimingCache::load(options.timing_cache_file, &warning);
    if (!warning.empty() && log) log('W', warning);
  }
  bool cache_changed = false;
  TimingScratch scratch;
  TimingStream ts;
  bool stream_ready = false;

  for (size_t i = 0; i < e.layers_.size(); ++i) {
    LayerRecord& rec = e.layers_[i];
    GpuLayer& layer = *e.gpu_layers_[i];
    const Node& node = g.nodes[size_t(rec.node)];
    const std::string where = g.describe(rec.node);
    std::vector<Tactic> tactics = layer.tactics();
    if (tactics.empty()) return InternalError(fmt::format("{}: GPU layer offers no tactic", where));
    auto choose = [&](uint64_t id) -> Status {
      auto it = std::find_if(tactics.begin(), tactics.end(), [&](const Tactic& t) { return t.id == id; });
      if (it == tactics.end())
        return InvalidInput(fmt::format("{}: tactic 0x{:016x} is not offered by layer '{}' ({})", where, id, rec.name,
                                        rec.layer_type));
      GS_RETURN_IF_ERROR(layer.select(id));
      rec.tactic_value = id;
      rec.tactic_name = it->name;
      return OkStatus();
    };
    if (!options.timing) {  // loading: the saved tactic, no timing
      GS_RETURN_IF_ERROR(choose(rec.tactic_value));
      continue;
    }
    if (tactics.size() == 1) {
      GS_RETURN_IF_ERROR(choose(tactics[0].id));
      continue;
    }
    const std::string runner = fmt::format("{} ({}[{}])", rec.name, rec.layer_type, runnerId(rec.layer_type));
    V(fmt::format("=============== Computing costs for {}", rec.name));
    std::string signature = layerSignature(g, rec.node, ctx.cc_major, ctx.cc_minor);
    if (auto hit = cache.find(signature)) {
      bool offered = std::any_of(tactics.begin(), tactics.end(), [&](const Tactic& t) { return t.id == hit->tactic; });
      if (offered) {
        V(fmt::format("{} timing cache hit: Tactic: 0x{:016x} Time: {:.6g}", runner, hit->tactic, hit->ms));
        GS_RETURN_IF_ERROR(choose(hit->tactic));
        V(fmt::format(">>>>>>>>>>>>>>> Chose Runner Type: {} Tactic: 0x{:016x}", rec.layer_type, hit->tactic));
        continue;
      }
    }
    if (!stream_ready) {
      GS_CUDA_CHECK(cudaStreamCreateWithFlags(&ts.stream, cudaStreamNonBlocking), "tactic timing");
      GS_CUDA_CHECK(cudaEventCreate(&ts.start), "tactic timing");
      GS_CUDA_CHECK(cudaEventCreate(&ts.stop), "tactic timing");
      stream_ready = true;
    }
    // Bindings: constants from the weights buffer, other inputs from scratch.
    LayerBindings b;
    int64_t out_bytes = 0;
    std::vector<int64_t> out_offsets;
    for (ValueId v : node.outputs) {
      out_offsets.push_back(out_bytes);
      out_bytes += alignUp(g.values[size_t(v)].desc.bytes(), kArenaAlignment);
    }
    GS_ASSIGN_OR_RETURN(void* out_base, scratch.output(out_bytes));
    for (int64_t off : out_offsets) b.outputs.push_back(static_cast<char*>(out_base) + off);
    // Grow each dtype's region to this layer's largest input first: growing
    // reallocates, which would invalidate pointers already handed out.
    for (ValueId v : node.inputs) {
      if (v == kNoValue || e.memory_.values[size_t(v)].storage == Storage::kWeights) continue;
      const TensorDesc& d = g.values[size_t(v)].desc;
      GS_RETURN_IF_ERROR(scratch.input(d.dtype, d.bytes()).status());
    }
    for (ValueId v : node.inputs) {
      if (v == kNoValue) {
        b.inputs.push_back(nullptr);
        continue;
      }
      const ValueLocation& loc = e.memory_.values[size_t(v)];
      if (loc.storage == Storage::kWeights) {
        b.inputs.push_back(static_cast<const char*>(e.gpu_->weights()) + loc.offset);
        continue;
      }
      const TensorDesc& d = g.values[size_t(v)].desc;
      GS_ASSIGN_OR_RETURN(const void* p, scratch.input(d.dtype, d.bytes()));
      b.inputs.push_back(p);
    }
    V(formatCombination(g, node));
    V(fmt::format("--------------- Timing Runner: {}", runner));
    int64_t layer_start = monotonicNs();
    double best_ms = -1;
    uint64_t best = 0;
    for (const Tactic& t : tactics) {
      Status s = layer.select(t.id);
      if (s.ok()) {
        int64_t ws = int64_t(layer.workspaceBytes());
        if (ws > options.workspace_limit) {
          V(fmt::format("Tactic Name: {} Tactic: 0x{:016x} skipped: needs {} bytes of workspace, limit {}",
                        logName(t.name), t.id, ws, options.workspace_limit));
          continue;
        }
        auto w = scratch.workspace(ws);
        if (!w.ok()) return w.status();
        b.workspace = ws > 0 ? *w : nullptr;
      }
      StatusOr<double> ms = s.ok() ? timeTactic(layer, b, ts, std::max(1, options.avg_timing), where) : StatusOr<double>(s);
      if (!ms.ok()) {
        (void)cudaGetLastError();  // a failed launch must not fail the next tactic
        V(fmt::format("Tactic Name: {} Tactic: 0x{:016x} skipped: {}", logName(t.name), t.id, ms.status().message()));
        continue;
      }
      V(fmt::format("Tactic Name: {} Tactic: 0x{:016x} Time: {:.6g}", logName(t.name), t.id, *ms));
      if (best_ms < 0 || *ms < best_ms) best_ms = *ms, best = t.id;
    }
    if (best_ms < 0) return InternalError(fmt::format("{}: every tactic of layer '{}' failed (see the verbose log)", where, rec.name));
    V(fmt::format("{} profiling completed in {:.6g} seconds. Fastest Tactic: 0x{:016x} Time: {:.6g}", runner,
                  secondsSince(layer_start), best, best_ms));
    V(fmt::format(">>>>>>>>>>>>>>> Chose Runner Type: {} Tactic: 0x{:016x}", rec.layer_type, best));
    GS_RETURN_IF_ERROR(choose(best));
    cache.put(signature, {best, best_ms});
    cache_changed = true;
  }
  if (options.timing) V(fmt::format("Formats and tactics selection completed in {:.6g} seconds.", secondsSince(start)));

  e.workspace_bytes_ = 0;
  for (const auto& layer : e.gpu_layers_) e.workspace_bytes_ = std::max(e.workspace_bytes_, int64_t(layer->workspaceBytes()));
  e.workspace_bytes_ = alignUp(e.workspace_bytes_, kArenaAlignment);
  if (cache_changed && !options.timing_cache_file.empty()) {
    Status s = cache.save(options.timing_cache_file);
    if (!s.ok() && log) log('W', "could not write the timing cache: " + s.message());
    else V(fmt::format("Saved timing cache with {} entries to {}", cache.size(), options.timing_cache_file));
  }
  return OkStatus();
}

}  // namespace gpuscope::engine
