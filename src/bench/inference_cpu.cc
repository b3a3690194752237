// --device=cpu: the measurement loop on the CPU reference engine with host
// clocks. "Transfers" are the copies between the caller's input/output
// buffers and the context's tensors, so every metric exists; enqueue runs the
// whole inference synchronously, so Enqueue Time equals GPU Compute Time.
#include <chrono>
#include <cstring>
#include <mutex>

#include "bench/inference.h"

namespace gpuscope::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct HostBuffer {
  std::string name;
  std::vector<uint8_t> host;  // the caller's copy
  void* tensor = nullptr;     // the context's buffer
};

class CpuDevice;

class CpuStream : public QueryBackend {
 public:
  CpuStream(CpuDevice* dev, int id, std::unique_ptr<engine::ExecutionContext> ctx)
      : dev_(dev), id_(id), ctx_(std::move(ctx)) {}
  Status init(const RunSetup& setup);
  Status query(int slot) override;
  StatusOr<InferenceTrace> sync(int slot) override { return done_[size_t(slot) % 2]; }
  const std::vector<HostBuffer>& outputs() const { return outputs_; }

 private:
  CpuDevice* dev_;
  int id_;
  std::unique_ptr<engine::ExecutionContext> ctx_;
  std::vector<HostBuffer> inputs_, outputs_;
  bool transfers_ = true, profile_ = false;
  InferenceTrace done_[2];
};

class CpuDevice : public InferenceDevice {
 public:
  std::vector<QueryBackend*> streams() override {
    std::vector<QueryBackend*> out;
    for (auto& s : streams_) out.push_back(s.get());
    return out;
  }
  Status startClock() override {
    start_ = Clock::now();
    return OkStatus();
  }
  StatusOr<std::vector<OutputTensor>> outputs() override {
    std::vector<OutputTensor> out;
    for (const HostBuffer& b : streams_.front()->outputs()) {
      for (const engine::IoTensor& io : engine_->io())
        if (io.name == b.name) out.push_back({b.name, io.desc.shape, io.desc.dtype, b.host});
    }
    return out;
  }
  Profile takeProfile() override { return std::move(profile_); }

  float ms() const { return std::chrono::duration<float, std::milli>(Clock::now() - start_).count(); }
  void addLayerTimes(const std::vector<float>& t) {
    std::lock_guard<std::mutex> lock(mu_);
    profile_.addIteration(t);
  }

  const engine::Engine* engine_ = nullptr;
  std::vector<std::unique_ptr<CpuStream>> streams_;
  Profile profile_;
  Clock::time_point start_ = Clock::now();
  std::mutex mu_;
};

Status CpuStream::init(const RunSetup& setup) {
  transfers_ = setup.data_transfers;
  profile_ = setup.profile_layers;
  uint32_t seed = 1;
  for (const engine::IoTensor& io : setup.engine->io()) {
    HostBuffer b{io.name, {}, ctx_->buffer(io.name)};
    if (!b.tensor && io.desc.bytes() > 0)
      return InternalError("execution context has no buffer for tensor '" + io.name + "'");
    if (io.is_input) {
      auto it = setup.inputs.find(io.name);
      b.host = it != setup.inputs.end() ? it->second : defaultInputBytes(io.desc, seed++);
      // The context reads its own buffer: fill it once, so runs without
      // transfers still compute on these values.
      if (b.tensor && !b.host.empty()) std::memcpy(b.tensor, b.host.data(), b.host.size());
      inputs_.push_back(std::move(b));
    } else {
      b.host.assign(size_t(std::max<int64_t>(io.desc.bytes(), 0)), 0);
      outputs_.push_back(std::move(b));
    }
  }
  return OkStatus();
}

Status CpuStream::query(int slot) {
  InferenceTrace t;
  t.stream = id_;
  t.h2d_start = dev_->ms();
  if (transfers_)
    for (HostBuffer& b : inputs_)
      if (b.tensor && !b.host.empty()) std::memcpy(b.tensor, b.host.data(), b.host.size());
  t.h2d_end = dev_->ms();
  t.compute_start = t.enq_start = transfers_ ? t.h2d_end : t.h2d_start;
  if (!transfers_) t.h2d_end = t.h2d_start = t.compute_start;
  GS_RETURN_IF_ERROR(ctx_->enqueue(nullptr));
  t.compute_end = t.enq_end = dev_->ms();
  t.d2h_start = t.compute_end;
  if (transfers_) {
    for (HostBuffer& b : outputs_)
      if (b.tensor && !b.host.empty()) std::memcpy(b.host.data(), b.tensor, b.host.size());
    t.d2h_end = dev_->ms();
  } else {
    t.d2h_end = t.d2h_start;
  }
  if (profile_) {
    GS_ASSIGN_OR_RETURN(engine::LayerTimes lt, ctx_->lastLayerTimes());
    dev_->addLayerTimes(lt.ms);
  }
  done_[size_t(slot) % 2] = t;
  return OkStatus();
}

}  // namespace

StatusOr<std::unique_ptr<InferenceDevice>> createCpuDevice(const RunSetup& setup, Logger& log) {
  auto dev = std::make_unique<CpuDevice>();
  dev->engine_ = setup.engine;
  for (const engine::LayerRecord& l : setup.engine->layers()) dev->profile_.layers.push_back({l.name, 0.0F, {}});
  engine::ContextOptions copts;
  copts.nvtx = setup.nvtx;
  copts.profile_layers = setup.profile_layers;
  for (int i = 0; i < setup.streams; ++i) {
    GS_ASSIGN_OR_RETURN(std::unique_ptr<engine::ExecutionContext> ctx,
                        engine::ExecutionContext::create(*setup.engine, copts));
    auto s = std::make_unique<CpuStream>(dev.get(), i, std::move(ctx));
    GS_RETURN_IF_ERROR(s->init(setup));
    dev->streams_.push_back(std::move(s));
  }
  if (!setup.profile_layers) dev->profile_.layers.clear();
  return std::unique_ptr<InferenceDevice>(std::move(dev));
}

}  // namespace gpuscope::bench
