// The CUPTI callback: per-thread NVTX push/pop stack (for graph-node
// attribution), ids of start/end ranges, registered NVTX strings, graph
// node creation and cloning, cudaProfilerStart/Stop edges, and flushes
// before a device reset or context teardown frees CUPTI's device buffers.
#include <cupti.h>
#include <generated_nvtx_meta.h>
#include <nvtx3/nvToolsExt.h>

#include <unistd.h>

#include <cwchar>
#include <string>

#include "tracer/inject/session.h"

namespace gpuscope::tracer::inject {
namespace {

thread_local NvtxStack t_nvtx;
thread_local int t_instantiating = 0;  // depth of cu/cudaGraphInstantiate* calls
thread_local SyncCallTracker t_sync;

std::string narrow(const wchar_t* w) {
  std::string s;
  if (w == nullptr) return s;
  for (; *w; ++w) s.push_back(*w < 128 ? char(*w) : '?');
  return s;
}

// Pushes an event-attributes range without a temporary string for the
// common ASCII and registered cases (this runs inside every push).
void pushMessage(Session* s, uintptr_t domain, const nvtxEventAttributes_t* a) {
  if (a == nullptr) return t_nvtx.push(domain, {});
  switch (a->messageType) {
    case NVTX_MESSAGE_TYPE_ASCII: return t_nvtx.push(domain, a->message.ascii ? a->message.ascii : "");
    case NVTX_MESSAGE_TYPE_UNICODE: return t_nvtx.push(domain, narrow(a->message.unicode));
    case NVTX_MESSAGE_TYPE_REGISTERED: {
      std::lock_guard<std::mutex> lock(s->registered_mu);
      auto it = s->registered_strings.find(reinterpret_cast<uintptr_t>(a->message.registered));
      return t_nvtx.push(domain, it == s->registered_strings.end() ? std::string_view() : it->second);
    }
    default: return t_nvtx.push(domain, {});
  }
}

void onNvtx(Session* s, CUpti_CallbackId cbid, const CUpti_NvtxData* d) {
  const void* p = d->functionParams;
  switch (cbid) {
    case CUPTI_CBID_NVTX_nvtxRangePushA:
      t_nvtx.push(0, static_cast<const nvtxRangePushA_params*>(p)->message ?: "");
      break;
    case CUPTI_CBID_NVTX_nvtxRangePushW:
      t_nvtx.push(0, narrow(static_cast<const nvtxRangePushW_params*>(p)->message));
      break;
    case CUPTI_CBID_NVTX_nvtxRangePushEx:
      pushMessage(s, 0, static_cast<const nvtxRangePushEx_params*>(p)->eventAttrib);
      break;
    case CUPTI_CBID_NVTX_nvtxDomainRangePushEx: {
      auto* q = static_cast<const nvtxDomainRangePushEx_params*>(p);
      pushMessage(s, reinterpret_cast<uintptr_t>(q->domain), q->core.eventAttrib);
      break;
    }
    case CUPTI_CBID_NVTX_nvtxRangePop: t_nvtx.pop(0); break;
    case CUPTI_CBID_NVTX_nvtxDomainRangePop:
      t_nvtx.pop(reinterpret_cast<uintptr_t>(static_cast<const nvtxDomainRangePop_params*>(p)->domain));
      break;
    case CUPTI_CBID_NVTX_nvtxRangeStartA:
    case CUPTI_CBID_NVTX_nvtxRangeStartW:
    case CUPTI_CBID_NVTX_nvtxRangeStartEx:
    case CUPTI_CBID_NVTX_nvtxDomainRangeStartEx:
      // The returned id is the MARKER record's id: it tells the merge this
      // range is start/end, which the MARKER record itself does not say.
      if (d->functionReturnValue != nullptr) {
        auto id = *static_cast<const nvtxRangeId_t*>(d->functionReturnValue);
        if (id != 0) {
          std::lock_guard<std::mutex> lock(s->ids_mu);
          s->pending_start_end_ids.push_back(int64_t(id));
        }
      }
      break;
    case CUPTI_CBID_NVTX_nvtxDomainRegisterStringA:
    case CUPTI_CBID_NVTX_nvtxDomainRegisterStringW: {
      if (d->functionReturnValue == nullptr) break;
      auto handle = *static_cast<const nvtxStringHandle_t*>(d->functionReturnValue);
      std::string text = cbid == CUPTI_CBID_NVTX_nvtxDomainRegisterStringA
          ? std::string(static_cast<const nvtxDomainRegisterStringA_params*>(p)->string ?: "")
          : narrow(reinterpret_cast<const wchar_t*>(static_cast<const nvtxDomainRegisterStringW_params*>(p)->string));
      std::lock_guard<std::mutex> lock(s->registered_mu);
      s->registered_strings[reinterpret_cast<uintptr_t>(handle)] = std::move(text);
      break;
    }
    default: break;
  }
}

void onGraphResource(Session* s, CUpti_CallbackId cbid, const CUpti_ResourceData* r) {
  if (r == nullptr || r->resourceDescriptor == nullptr) return;
  const auto* g = static_cast<const CUpti_GraphData*>(r->resourceDescriptor);
  uint32_t graph_id = 0;
  uint64_t node_id = 0;
  if (g->graph != nullptr) cuptiGetGraphId(g->graph, &graph_id);
  if (g->node == nullptr || cuptiGetGraphNodeId(g->node, &node_id) != CUPTI_SUCCESS) return;
  if (cbid == CUPTI_CBID_RESOURCE_GRAPHNODE_CREATED) {
    std::string range(t_nvtx.innermost());
    std::lock_guard<std::mutex> lock(s->mu);
    s->graphs->onNodeCreated(graph_id, node_id, int32_t(g->nodeType), range, t_instantiating > 0);
  } else {
    uint64_t original = 0;
    if (g->originalNode == nullptr || cuptiGetGraphNodeId(g->originalNode, &original) != CUPTI_SUCCESS) return;
    std::lock_guard<std::mutex> lock(s->mu);
    s->graphs->onNodeCloned(graph_id, node_id, original, int32_t(g->nodeType));
  }
}

bool isInstantiate(CUpti_CallbackDomain domain, CUpti_CallbackId cbid) {
  if (domain == CUPTI_CB_DOMAIN_RUNTIME_API)
    return cbid == CUPTI_RUNTIME_TRACE_CBID_cudaGraphInstantiate_v10000 ||
           cbid == CUPTI_RUNTIME_TRACE_CBID_cudaGraphInstantiate_v12000 ||
           cbid == CUPTI_RUNTIME_TRACE_CBID_cudaGraphInstantiateWithFlags_v11040 ||
           cbid == CUPTI_RUNTIME_TRACE_CBID_cudaGraphInstantiateWithParams_v12000 ||
           cbid == CUPTI_RUNTIME_TRACE_CBID_cudaGraphInstantiateWithParams_ptsz_v12000;
  return cbid == CUPTI_DRIVER_TRACE_CBID_cuGraphInstantiate || cbid == CUPTI_DRIVER_TRACE_CBID_cuGraphInstantiate_v2 ||
         cbid == CUPTI_DRIVER_TRACE_CBID_cuGraphInstantiateWithFlags ||
         cbid == CUPTI_DRIVER_TRACE_CBID_cuGraphInstantiateWithParams ||
         cbid == CUPTI_DRIVER_TRACE_CBID_cuGraphInstantiateWithParams_ptsz;
}

// The row CUPTI's SYNCHRONIZATION record would carry, from the call's own
// callbacks: its host interval, the API record's correlation id, context,
// stream and event (sync_calls.h says why not the activity kind).
void onSync(Session* s, const SyncCall& call, const CUpti_CallbackData* d, bool enter) {
  if (enter) return t_sync.enter(nowNs());
  std::optional<int64_t> start = t_sync.exit();
  if (!start || !s->collecting) return;
  model::SyncTable::Row r;
  r.start = *start;
  r.end = nowNs();
  r.pid = s->pid;
  r.tid = ::gettid();  // CUPTI's record has no thread; the call's is known here
  r.context_id = d->contextUid;
  r.correlation_id = d->correlationId;
  r.sync_type = call.type;
  uint32_t stream_id = 0;
  if (call.has_stream && d->context != nullptr &&
      cuptiGetStreamIdEx(d->context, static_cast<CUstream>(const_cast<void*>(call.stream)),
                         call.per_thread_stream ? 1 : 0, &stream_id) == CUPTI_SUCCESS)
    r.stream_id = stream_id;
  std::lock_guard<std::mutex> lock(s->ids_mu);
  if (call.has_event) r.event_id = s->event_ids.idOf(call.event);
  s->pending_syncs.push_back(r);
}

void onApi(Session* s, CUpti_CallbackDomain domain, CUpti_CallbackId cbid, const CUpti_CallbackData* d) {
  bool enter = d->callbackSite == CUPTI_API_ENTER;
  if (s->ab.sync == SyncKind::kCallbacks) {
    SyncCall call = syncCallOf(domain == CUPTI_CB_DOMAIN_DRIVER_API, cbid, d->functionParams);
    if (call.type != 0) return onSync(s, call, d, enter);
  }
  if (isInstantiate(domain, cbid)) {
    t_instantiating += enter ? 1 : -1;
    return;
  }
  if (domain == CUPTI_CB_DOMAIN_DRIVER_API &&
      (cbid == CUPTI_DRIVER_TRACE_CBID_cuProfilerStart || cbid == CUPTI_DRIVER_TRACE_CBID_cuProfilerStop)) {
    if (!enter) return;
    bool begin = cbid == CUPTI_DRIVER_TRACE_CBID_cuProfilerStart;
    {
      std::lock_guard<std::mutex> lock(s->mu);
      s->rec.capture_edges.push_back({nowNs(), begin});
    }
    if (begin) {
      setCudaCollection(s, true);
    } else {
      // Kernels still running now keep their records (H200:
      // tests/gpu/capture_range.cu, a 50 ms kernel and three queued behind
      // it at the stop, all four recorded); the flush hands over what is
      // done.
      setCudaCollection(s, false);
      flushAll(s, 0);  // nsys: flush on cudaProfilerStop
    }
    return;
  }
  if (domain == CUPTI_CB_DOMAIN_RUNTIME_API && cbid == CUPTI_RUNTIME_TRACE_CBID_cudaDeviceReset_v3020 && enter)
    flushAll(s, CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
}

}  // namespace

void CUPTIAPI onCallback(void*, CUpti_CallbackDomain domain, CUpti_CallbackId cbid, const void* cbdata) {
  Session* s = session();
  if (s == nullptr || cbdata == nullptr) return;
  switch (domain) {
    case CUPTI_CB_DOMAIN_NVTX: onNvtx(s, cbid, static_cast<const CUpti_NvtxData*>(cbdata)); break;
    case CUPTI_CB_DOMAIN_RESOURCE:
      if (cbid == CUPTI_CBID_RESOURCE_GRAPHNODE_CREATED || cbid == CUPTI_CBID_RESOURCE_GRAPHNODE_CLONED)
        onGraphResource(s, cbid, static_cast<const CUpti_ResourceData*>(cbdata));
      else if (cbid == CUPTI_CBID_RESOURCE_CONTEXT_DESTROY_STARTING)
        flushAll(s, CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);  // teardown frees CUPTI's device buffers
      break;
    case CUPTI_CB_DOMAIN_RUNTIME_API:
    case CUPTI_CB_DOMAIN_DRIVER_API: onApi(s, domain, cbid, static_cast<const CUpti_CallbackData*>(cbdata)); break;
    default: break;
  }
}

}  // namespace gpuscope::tracer::inject
