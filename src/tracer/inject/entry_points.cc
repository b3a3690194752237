// The symbols the CUDA driver (CUDA_INJECTION64_PATH) and NVTX
// (NVTX_INJECTION64_PATH) look up, and the one-time CUPTI setup.
//
// NVTX goes through CUPTI (cuptiNvtxInitialize2) rather than our own NVTX
// callback tables: CUPTI then implements every NVTX entry point (A/W/Ex,
// domains, registered strings, categories) and emits MARKER records on the
// same clock as everything else, while its NVTX callbacks still give us the
// per-thread push/pop stack graph-node attribution needs. The setup runs
// *before* cuptiNvtxInitialize2, because NVTX may be initialized before any
// CUDA call (reference/cupti_nvtx.md 4.2: forwarding alone crashed then).
#include <cupti.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "tracer/api_filter.h"
#include "tracer/inject/session.h"

extern "C" {
CUptiResult CUPTIAPI cuptiNvtxInitialize(void* get_export_table);
CUptiResult CUPTIAPI cuptiNvtxInitialize2(void* get_export_table);
}

namespace gpuscope::tracer::inject {
namespace {

std::mutex g_setup_mu;
bool g_setup_done = false;
bool g_setup_ok = false;

void warnIfFailed(CUptiResult r, const char* what) {
  if (r == CUPTI_SUCCESS) return;
  const char* msg = nullptr;
  cuptiGetResultString(r, &msg);
  std::fprintf(stderr, "gpuscope: %s failed: %s\n", what, msg ? msg : "unknown CUPTI error");
}

void enableKind(Session* s, CUpti_ActivityKind kind) {
  CUptiResult r = cuptiActivityEnable(kind);
  if (r == CUPTI_SUCCESS) return;
  std::lock_guard<std::mutex> lock(s->mu);
  s->rec.rows.diagnostics.add("cupti_activity_kind_unavailable", model::Severity::kDataLoss,
                              "CUPTI refused to enable an activity kind; those events are missing",
                              "kind " + std::to_string(int(kind)));
}

const char* cuptiApiName(bool driver, uint32_t cbid) {
  const char* name = nullptr;
  if (cuptiGetCallbackName(driver ? CUPTI_CB_DOMAIN_DRIVER_API : CUPTI_CB_DOMAIN_RUNTIME_API, cbid, &name) !=
      CUPTI_SUCCESS)
    return nullptr;
  return name;
}

// After the RUNTIME/DRIVER kinds are enabled (enabling a kind resets the
// per-call settings). Returns how many callback ids were turned off.
size_t disableHotQueries() {
  size_t n = 0;
  for (uint32_t cbid : hotQueryCallbackIds(false, CUPTI_RUNTIME_TRACE_CBID_SIZE, cuptiApiName))
    n += cuptiActivityEnableRuntimeApi(cbid, 0) == CUPTI_SUCCESS;
  for (uint32_t cbid : hotQueryCallbackIds(true, CUPTI_DRIVER_TRACE_CBID_SIZE, cuptiApiName))
    n += cuptiActivityEnableDriverApi(cbid, 0) == CUPTI_SUCCESS;
  return n;
}

bool setupCupti(Session* s) {
  const TracerConfig& c = s->config;
  CUpti_SubscriberHandle subscriber = nullptr;
  CUptiResult sub = cuptiSubscribe(&subscriber, reinterpret_cast<CUpti_CallbackFunc>(onCallback), nullptr);
  if (sub != CUPTI_SUCCESS) {
    // Another CUPTI client (Kineto, nsys, a sanitizer) came first: activity
    // records may still flow, callbacks (NVTX stack, graph ranges) will not.
    warnIfFailed(sub, "cuptiSubscribe (another profiler attached?)");
    std::lock_guard<std::mutex> lock(s->mu);
    s->rec.rows.diagnostics.add("cupti_subscribe_failed", model::Severity::kDataLoss,
                                "CUPTI callbacks unavailable (another CUPTI client?): no graph-node NVTX "
                                "attribution, no capture-range edges",
                                "process " + std::to_string(s->pid));
  } else {
    cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_RESOURCE, CUPTI_CBID_RESOURCE_CONTEXT_DESTROY_STARTING);
    cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_RESOURCE, CUPTI_CBID_RESOURCE_GRAPHNODE_CREATED);
    cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_RESOURCE, CUPTI_CBID_RESOURCE_GRAPHNODE_CLONED);
    for (CUpti_CallbackId id : {CUPTI_RUNTIME_TRACE_CBID_cudaGraphInstantiate_v10000,
                                CUPTI_RUNTIME_TRACE_CBID_cudaGraphInstantiate_v12000,
                                CUPTI_RUNTIME_TRACE_CBID_cudaGraphInstantiateWithFlags_v11040,
                                CUPTI_RUNTIME_TRACE_CBID_cudaGraphInstantiateWithParams_v12000,
                                CUPTI_RUNTIME_TRACE_CBID_cudaGraphInstantiateWithParams_ptsz_v12000,
                                CUPTI_RUNTIME_TRACE_CBID_cudaDeviceReset_v3020})
      cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_RUNTIME_API, id);
    for (CUpti_CallbackId id : {CUPTI_DRIVER_TRACE_CBID_cuGraphInstantiate, CUPTI_DRIVER_TRACE_CBID_cuGraphInstantiate_v2,
                                CUPTI_DRIVER_TRACE_CBID_cuGraphInstantiateWithFlags,
                                CUPTI_DRIVER_TRACE_CBID_cuGraphInstantiateWithParams,
                                CUPTI_DRIVER_TRACE_CBID_cuGraphInstantiateWithParams_ptsz})
      cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_DRIVER_API, id);
    if (c.capture == CaptureRangeKind::kCudaProfilerApi) {
      cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_DRIVER_API, CUPTI_DRIVER_TRACE_CBID_cuProfilerStart);
      cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_DRIVER_API, CUPTI_DRIVER_TRACE_CBID_cuProfilerStop);
    }
    if (c.trace_nvtx) cuptiEnableDomain(1, subscriber, CUPTI_CB_DOMAIN_NVTX);
  }

  // OS thread ids (as nsys and /proc show them), not pthread_self().
  warnIfFailed(cuptiSetThreadIdType(CUPTI_ACTIVITY_THREAD_ID_TYPE_SYSTEM), "cuptiSetThreadIdType");
  uint8_t zeroed = 1;
  size_t zeroed_size = sizeof zeroed;
  cuptiActivitySetAttribute(CUPTI_ACTIVITY_ATTR_ZEROED_OUT_ACTIVITY_BUFFER, &zeroed_size, &zeroed);
  CUptiResult reg = cuptiActivityRegisterCallbacks(bufferRequested, bufferCompleted);
  warnIfFailed(reg, "cuptiActivityRegisterCallbacks");
  if (reg != CUPTI_SUCCESS) return false;

  if (c.trace_cuda) {
    enableKind(s, CUPTI_ACTIVITY_KIND_DEVICE);
    enableKind(s, CUPTI_ACTIVITY_KIND_CONTEXT);
    enableKind(s, CUPTI_ACTIVITY_KIND_STREAM);
    enableKind(s, CUPTI_ACTIVITY_KIND_RUNTIME);
    enableKind(s, CUPTI_ACTIVITY_KIND_DRIVER);
    // Queries frameworks make many times per launch (api_filter.h): each
    // record costs the calling thread host time. Kineto drops four of them.
    size_t off = c.trace_all_apis ? 0 : disableHotQueries();
    std::lock_guard<std::mutex> lock(s->mu);
    s->rec.rows.meta["cuda_api_filter"] =
        c.trace_all_apis ? "all" : "hot_queries_off:" + std::to_string(off);
  }
  if (c.trace_cuda) {
    enableKind(s, CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
    enableKind(s, CUPTI_ACTIVITY_KIND_MEMCPY);
    enableKind(s, CUPTI_ACTIVITY_KIND_MEMSET);
    enableKind(s, CUPTI_ACTIVITY_KIND_SYNCHRONIZATION);
    cuptiActivityEnableAllSyncRecords(0);  // no records for not-ready event/stream queries
    enableKind(s, CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION);
    if (c.graph_mode == GraphTraceMode::kGraph) enableKind(s, CUPTI_ACTIVITY_KIND_GRAPH_TRACE);
  }
  if (c.trace_nvtx) {
    enableKind(s, CUPTI_ACTIVITY_KIND_MARKER);  // before MARKER_DATA (CUPTI rule)
    enableKind(s, CUPTI_ACTIVITY_KIND_MARKER_DATA);
    enableKind(s, CUPTI_ACTIVITY_KIND_NAME);
  }
  return true;
}

}  // namespace

bool setup() {
  // CUPTI may initialize the driver while we enable it from the NVTX entry
  // point, and cuInit calls InitializeInjection on the same thread: let
  // that inner call through instead of deadlocking on g_setup_mu.
  static thread_local bool t_in_setup = false;
  if (t_in_setup) return true;
  std::lock_guard<std::mutex> lock(g_setup_mu);
  t_in_setup = true;
  struct Reset { ~Reset() { t_in_setup = false; } } reset;
  if (g_setup_done) return g_setup_ok;
  g_setup_done = true;
  StatusOr<TracerConfig> config = configFromEnv([](const char* n) { return std::getenv(n); });
  if (!config.ok()) {
    // Loaded outside `gpuscope trace` (or by a misconfigured child): stay out.
    if (std::getenv(kEnvDir) != nullptr)
      std::fprintf(stderr, "gpuscope: tracing disabled in this process: %s\n", config.status().message().c_str());
    return false;
  }
  if (!setupSession(*config)) return false;
  g_setup_ok = setupCupti(session());
  return g_setup_ok;
}

}  // namespace gpuscope::tracer::inject

#define GS_EXPORT extern "C" __attribute__((visibility("default")))

// CUDA driver, inside cuInit. Always succeed: tracing trouble must never
// stop the program.
GS_EXPORT int InitializeInjection(void) {
  if (gpuscope::tracer::inject::setup()) gpuscope::tracer::inject::ensureFlusher();
  return 1;
}

// NVTX v3 (once per binary that includes NVTX) and NVTX v1/v2 libraries.
GS_EXPORT int InitializeInjectionNvtx2(void* get_export_table) {
  if (!gpuscope::tracer::inject::setup()) return 0;  // NVTX calls become no-ops
  return cuptiNvtxInitialize2(get_export_table) == CUPTI_SUCCESS ? 1 : 0;
}

GS_EXPORT int InitializeInjectionNvtx(void* get_export_table) {
  if (!gpuscope::tracer::inject::setup()) return 0;
  return cuptiNvtxInitialize(get_export_table) == CUPTI_SUCCESS ? 1 : 0;
}
