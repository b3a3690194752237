// Builds real CUPTI activity record structs (CUDA 13.0 layouts) in memory,
// as CUPTI would hand them to a buffer-completed callback, and runs the
// real decoder over them (Kineto's tests do the same). No GPU, no libcupti.
#pragma once

#include <cupti_activity.h>

#include <cstring>
#include <memory>
#include <vector>

#include "tracer/record_decoder.h"

namespace gpuscope::tracer::testing {

class FakeCuptiBuffer {
 public:
  template <typename T>
  T& add(CUpti_ActivityKind kind) {
    auto storage = std::make_unique<std::max_align_t[]>(sizeof(T) / sizeof(std::max_align_t) + 1);
    std::memset(storage.get(), 0, sizeof(T));
    T* r = reinterpret_cast<T*>(storage.get());
    r->kind = kind;
    records_.push_back(std::move(storage));
    return *r;
  }

  CUpti_ActivityKernel10& addKernel(uint64_t start, uint64_t end, uint32_t corr, uint32_t stream,
                                    const char* name = "_Z6squarePfi") {
    auto& k = add<CUpti_ActivityKernel10>(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
    k.start = start; k.end = end; k.correlationId = corr; k.streamId = stream;
    k.deviceId = 0; k.contextId = 1; k.name = name;
    k.gridX = 1; k.gridY = 1; k.gridZ = 1; k.blockX = 1; k.blockY = 1; k.blockZ = 1;
    return k;
  }
  CUpti_ActivityAPI& addRuntime(uint64_t start, uint64_t end, uint32_t corr, uint32_t cbid,
                                uint32_t pid = 100, uint32_t tid = 101) {
    auto& a = add<CUpti_ActivityAPI>(CUPTI_ACTIVITY_KIND_RUNTIME);
    a.start = start; a.end = end; a.correlationId = corr; a.cbid = cbid;
    a.processId = pid; a.threadId = tid;
    return a;
  }
  CUpti_ActivityAPI& addDriver(uint64_t start, uint64_t end, uint32_t corr, uint32_t cbid,
                               uint32_t pid = 100, uint32_t tid = 101) {
    auto& a = addRuntime(start, end, corr, cbid, pid, tid);
    a.kind = CUPTI_ACTIVITY_KIND_DRIVER;
    return a;
  }
  CUpti_ActivityMemcpy6& addMemcpy(uint64_t start, uint64_t end, uint32_t corr, uint64_t bytes,
                                   uint8_t copy_kind, uint8_t src, uint8_t dst) {
    auto& m = add<CUpti_ActivityMemcpy6>(CUPTI_ACTIVITY_KIND_MEMCPY);
    m.start = start; m.end = end; m.correlationId = corr; m.bytes = bytes;
    m.copyKind = copy_kind; m.srcKind = src; m.dstKind = dst; m.streamId = 7; m.contextId = 1;
    return m;
  }
  CUpti_ActivityMarker2& addMarker(uint32_t id, uint32_t flags, uint64_t ts, uint32_t tid,
                                   const char* name, const char* domain = nullptr) {
    auto& m = add<CUpti_ActivityMarker2>(CUPTI_ACTIVITY_KIND_MARKER);
    m.id = id; m.flags = CUpti_ActivityFlag(flags); m.timestamp = ts; m.name = name; m.domain = domain;
    m.objectKind = CUPTI_ACTIVITY_OBJECT_THREAD;
    m.objectId.pt.processId = 100; m.objectId.pt.threadId = tid;
    return m;
  }

  // Decodes every record in insertion order.
  void decodeInto(RecordDecoder& d) const {
    for (const auto& r : records_) d.decode(reinterpret_cast<const CUpti_Activity*>(r.get()));
  }

 private:
  std::vector<std::unique_ptr<std::max_align_t[]>> records_;
};

// cuptiGetCallbackName stand-in with the real names of a few callback ids.
inline const char* fakeApiName(bool driver, uint32_t cbid) {
  if (!driver && cbid == 211) return "cudaLaunchKernel_v7000";
  if (!driver && cbid == 31) return "cudaMemcpy_v3020";
  if (!driver && cbid == 311) return "cudaGraphLaunch_v10000";
  if (driver && cbid == 307) return "cuLaunchKernel";
  return nullptr;
}

}  // namespace gpuscope::tracer::testing
