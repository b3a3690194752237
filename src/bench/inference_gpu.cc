// The measurement loop's CUDA side, as trtexec (sampleInference.cpp): per
// inference stream an execution context, three CUDA streams (input, compute,
// output; one with --exposeDMA), pinned host buffers, and per slot the
// events INPUT_S/E, COMPUTE_S/E, OUTPUT_S/E. Blocking-sync events unless
// spin-wait. Times are cudaEventElapsedTime from the run's start event.
// The profiling run always launches a CUDA graph with the per-layer events
// as graph nodes (trtexec does so with --useCudaGraph): launched layer by
// layer, gpuscope's per-layer events would also time the host's launch
// gaps. With --threads each stream's context is driven by its own thread;
// contexts share no library handle or layer (engine/runtime/gpu_context.cc).
#include <cuda_runtime.h>

#include <chrono>
#include <cstring>
#include <fmt/format.h>
#include <mutex>

#include "bench/inference.h"

namespace gpuscope::bench {
namespace {

using Clock = std::chrono::steady_clock;

Status cudaStatus(cudaError_t e, const char* what) {
  if (e == cudaSuccess) return OkStatus();
  if (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver)
    return EnvironmentError(std::string(what) + ": " + cudaGetErrorString(e) +
                            " (no usable GPU: --device=cpu runs the CPU reference engine)");
  return InternalError(std::string(what) + ": " + cudaGetErrorString(e));
}
#define BENCH_CUDA(call) GS_RETURN_IF_ERROR(cudaStatus((call), #call))

enum Ev { kInS, kInE, kCompS, kCompE, kOutS, kOutE, kNumEv };

struct Binding {
  std::string name;
  void* device = nullptr;
  void* host = nullptr;  // pinned
  size_t bytes = 0;
  bool input = true;
};

class GpuDevice;

class GpuStream : public QueryBackend {
 public:
  GpuStream(GpuDevice* dev, int id) : dev_(dev), id_(id) {}
  ~GpuStream() override;
  Status init(const RunSetup& setup, const engine::ContextOptions& copts, Logger& log);
  Status query(int slot) override;
  StatusOr<InferenceTrace> sync(int slot) override;
  StatusOr<std::vector<OutputTensor>> outputs(const engine::Engine& engine);

 private:
  GpuDevice* dev_;
  int id_;
  std::unique_ptr<engine::ExecutionContext> ctx_;
  cudaStream_t in_ = nullptr, compute_ = nullptr, out_ = nullptr;
  cudaEvent_t ev_[2][kNumEv] = {};
  float enq_[2][2] = {};
  std::vector<Binding> bindings_;
  bool transfers_ = true, profile_ = false;
};

class GpuDevice : public InferenceDevice {
 public:
  ~GpuDevice() override {
    streams_.clear();
    if (start_event_) cudaEventDestroy(start_event_);
  }
  std::vector<QueryBackend*> streams() override {
    std::vector<QueryBackend*> out;
    for (auto& s : streams_) out.push_back(s.get());
    return out;
  }
  Status startClock() override {
    BENCH_CUDA(cudaDeviceSynchronize());
    start_cpu_ = Clock::now();
    BENCH_CUDA(cudaEventRecord(start_event_, nullptr));
    return OkStatus();
  }
  StatusOr<std::vector<OutputTensor>> outputs() override { return streams_.front()->outputs(*engine_); }
  Profile takeProfile() override { return std::move(profile_); }

  float hostMs(Clock::time_point t) const { return std::chrono::duration<float, std::milli>(t - start_cpu_).count(); }
  void addLayerTimes(const std::vector<float>& t) {
    std::lock_guard<std::mutex> lock(mu_);
    profile_.addIteration(t);
  }

  const engine::Engine* engine_ = nullptr;
  int device_index_ = 0;
  std::vector<std::unique_ptr<GpuStream>> streams_;
  cudaEvent_t start_event_ = nullptr;
  Clock::time_point start_cpu_ = Clock::now();
  Profile profile_;
  std::mutex mu_;
};

GpuStream::~GpuStream() {
  ctx_.reset();
  for (auto& slot : ev_)
    for (cudaEvent_t e : slot)
      if (e) cudaEventDestroy(e);
  for (Binding& b : bindings_)
    if (b.host) cudaFreeHost(b.host);
  for (cudaStream_t s : {in_, compute_, out_})
    if (s) cudaStreamDestroy(s);
}

Status GpuStream::init(const RunSetup& setup, const engine::ContextOptions& copts, Logger& log) {
  transfers_ = setup.data_transfers;
  profile_ = setup.profile_layers;
  GS_ASSIGN_OR_RETURN(ctx_, engine::ExecutionContext::create(*setup.engine, copts));
  BENCH_CUDA(cudaStreamCreateWithFlags(&compute_, cudaStreamNonBlocking));
  BENCH_CUDA(cudaStreamCreateWithFlags(&in_, cudaStreamNonBlocking));
  BENCH_CUDA(cudaStreamCreateWithFlags(&out_, cudaStreamNonBlocking));
  const unsigned flags = setup.spin_wait ? cudaEventDefault : cudaEventBlockingSync;
  for (auto& slot : ev_)
    for (cudaEvent_t& e : slot) BENCH_CUDA(cudaEventCreateWithFlags(&e, flags));
  uint32_t seed = 1;
  for (const engine::IoTensor& io : setup.engine->io()) {
    Binding b{io.name, ctx_->buffer(io.name), nullptr, size_t(std::max<int64_t>(io.desc.bytes(), 0)), io.is_input};
    if (!b.device && b.bytes) return InternalError("execution context has no buffer for tensor '" + io.name + "'");
    if (b.bytes) BENCH_CUDA(cudaMallocHost(&b.host, b.bytes));
    bindings_.push_back(b);  // owned from here (freed by the destructor)
    if (io.is_input && b.bytes) {
      auto it = setup.inputs.find(io.name);
      std::vector<uint8_t> data = it != setup.inputs.end() ? it->second : defaultInputBytes(io.desc, seed++);
      std::memcpy(b.host, data.data(), b.bytes);
      // Runs without transfers compute on these values too.
      BENCH_CUDA(cudaMemcpy(b.device, b.host, b.bytes, cudaMemcpyHostToDevice));
    }
  }
  auto sink = [&log](char sev, const std::string& msg) { log.log(sev, msg, true); };
  if (profile_) {
    log.info("Capturing CUDA graph of the profiling run (per-layer events as graph nodes)");
    GS_ASSIGN_OR_RETURN(bool captured, ctx_->captureGraph(compute_, sink));
    if (captured) {
      log.info("Successfully captured CUDA graph of the profiling run: layer times exclude launch gaps");
    } else {
      log.warn("The CUDA graph capture of the profiling run has failed: layers are launched one by one, and their "
               "times include host launch gaps whenever the GPU waits for the CPU.");
    }
  } else if (setup.cuda_graph) {
    log.info("Capturing CUDA graph for the current execution context");
    GS_ASSIGN_OR_RETURN(bool captured, ctx_->captureGraph(compute_, sink));
    if (captured) {
      log.info("Successfully captured CUDA graph for the current execution context");
    } else {
      log.warn("The CUDA graph capture on the stream has failed.");
      log.warn("The specified --useCudaGraph flag has been ignored. The inference will be launched without using "
               "CUDA graph launch.");
    }
  }
  return OkStatus();
}

Status GpuStream::query(int slot) {
  // With --threads each stream runs on a thread of its own, whose current
  // device starts at 0.
  thread_local int current_device = -1;
  if (current_device != dev_->device_index_) {
    BENCH_CUDA(cudaSetDevice(dev_->device_index_));
    current_device = dev_->device_index_;
  }
  cudaEvent_t* ev = ev_[slot];
  if (transfers_) {
    BENCH_CUDA(cudaEventRecord(ev[kInS], in_));
    for (const Binding& b : bindings_)
      if (b.input && b.bytes) BENCH_CUDA(cudaMemcpyAsync(b.device, b.host, b.bytes, cudaMemcpyHostToDevice, in_));
    BENCH_CUDA(cudaEventRecord(ev[kInE], in_));
    BENCH_CUDA(cudaStreamWaitEvent(compute_, ev[kInE], 0));
  }
  BENCH_CUDA(cudaEventRecord(ev[kCompS], compute_));
  enq_[slot][0] = dev_->hostMs(Clock::now());
  GS_RETURN_IF_ERROR(ctx_->enqueue(compute_));
  enq_[slot][1] = dev_->hostMs(Clock::now());
  BENCH_CUDA(cudaEventRecord(ev[kCompE], compute_));
  if (profile_) {
    GS_ASSIGN_OR_RETURN(engine::LayerTimes lt, ctx_->lastLayerTimes());
    dev_->addLayerTimes(lt.ms);
  }
  if (transfers_) {
    BENCH_CUDA(cudaStreamWaitEvent(out_, ev[kCompE], 0));
    BENCH_CUDA(cudaEventRecord(ev[kOutS], out_));
    for (const Binding& b : bindings_)
      if (!b.input && b.bytes) BENCH_CUDA(cudaMemcpyAsync(b.host, b.device, b.bytes, cudaMemcpyDeviceToHost, out_));
    BENCH_CUDA(cudaEventRecord(ev[kOutE], out_));
  }
  return OkStatus();
}

StatusOr<InferenceTrace> GpuStream::sync(int slot) {
  cudaEvent_t* ev = ev_[slot];
  BENCH_CUDA(cudaEventSynchronize(transfers_ ? ev[kOutE] : ev[kCompE]));
  auto since = [&](cudaEvent_t e) -> StatusOr<float> {
    float ms = 0;
    BENCH_CUDA(cudaEventElapsedTime(&ms, dev_->start_event_, e));
    return ms;
  };
  InferenceTrace t;
  t.stream = id_;
  t.enq_start = enq_[slot][0];
  t.enq_end = enq_[slot][1];
  GS_ASSIGN_OR_RETURN(t.compute_start, since(ev[kCompS]));
  GS_ASSIGN_OR_RETURN(t.compute_end, since(ev[kCompE]));
  if (transfers_) {
    GS_ASSIGN_OR_RETURN(t.h2d_start, since(ev[kInS]));
    GS_ASSIGN_OR_RETURN(t.h2d_end, since(ev[kInE]));
    GS_ASSIGN_OR_RETURN(t.d2h_start, since(ev[kOutS]));
    GS_ASSIGN_OR_RETURN(t.d2h_end, since(ev[kOutE]));
  } else {
    t.h2d_start = t.h2d_end = t.compute_start;
    t.d2h_start = t.d2h_end = t.compute_end;
  }
  return t;
}

StatusOr<std::vector<OutputTensor>> GpuStream::outputs(const engine::Engine& engine) {
  BENCH_CUDA(cudaDeviceSynchronize());
  std::vector<OutputTensor> out;
  for (const engine::IoTensor& io : engine.io()) {
    if (io.is_input) continue;
    OutputTensor o{io.name, io.desc.shape, io.desc.dtype, {}};
    o.bytes.resize(size_t(std::max<int64_t>(io.desc.bytes(), 0)));
    void* dev = ctx_->buffer(io.name);
    if (dev && !o.bytes.empty()) BENCH_CUDA(cudaMemcpy(o.bytes.data(), dev, o.bytes.size(), cudaMemcpyDeviceToHost));
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

StatusOr<std::unique_ptr<InferenceDevice>> createGpuDevice(const RunSetup& setup, Logger& log) {
  BENCH_CUDA(cudaSetDevice(setup.device_index));
  auto dev = std::make_unique<GpuDevice>();
  dev->engine_ = setup.engine;
  dev->device_index_ = setup.device_index;
  BENCH_CUDA(cudaEventCreate(&dev->start_event_));
  if (setup.profile_layers)
    for (const engine::LayerRecord& l : setup.engine->layers()) dev->profile_.layers.push_back({l.name, 0.0F, {}});
  engine::ContextOptions copts;
  copts.nvtx = setup.nvtx;
  copts.profile_layers = setup.profile_layers;
  for (int i = 0; i < setup.streams; ++i) {
    auto st = std::make_unique<GpuStream>(dev.get(), i);
    GS_RETURN_IF_ERROR(st->init(setup, copts, log));
    dev->streams_.push_back(std::move(st));
  }
  return std::unique_ptr<InferenceDevice>(std::move(dev));
}

StatusOr<std::vector<std::string>> gpuDeviceInformation(int device_index) {
  int count = 0;
  BENCH_CUDA(cudaGetDeviceCount(&count));
  if (device_index >= count)
    return InvalidInput(fmt::format("--device={}: only {} CUDA device(s) present", device_index, count));
  std::vector<std::string> lines{"Available Devices:"};
  auto uuidText = [](const cudaUUID_t& u) {
    const auto* b = reinterpret_cast<const unsigned char*>(u.bytes);
    std::string s = "GPU-";
    for (int i = 0; i < 16; ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
      s += fmt::format("{:02x}", b[i]);
    }
    return s;
  };
  cudaDeviceProp selected{};
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp p{};
    BENCH_CUDA(cudaGetDeviceProperties(&p, d));
    lines.push_back(fmt::format("  Device {}: \"{}\" UUID: {}", d, p.name, uuidText(p.uuid)));
    if (d == device_index) selected = p;
  }
  int clock_khz = 0, mem_clock_khz = 0;
  cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, device_index);
  cudaDeviceGetAttribute(&mem_clock_khz, cudaDevAttrMemoryClockRate, device_index);
  lines.push_back(fmt::format("Selected Device: {}", selected.name));
  lines.push_back(fmt::format("Selected Device ID: {}", device_index));
  lines.push_back(fmt::format("Selected Device UUID: {}", uuidText(selected.uuid)));
  lines.push_back(fmt::format("Compute Capability: {}.{}", selected.major, selected.minor));
  lines.push_back(fmt::format("SMs: {}", selected.multiProcessorCount));
  lines.push_back(fmt::format("Device Global Memory: {} MiB", selected.totalGlobalMem >> 20));
  lines.push_back(fmt::format("Shared Memory per SM: {} KiB", selected.sharedMemPerMultiprocessor >> 10));
  lines.push_back(fmt::format("Memory Bus Width: {} bits (ECC {})", selected.memoryBusWidth,
                              selected.ECCEnabled ? "enabled" : "disabled"));
  lines.push_back(fmt::format("Application Compute Clock Rate: {:g} GHz", clock_khz / 1e6));
  lines.push_back(fmt::format("Application Memory Clock Rate: {:g} GHz", mem_clock_khz / 1e6));
  return lines;
}

}  // namespace gpuscope::bench
