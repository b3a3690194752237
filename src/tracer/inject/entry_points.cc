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

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "tracer/ab_knobs.h"
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

// Every callback id of the domain below cbid_end that is recorded: all of
// them with --cuda-trace-all-apis or filter=none, else all but the hot
// queries.
std::vector<uint32_t> recordedCallbackIds(bool driver, uint32_t cbid_end, const Session* s) {
  std::vector<uint32_t> hot;
  if (!s->config.trace_all_apis && s->ab.filter != ApiFilterKind::kNone)
    hot = hotQueryCallbackIds(driver, cbid_end, cuptiApiName);
  std::vector<uint32_t> ids;
  for (uint32_t cbid = 1; cbid < cbid_end; ++cbid)
    if (!std::binary_search(hot.begin(), hot.end(), cbid)) ids.push_back(cbid);
  return ids;
}

// After the RUNTIME/DRIVER kinds are enabled (enabling a kind resets the
// per-call settings). Returns how many callback ids were turned off.
size_t disableHotQueries(const AbKnobs& ab) {
  size_t n = 0;
  if (ab.filter == ApiFilterKind::kKineto) {  // A/B knob: exactly Kineto's four
    n += cuptiActivityEnableRuntimeApi(CUPTI_RUNTIME_TRACE_CBID_cudaGetDevice_v3020, 0) == CUPTI_SUCCESS;
    if (ab.driver)
      for (CUpti_CallbackId id : {CUPTI_DRIVER_TRACE_CBID_cuKernelGetAttribute,
                                  CUPTI_DRIVER_TRACE_CBID_cuDevicePrimaryCtxGetState,
                                  CUPTI_DRIVER_TRACE_CBID_cuCtxGetCurrent})
        n += cuptiActivityEnableDriverApi(id, 0) == CUPTI_SUCCESS;
    return n;
  }
  for (uint32_t cbid : hotQueryCallbackIds(false, CUPTI_RUNTIME_TRACE_CBID_SIZE, cuptiApiName))
    n += cuptiActivityEnableRuntimeApi(cbid, 0) == CUPTI_SUCCESS;
  if (ab.driver)
    for (uint32_t cbid : hotQueryCallbackIds(true, CUPTI_DRIVER_TRACE_CBID_SIZE, cuptiApiName))
      n += cuptiActivityEnableDriverApi(cbid, 0) == CUPTI_SUCCESS;
  return n;
}

// The NVTX calls onNvtx handles (callbacks.cc). Enabling just these (A/B
// knob nvtx_cb=ids), rather than the whole NVTX domain, keeps nvtxRangeEnd,
// marks, naming, domain and category calls out of our callback; the default
// stays the whole domain until a GPU run shows CUPTI delivers per-id NVTX
// callbacks (scripts/gpu/overhead_ab2.sh checks graph-node attribution
// with it).
constexpr CUpti_CallbackId kNvtxHandled[] = {
    CUPTI_CBID_NVTX_nvtxRangePushA,         CUPTI_CBID_NVTX_nvtxRangePushW,
    CUPTI_CBID_NVTX_nvtxRangePushEx,        CUPTI_CBID_NVTX_nvtxDomainRangePushEx,
    CUPTI_CBID_NVTX_nvtxRangePop,           CUPTI_CBID_NVTX_nvtxDomainRangePop,
    CUPTI_CBID_NVTX_nvtxRangeStartA,        CUPTI_CBID_NVTX_nvtxRangeStartW,
    CUPTI_CBID_NVTX_nvtxRangeStartEx,       CUPTI_CBID_NVTX_nvtxDomainRangeStartEx,
    CUPTI_CBID_NVTX_nvtxDomainRegisterStringA, CUPTI_CBID_NVTX_nvtxDomainRegisterStringW,
};

void enableNvtxCallbacks(CUpti_SubscriberHandle subscriber, NvtxCallbackKind kind) {
  if (kind == NvtxCallbackKind::kOff) return;
  if (kind == NvtxCallbackKind::kIds) {
    bool all = true;
    for (CUpti_CallbackId id : kNvtxHandled)
      all = all && cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_NVTX, id) == CUPTI_SUCCESS;
    if (all) return;
    // A CUPTI that refuses per-id NVTX callbacks: the whole domain still
    // gives graph-node attribution and start/end ids.
  }
  cuptiEnableDomain(1, subscriber, CUPTI_CB_DOMAIN_NVTX);
}

void subscribeCallbacks(Session* s) {
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
    return;
  }
  s->subscribed = true;
  cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_RESOURCE, CUPTI_CBID_RESOURCE_CONTEXT_DESTROY_STARTING);
  if (s->ab.reset_cb)
    cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_RUNTIME_API, CUPTI_RUNTIME_TRACE_CBID_cudaDeviceReset_v3020);
  if (s->ab.graph_cb) {
    cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_RESOURCE, CUPTI_CBID_RESOURCE_GRAPHNODE_CREATED);
    cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_RESOURCE, CUPTI_CBID_RESOURCE_GRAPHNODE_CLONED);
    for (CUpti_CallbackId id : {CUPTI_RUNTIME_TRACE_CBID_cudaGraphInstantiate_v10000,
                                CUPTI_RUNTIME_TRACE_CBID_cudaGraphInstantiate_v12000,
                                CUPTI_RUNTIME_TRACE_CBID_cudaGraphInstantiateWithFlags_v11040,
                                CUPTI_RUNTIME_TRACE_CBID_cudaGraphInstantiateWithParams_v12000,
                                CUPTI_RUNTIME_TRACE_CBID_cudaGraphInstantiateWithParams_ptsz_v12000})
      cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_RUNTIME_API, id);
    for (CUpti_CallbackId id : {CUPTI_DRIVER_TRACE_CBID_cuGraphInstantiate, CUPTI_DRIVER_TRACE_CBID_cuGraphInstantiate_v2,
                                CUPTI_DRIVER_TRACE_CBID_cuGraphInstantiateWithFlags,
                                CUPTI_DRIVER_TRACE_CBID_cuGraphInstantiateWithParams,
                                CUPTI_DRIVER_TRACE_CBID_cuGraphInstantiateWithParams_ptsz})
      cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_DRIVER_API, id);
  }
  if (s->ab.sync == SyncKind::kCallbacks && c.trace_cuda) {
    for (uint32_t id : syncCallbackIds(false)) cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_RUNTIME_API, id);
    for (uint32_t id : syncCallbackIds(true)) cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_DRIVER_API, id);
  }
  if (c.capture == CaptureRangeKind::kCudaProfilerApi) {
    cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_DRIVER_API, CUPTI_DRIVER_TRACE_CBID_cuProfilerStart);
    cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_DRIVER_API, CUPTI_DRIVER_TRACE_CBID_cuProfilerStop);
  }
  if (c.trace_nvtx) enableNvtxCallbacks(subscriber, s->ab.nvtx_cb);
}

void setAttribute(CUpti_ActivityAttribute attr, size_t value_size, void* value, const char* what) {
  warnIfFailed(cuptiActivitySetAttribute(attr, &value_size, value), what);
}

// The default (AbKnobs::api_ids): the records the kinds plus
// disableHotQueries give, enabled id by id with the RUNTIME/DRIVER kinds
// off. Same records (85,220 API calls in both PyTorch traces of H200 run
// R), less cost: pooled over 22 pinned rounds in four runs, small-op loop
// 1.14x against 1.30x, ResNet-50 eager 1.33x against 1.42x, empty launch
// +1.22 against +1.25 us (tests/gpu/evidence/2026-11-30-session6). The id
// lists are computed once per process.
void setApiIds(Session* s, bool on) {
  static const std::vector<uint32_t> runtime_ids = recordedCallbackIds(false, CUPTI_RUNTIME_TRACE_CBID_SIZE, s);
  static const std::vector<uint32_t> driver_ids = recordedCallbackIds(true, CUPTI_DRIVER_TRACE_CBID_SIZE, s);
  size_t refused = 0;
  CUptiResult first = CUPTI_SUCCESS;
  auto note = [&](CUptiResult r) {
    if (r == CUPTI_SUCCESS) return;
    if (refused++ == 0) first = r;
  };
  for (uint32_t id : runtime_ids) note(cuptiActivityEnableRuntimeApi(id, on ? 1 : 0));
  if (s->ab.driver)
    for (uint32_t id : driver_ids) note(cuptiActivityEnableDriverApi(id, on ? 1 : 0));
  // Ids this CUPTI does not know are refused too, so a count alone is no
  // error; kept in the trace's meta (first error text with it) to compare
  // switching at start-up with switching at a capture-range edge.
  std::string text = std::to_string(refused) + " of " +
                     std::to_string(runtime_ids.size() + (s->ab.driver ? driver_ids.size() : 0));
  if (refused > 0) {
    const char* msg = nullptr;
    cuptiGetResultString(first, &msg);
    text += std::string(": ") + (msg ? msg : "unknown CUPTI error");
  }
  std::lock_guard<std::mutex> lock(s->mu);
  s->rec.rows.meta[on ? "cuda_api_ids_refused_on" : "cuda_api_ids_refused_off"] = text;
}

void enableApiKinds(Session* s) {
  const TracerConfig& c = s->config;
  if (!s->ab.api) return;
  // Switched on at a cudaProfilerApi capture-range start (inside the
  // cuProfilerStart callback), the per-id records gave nothing at all on the
  // H200, not even kernel records, though CUPTI accepted all 1,234 switches
  // (2026-11-30-session6/Q-capture-api-ids); the kinds work there.
  s->api_by_ids = s->ab.api_ids && !(c.capture == CaptureRangeKind::kCudaProfilerApi && s->subscribed);
  if (s->api_by_ids) {
    setApiIds(s, true);
    std::lock_guard<std::mutex> lock(s->mu);
    s->rec.rows.meta["cuda_api_filter"] = c.trace_all_apis ? "all_by_id" : "hot_queries_off_by_id";
    return;
  }
  enableKind(s, CUPTI_ACTIVITY_KIND_RUNTIME);
  if (s->ab.driver) enableKind(s, CUPTI_ACTIVITY_KIND_DRIVER);
  // Queries frameworks make many times per launch (api_filter.h): each
  // record costs the calling thread host time. Kineto drops four of them.
  bool all = c.trace_all_apis || s->ab.filter == ApiFilterKind::kNone;
  size_t off = all ? 0 : disableHotQueries(s->ab);
  std::lock_guard<std::mutex> lock(s->mu);
  s->rec.rows.meta["cuda_api_filter"] = all ? "all"
      : s->ab.filter == ApiFilterKind::kKineto ? "kineto_ids_off:" + std::to_string(off)
                                               : "hot_queries_off:" + std::to_string(off);
}

void enableGpuKinds(Session* s) {
  if (s->ab.kernels) enableKind(s, CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  if (s->ab.memcpy_kind) enableKind(s, CUPTI_ACTIVITY_KIND_MEMCPY);
  if (s->ab.memset_kind) enableKind(s, CUPTI_ACTIVITY_KIND_MEMSET);
  // Without callbacks (another CUPTI client subscribed first) the
  // synchronizing calls cannot be seen: fall back to the activity kind.
  const bool sync_kind = s->ab.sync == SyncKind::kActivity || (s->ab.sync == SyncKind::kCallbacks && !s->subscribed);
  if (s->ab.sync != SyncKind::kOff) {
    std::lock_guard<std::mutex> lock(s->mu);
    s->rec.rows.meta["cuda_sync_source"] = sync_kind ? "activity" : "callbacks";
  }
  if (sync_kind) {
    enableKind(s, CUPTI_ACTIVITY_KIND_SYNCHRONIZATION);
    cuptiActivityEnableAllSyncRecords(0);  // no records for not-ready event/stream queries
  }
  if (s->ab.extcorr) enableKind(s, CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION);
  if (s->config.graph_mode == GraphTraceMode::kGraph && s->ab.graph_trace)
    enableKind(s, CUPTI_ACTIVITY_KIND_GRAPH_TRACE);
}

// The kinds enableApiKinds and enableGpuKinds turn on: what a
// cudaProfilerApi capture range switches (setCudaCollection).
void disableCudaKinds(Session* s) {
  if (s->api_by_ids) setApiIds(s, false);
  // Kinds that were never enabled (DRIVER with driver=0, ...) just refuse.
  for (CUpti_ActivityKind kind :
       {CUPTI_ACTIVITY_KIND_RUNTIME, CUPTI_ACTIVITY_KIND_DRIVER, CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL,
        CUPTI_ACTIVITY_KIND_MEMCPY, CUPTI_ACTIVITY_KIND_MEMSET, CUPTI_ACTIVITY_KIND_SYNCHRONIZATION,
        CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION, CUPTI_ACTIVITY_KIND_GRAPH_TRACE})
    cuptiActivityDisable(kind);
}

void enableCudaKinds(Session* s) {
  if (s->ab.kernel_first) {
    enableGpuKinds(s);
    enableApiKinds(s);
  } else {
    enableApiKinds(s);
    enableGpuKinds(s);
  }
}

bool setupCupti(Session* s) {
  const TracerConfig& c = s->config;
  const AbKnobs& ab = s->ab;
  if (ab.subscribe) subscribeCallbacks(s);

  // OS thread ids (as nsys and /proc show them), not pthread_self().
  if (ab.tid_system)
    warnIfFailed(cuptiSetThreadIdType(CUPTI_ACTIVITY_THREAD_ID_TYPE_SYSTEM), "cuptiSetThreadIdType");
  if (ab.per_thread >= 0) {  // before the buffer callbacks (CUPTI rule)
    uint8_t v = uint8_t(ab.per_thread);
    setAttribute(CUPTI_ACTIVITY_ATTR_PER_THREAD_ACTIVITY_BUFFER, sizeof v, &v, "PER_THREAD_ACTIVITY_BUFFER");
  }
  if (ab.device_buffer_bytes > 0) {
    size_t v = ab.device_buffer_bytes;
    setAttribute(CUPTI_ACTIVITY_ATTR_DEVICE_BUFFER_SIZE, sizeof v, &v, "DEVICE_BUFFER_SIZE");
  }
  if (ab.zeroed) {
    uint8_t zeroed = 1;
    setAttribute(CUPTI_ACTIVITY_ATTR_ZEROED_OUT_ACTIVITY_BUFFER, sizeof zeroed, &zeroed, "ZEROED_OUT_ACTIVITY_BUFFER");
  }
  CUptiResult reg = cuptiActivityRegisterCallbacks(bufferRequested, bufferCompleted);
  warnIfFailed(reg, "cuptiActivityRegisterCallbacks");
  if (reg != CUPTI_SUCCESS) return false;
  if (ab.flush == FlushKind::kCupti) warnIfFailed(cuptiActivityFlushPeriod(uint32_t(c.flush_interval_ms)), "cuptiActivityFlushPeriod");

  if (c.trace_cuda) {
    enableKind(s, CUPTI_ACTIVITY_KIND_DEVICE);
    enableKind(s, CUPTI_ACTIVITY_KIND_CONTEXT);
    enableKind(s, CUPTI_ACTIVITY_KIND_STREAM);
    // With a cudaProfilerApi capture range the CUDA kinds are on only inside
    // the range (setCudaCollection, from the cuProfilerStart/Stop
    // callbacks), as nsys does: outside it nothing is recorded and CUPTI's
    // per-call cost is not paid. Without callbacks (another CUPTI client)
    // the range cannot be seen: collect everything and let the merge cut.
    if (c.capture == CaptureRangeKind::kCudaProfilerApi && s->subscribed) {
      std::lock_guard<std::mutex> lock(s->mu);
      s->rec.rows.meta["cuda_collection"] = "capture_range";
    } else {
      enableCudaKinds(s);
      s->collecting = true;
    }
  }
  if (c.trace_nvtx) {
    enableKind(s, CUPTI_ACTIVITY_KIND_MARKER);  // before MARKER_DATA (CUPTI rule)
    enableKind(s, CUPTI_ACTIVITY_KIND_MARKER_DATA);
    enableKind(s, CUPTI_ACTIVITY_KIND_NAME);
  }
  return true;
}

}  // namespace

void setCudaCollection(Session* s, bool on) {
  if (!s->config.trace_cuda || s->collecting == on) return;
  s->collecting = on;
  if (on) {
    enableCudaKinds(s);
  } else {
    disableCudaKinds(s);
  }
}

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
  // Diagnosis knobs (ab_knobs.h). A bad value disables tracing in this
  // process, like a bad GPUSCOPE_* value: an A/B run must not silently
  // measure something other than what it asked for.
  const char* ab_text = std::getenv(kEnvTraceAb);
  StatusOr<AbKnobs> ab = parseAbKnobs(ab_text != nullptr ? ab_text : "");
  if (!ab.ok()) {
    std::fprintf(stderr, "gpuscope: tracing disabled in this process: %s\n", ab.status().message().c_str());
    return false;
  }
  CUpti_TimestampCallbackFunc clock = chooseClock(ab->clock);
  if (!setupSession(*config, *ab)) return false;
  // Before any activity kind is enabled (CUPTI rule).
  if (clock != nullptr) warnIfFailed(cuptiActivityRegisterTimestampCallback(clock), "cuptiActivityRegisterTimestampCallback");
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
