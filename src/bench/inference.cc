#include "bench/inference.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <random>
#include <thread>

#include "engine/ir/dtype.h"

namespace gpuscope::bench {
namespace {

// One stream's slots, as trtexec's Iteration: query() fills the next free
// slot, sync() waits for the oldest outstanding one.
struct Slots {
  QueryBackend* backend;
  int depth;
  int next = 0;
  std::vector<bool> active;

  Status query() {
    if (active[size_t(next)]) return OkStatus();
    GS_RETURN_IF_ERROR(backend->query(next));
    active[size_t(next)] = true;
    next = (next + 1) % depth;
    return OkStatus();
  }
  // computeStart of the completed query, 0 when the slot was idle.
  StatusOr<float> sync(std::vector<InferenceTrace>* trace) {
    if (!active[size_t(next)]) return 0.0F;
    GS_ASSIGN_OR_RETURN(InferenceTrace t, backend->sync(next));
    trace->push_back(t);
    active[size_t(next)] = false;
    return t.compute_start;
  }
  Status syncAll(std::vector<InferenceTrace>* trace) {
    for (int d = 0; d < depth; ++d) {
      GS_ASSIGN_OR_RETURN(float ignored, sync(trace));
      (void)ignored;
      next = (next + 1) % depth;
    }
    return OkStatus();
  }
};

}  // namespace

Status inferenceLoop(const std::vector<QueryBackend*>& streams, const LoopSettings& s,
                     std::vector<InferenceTrace>* trace, const std::atomic<bool>* stop) {
  std::vector<Slots> slots;
  for (QueryBackend* b : streams) slots.push_back({b, s.depth, 0, std::vector<bool>(size_t(s.depth), false)});
  const float max_duration_ms =
      s.duration_ms < 0 ? std::numeric_limits<float>::infinity() : s.warmup_ms + s.duration_ms;
  float duration_ms = 0;
  int64_t skip = 0;
  for (int64_t i = 0; i < s.iterations + skip || duration_ms < max_duration_ms; ++i) {
    if (stop && stop->load()) break;
    for (Slots& st : slots) GS_RETURN_IF_ERROR(st.query());
    for (Slots& st : slots) {
      GS_ASSIGN_OR_RETURN(float cs, st.sync(trace));
      duration_ms = std::max(duration_ms, cs);
    }
    if (duration_ms < s.warmup_ms) {  // warming up: complete steps do not count
      if (duration_ms != 0) ++skip;
      continue;
    }
    if (s.idle_ms > 0) std::this_thread::sleep_for(std::chrono::duration<float, std::milli>(s.idle_ms));
  }
  for (Slots& st : slots) GS_RETURN_IF_ERROR(st.syncAll(trace));
  return OkStatus();
}

StatusOr<std::vector<InferenceTrace>> runInferenceLoops(const std::vector<QueryBackend*>& streams,
                                                        const LoopSettings& s, bool threads,
                                                        const std::atomic<bool>* stop) {
  std::vector<InferenceTrace> merged;
  if (!threads || streams.size() <= 1) {
    GS_RETURN_IF_ERROR(inferenceLoop(streams, s, &merged, stop));
  } else {
    std::vector<std::vector<InferenceTrace>> traces(streams.size());
    std::vector<Status> status(streams.size());
    std::vector<std::thread> pool;
    for (size_t i = 0; i < streams.size(); ++i)
      pool.emplace_back([&, i] { status[i] = inferenceLoop({streams[i]}, s, &traces[i], stop); });
    for (std::thread& t : pool) t.join();
    for (const Status& st : status) GS_RETURN_IF_ERROR(st);
    for (auto& t : traces) merged.insert(merged.end(), t.begin(), t.end());
  }
  std::stable_sort(merged.begin(), merged.end(),
                   [](const InferenceTrace& a, const InferenceTrace& b) { return a.h2d_start < b.h2d_start; });
  return merged;
}

std::vector<uint8_t> defaultInputBytes(const engine::TensorDesc& desc, uint32_t seed) {
  using engine::DType;
  std::vector<uint8_t> bytes(size_t(std::max<int64_t>(desc.bytes(), 0)), 0);
  if (!engine::isFloat(desc.dtype)) return bytes;
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0F, 1.0F);
  const int64_t n = desc.elements();
  for (int64_t i = 0; i < n; ++i) {
    const float v = dist(gen);
    switch (desc.dtype) {
      case DType::kFloat32: std::memcpy(&bytes[size_t(i) * 4], &v, 4); break;
      case DType::kFloat64: { double d = v; std::memcpy(&bytes[size_t(i) * 8], &d, 8); break; }
      case DType::kFloat16: { uint16_t h = engine::floatToHalf(v); std::memcpy(&bytes[size_t(i) * 2], &h, 2); break; }
      case DType::kBFloat16: { uint16_t h = engine::floatToBf16(v); std::memcpy(&bytes[size_t(i) * 2], &h, 2); break; }
      default: break;
    }
  }
  return bytes;
}

}  // namespace gpuscope::bench
