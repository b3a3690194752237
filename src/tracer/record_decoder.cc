#include "tracer/record_decoder.h"

#include <cupti_activity.h>

#include <cstdio>
#include <cstring>

#include "tracer/kernel_names.h"

namespace gpuscope::tracer {
namespace {

using model::kNullI32;
using model::kNullI64;

// CUPTI uses 0 for "not from a graph" and all-ones for "no stream".
int64_t idOrNull(uint64_t v) { return v == 0 ? kNullI64 : static_cast<int64_t>(v); }
int64_t streamOrNull(uint32_t v) { return v == 0xFFFFFFFFu ? kNullI64 : int64_t(v); }

// CUpti_ActivityMemoryKind counts from UNKNOWN = 0; the model (nsys's
// ENUM_CUDA_MEM_KIND) from PAGEABLE = 0 with UNKNOWN = 7.
int32_t memKindFromCupti(uint32_t k) {
  if (k >= CUPTI_ACTIVITY_MEMORY_KIND_PAGEABLE && k <= CUPTI_ACTIVITY_MEMORY_KIND_MANAGED_STATIC)
    return int32_t(k) - 1;
  return int32_t(model::MemKind::kUnknown);
}

// The columns every GPU activity record shares (kernel, memcpy, memset).
template <typename Row, typename Record>
Row gpuRow(const Record* m, int64_t pid) {
  Row r;
  r.start = int64_t(m->start);
  r.end = int64_t(m->end);
  r.pid = pid;
  r.device_id = int32_t(m->deviceId);
  r.context_id = m->contextId;
  r.stream_id = streamOrNull(m->streamId);
  r.correlation_id = m->correlationId;
  r.graph_node_id = idOrNull(m->graphNodeId);
  return r;
}

// A copy, within one device or peer to peer.
template <typename Record>
model::MemcpyTable::Row copyRow(const Record* m, int64_t pid) {
  auto r = gpuRow<model::MemcpyTable::Row>(m, pid);
  r.bytes = int64_t(m->bytes);
  r.copy_kind = m->copyKind;
  r.src_kind = memKindFromCupti(m->srcKind);
  r.dst_kind = memKindFromCupti(m->dstKind);
  return r;
}

}  // namespace

std::string_view stripApiVersion(std::string_view name) {
  size_t v = name.rfind("_v");
  if (v == std::string_view::npos || v + 2 >= name.size()) return name;
  for (size_t i = v + 2; i < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return name;
  return name.substr(0, v);
}

RecordDecoder::RecordDecoder(Recording* out, int64_t pid, ApiNameFn api_name)
    : out_(out), pid_(pid), api_name_(std::move(api_name)) {}

model::StringId RecordDecoder::internText(const char* s) {
  return s == nullptr ? model::kEmptyString : out_->rows.strings.intern(s);
}

model::StringId RecordDecoder::apiName(bool driver, uint32_t cbid) {
  std::vector<model::StringId>& cache = api_names_[driver ? 1 : 0];
  constexpr model::StringId kUnset = ~model::StringId{0};
  if (cbid >= cache.size()) cache.resize(cbid + 1, kUnset);
  if (cache[cbid] == kUnset) {
    const char* n = api_name_ ? api_name_(driver, cbid) : nullptr;
    std::string name = n != nullptr ? std::string(stripApiVersion(n))
                                    : std::string(driver ? "cuda_driver_cbid_" : "cuda_runtime_cbid_") +
                                          std::to_string(cbid);
    cache[cbid] = out_->rows.strings.intern(name);
  }
  return cache[cbid];
}

const RecordDecoder::KernelNames& RecordDecoder::kernelName(const char* mangled) {
  if (mangled == nullptr) return no_name_;
  auto it = kernel_names_.find(mangled);
  if (it != kernel_names_.end() && it->second.mangled == mangled) return it->second;
  std::string demangled = demangleKernelName(mangled);
  KernelNames k;
  k.mangled = mangled;
  k.name = out_->rows.strings.intern(demangled);
  k.short_name = out_->rows.strings.intern(kernelShortName(demangled));
  k.mangled_id = out_->rows.strings.intern(mangled);
  return kernel_names_[mangled] = std::move(k);
}

void RecordDecoder::lost(const char* what, const char* description) {
  out_->rows.diagnostics.add(what, model::Severity::kDataLoss, description, "process " + std::to_string(pid_));
}

void RecordDecoder::addDroppedRecords(int64_t n) {
  if (n <= 0) return;
  out_->rows.diagnostics.add("cupti_dropped_records", model::Severity::kDataLoss,
                             "CUPTI dropped activity records because its buffers were full",
                             "process " + std::to_string(pid_), n);
}

void RecordDecoder::decode(const CUpti_Activity* record) {
  switch (record->kind) {
    case CUPTI_ACTIVITY_KIND_KERNEL:
    case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL: decodeKernel(record); break;
    case CUPTI_ACTIVITY_KIND_MEMCPY: decodeMemcpy(record); break;
    case CUPTI_ACTIVITY_KIND_MEMCPY2: decodeMemcpyPtoP(record); break;
    case CUPTI_ACTIVITY_KIND_MEMSET: decodeMemset(record); break;
    case CUPTI_ACTIVITY_KIND_RUNTIME: decodeApi(record, 0); break;
    case CUPTI_ACTIVITY_KIND_DRIVER: decodeApi(record, 1); break;
    case CUPTI_ACTIVITY_KIND_INTERNAL_LAUNCH_API: decodeApi(record, 2); break;
    case CUPTI_ACTIVITY_KIND_SYNCHRONIZATION: decodeSync(record); break;
    case CUPTI_ACTIVITY_KIND_GRAPH_TRACE: decodeGraphTrace(record); break;
    case CUPTI_ACTIVITY_KIND_MARKER: decodeMarker(record); break;
    case CUPTI_ACTIVITY_KIND_MARKER_DATA: decodeMarkerData(record); break;
    case CUPTI_ACTIVITY_KIND_DEVICE: decodeDevice(record); break;
    case CUPTI_ACTIVITY_KIND_CONTEXT: decodeContext(record); break;
    case CUPTI_ACTIVITY_KIND_STREAM: decodeStream(record); break;
    case CUPTI_ACTIVITY_KIND_NAME: decodeName(record); break;
    case CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION: decodeExternal(record); break;
    default:
      out_->rows.diagnostics.add("cupti_record_kind_unhandled", model::Severity::kInfo,
                                 "CUPTI delivered an activity record kind gpuscope does not decode",
                                 "kind " + std::to_string(int(record->kind)));
  }
}

void RecordDecoder::decodeKernel(const void* p) {
  const auto* k = static_cast<const CUpti_ActivityKernel10*>(p);
  if (k->start == 0 && k->end == 0) {
    // CUPTI's device buffers ran out: the launch happened, its time is unknown.
    lost("kernel_timestamp_missing", "kernel records without timestamps (CUPTI device buffer exhausted)");
    return;
  }
  const KernelNames& n = kernelName(k->name);
  auto r = gpuRow<model::KernelTable::Row>(k, pid_);
  r.name = n.name;
  r.short_name = n.short_name;
  r.mangled_name = n.mangled_id;
  r.grid_x = k->gridX; r.grid_y = k->gridY; r.grid_z = k->gridZ;
  r.block_x = k->blockX; r.block_y = k->blockY; r.block_z = k->blockZ;
  r.registers_per_thread = k->registersPerThread;
  r.static_shared_memory = k->staticSharedMemory;
  r.dynamic_shared_memory = k->dynamicSharedMemory;
  r.local_memory_per_thread = int32_t(k->localMemoryPerThread);
  r.launch_type = k->launchType;
  r.graph_id = idOrNull(k->graphId);
  out_->rows.kernels.push(r);
}

void RecordDecoder::decodeMemcpy(const void* p) {
  const auto* m = static_cast<const CUpti_ActivityMemcpy6*>(p);
  if (m->start == 0 && m->end == 0) {
    lost("memcpy_timestamp_missing", "memcpy records without timestamps (CUPTI device buffer exhausted)");
    return;
  }
  auto r = copyRow(m, pid_);
  // A copy made by the driver for a runtime call may carry only the latter.
  if (m->correlationId == 0) r.correlation_id = m->runtimeCorrelationId;
  r.src_device_id = int32_t(m->deviceId);
  r.dst_device_id = int32_t(m->deviceId);
  out_->rows.memcpys.push(r);
}

void RecordDecoder::decodeMemcpyPtoP(const void* p) {
  const auto* m = static_cast<const CUpti_ActivityMemcpyPtoP4*>(p);
  if (m->start == 0 && m->end == 0) {
    lost("memcpy_timestamp_missing", "memcpy records without timestamps (CUPTI device buffer exhausted)");
    return;
  }
  auto r = copyRow(m, pid_);
  r.src_device_id = int32_t(m->srcDeviceId);
  r.dst_device_id = int32_t(m->dstDeviceId);
  out_->rows.memcpys.push(r);
}

void RecordDecoder::decodeMemset(const void* p) {
  const auto* m = static_cast<const CUpti_ActivityMemset4*>(p);
  if (m->start == 0 && m->end == 0) {
    lost("memset_timestamp_missing", "memset records without timestamps (CUPTI device buffer exhausted)");
    return;
  }
  auto r = gpuRow<model::MemsetTable::Row>(m, pid_);
  r.bytes = int64_t(m->bytes);
  r.value = int32_t(m->value);
  r.mem_kind = memKindFromCupti(m->memoryKind);
  out_->rows.memsets.push(r);
}

void RecordDecoder::decodeApi(const void* p, int kind) {
  const auto* a = static_cast<const CUpti_ActivityAPI*>(p);
  model::ApiCallTable::Row r;
  r.start = int64_t(a->start);
  r.end = int64_t(a->end);
  r.pid = a->processId != 0 ? int64_t(a->processId) : pid_;
  r.tid = a->threadId;
  r.correlation_id = a->correlationId;
  if (kind == 2) {  // INTERNAL_LAUNCH_API: the cbid is not meaningful
    r.name = out_->rows.strings.intern("[internal launch]");
    r.api_kind = int32_t(model::ApiKind::kDriver);
  } else {
    r.name = apiName(kind == 1, a->cbid);
    r.api_kind = int32_t(kind == 1 ? model::ApiKind::kDriver : model::ApiKind::kRuntime);
  }
  r.return_code = a->returnValue;
  out_->rows.api_calls.push(r);
}

void RecordDecoder::decodeSync(const void* p) {
  const auto* s = static_cast<const CUpti_ActivitySynchronization2*>(p);
  model::SyncTable::Row r;
  r.start = int64_t(s->start);
  r.end = int64_t(s->end);
  r.pid = pid_;
  r.context_id = s->contextId;
  r.stream_id = streamOrNull(s->streamId);
  r.correlation_id = s->correlationId;
  r.sync_type = int32_t(s->type);
  r.event_id = s->cudaEventId == 0xFFFFFFFFu ? kNullI64 : int64_t(s->cudaEventId);
  out_->rows.syncs.push(r);
}

void RecordDecoder::decodeGraphTrace(const void* p) {
  const auto* g = static_cast<const CUpti_ActivityGraphTrace2*>(p);
  model::GraphLaunchTable::Row r;
  r.start = int64_t(g->start);
  r.end = int64_t(g->end);
  r.pid = pid_;
  r.device_id = int32_t(g->deviceId);
  r.context_id = g->contextId;
  r.stream_id = streamOrNull(g->streamId);
  r.correlation_id = g->correlationId;
  r.graph_id = g->graphId;
  out_->rows.graph_launches.push(r);
}

void RecordDecoder::decodeMarker(const void* p) {
  const auto* m = static_cast<const CUpti_ActivityMarker2*>(p);
  int64_t tid = m->objectKind == CUPTI_ACTIVITY_OBJECT_THREAD || m->objectKind == CUPTI_ACTIVITY_OBJECT_PROCESS
                    ? int64_t(m->objectId.pt.threadId)
                    : kNullI64;
  if (m->flags & CUPTI_ACTIVITY_FLAG_MARKER_END) {
    out_->nvtx_ends.push_back({int64_t(m->id), int64_t(m->timestamp), tid});
    return;
  }
  bool mark = (m->flags & CUPTI_ACTIVITY_FLAG_MARKER_INSTANTANEOUS) != 0;
  if (!mark && !(m->flags & CUPTI_ACTIVITY_FLAG_MARKER_START)) {
    out_->rows.diagnostics.add("nvtx_sync_marker_ignored", model::Severity::kInfo,
                               "NVTX user-sync markers (nvtxDomainSyncUser*) are not recorded",
                               "process " + std::to_string(pid_));
    return;
  }
  model::NvtxTable::Row r;
  r.start = int64_t(m->timestamp);
  r.end = kNullI64;  // marks have none; ranges get theirs when the END record is paired
  r.pid = pid_;
  r.tid = tid;
  // Push/pop vs start/end is not in the record; the merge decides (nvtx_ranges.h).
  r.kind = int32_t(mark ? model::NvtxKind::kMark : model::NvtxKind::kPushPop);
  r.text = internText(m->name);
  r.domain = internText(m->domain);
  r.category = 0;
  r.range_id = m->id;
  out_->rows.nvtx.push(r);
}

void RecordDecoder::decodeMarkerData(const void* p) {
  const auto* d = static_cast<const CUpti_ActivityMarkerData2*>(p);
  NvtxMarkerData md;
  md.range_id = d->id;
  md.color = (d->flags & CUPTI_ACTIVITY_FLAG_MARKER_COLOR_ARGB) ? int64_t(d->color) : kNullI64;
  md.category = int32_t(d->category);
  out_->marker_data.push_back(md);
}

void RecordDecoder::decodeDevice(const void* p) {
  const auto* d = static_cast<const CUpti_ActivityDevice5*>(p);
  model::DeviceTable::Row r;
  r.id = int32_t(d->id);
  r.name = internText(d->name);
  char uuid[48];
  const auto* b = reinterpret_cast<const unsigned char*>(d->uuid.bytes);
  std::snprintf(uuid, sizeof uuid, "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]);
  r.uuid = out_->rows.strings.intern(uuid);
  r.compute_major = int32_t(d->computeCapabilityMajor);
  r.compute_minor = int32_t(d->computeCapabilityMinor);
  r.sm_count = int32_t(d->numMultiprocessors);
  r.total_memory = int64_t(d->globalMemorySize);
  r.l2_cache_size = d->l2CacheSize;
  r.clock_rate_khz = d->coreClockRate;
  // CUPTI reports bandwidth in KB/s.
  r.memory_bandwidth = int64_t(d->globalMemoryBandwidth) * 1000;
  r.warp_size = int32_t(d->numThreadsPerWarp);
  r.max_threads_per_block = int32_t(d->maxThreadsPerBlock);
  r.max_threads_per_sm = int32_t(d->maxWarpsPerMultiprocessor * d->numThreadsPerWarp);
  r.max_blocks_per_sm = int32_t(d->maxBlocksPerMultiprocessor);
  r.max_registers_per_block = int32_t(d->maxRegistersPerBlock);
  r.max_registers_per_sm = int32_t(d->maxRegistersPerMultiprocessor);
  r.max_shared_memory_per_block = d->maxSharedMemoryPerBlock;
  r.max_shared_memory_per_sm = d->maxSharedMemoryPerMultiprocessor;
  out_->rows.devices.push(r);
}

void RecordDecoder::decodeContext(const void* p) {
  const auto* c = static_cast<const CUpti_ActivityContext3*>(p);
  out_->rows.contexts.push({pid_, int32_t(c->deviceId), int64_t(c->contextId)});
}

void RecordDecoder::decodeStream(const void* p) {
  const auto* s = static_cast<const CUpti_ActivityStream*>(p);
  model::StreamTable::Row r;
  r.pid = pid_;
  r.context_id = s->contextId;
  r.stream_id = s->streamId;
  r.priority = int32_t(s->priority);
  r.stream_type = int32_t(uint32_t(s->flag) & CUPTI_ACTIVITY_STREAM_CREATE_MASK);
  out_->rows.streams.push(r);
}

void RecordDecoder::decodeName(const void* p) {
  const auto* n = static_cast<const CUpti_ActivityName*>(p);
  if (n->objectKind == CUPTI_ACTIVITY_OBJECT_THREAD) {
    out_->rows.threads.push({pid_, int64_t(n->objectId.pt.threadId), internText(n->name)});
  } else if (n->objectKind == CUPTI_ACTIVITY_OBJECT_STREAM) {
    model::StreamTable::Row r;
    r.pid = pid_;
    r.device_id = int32_t(n->objectId.dcs.deviceId);
    r.context_id = n->objectId.dcs.contextId;
    r.stream_id = n->objectId.dcs.streamId;
    r.name = internText(n->name);
    out_->rows.streams.push(r);
  } else {
    out_->rows.diagnostics.add("nvtx_resource_name_ignored", model::Severity::kInfo,
                               "NVTX names of devices, contexts or events are not recorded",
                               "process " + std::to_string(pid_));
  }
}

void RecordDecoder::decodeExternal(const void* p) {
  const auto* x = static_cast<const CUpti_ActivityExternalCorrelation*>(p);
  out_->external.push_back({int64_t(x->correlationId), int64_t(x->externalId)});
}

}  // namespace gpuscope::tracer
