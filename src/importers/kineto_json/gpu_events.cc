// Rows on GPU streams: kernel, gpu_memcpy, gpu_memset, cuda_sync,
// gpu_user_annotation. Kineto puts them on pid = device, tid = stream; the
// args "device"/"stream" win when present. The launching host pid is filled
// in by linkCorrelations().
#include <limits>

#include "importers/kineto_json/event_sink.h"
#include "importers/kineto_json/names.h"

namespace gpuscope::importers::kineto_json {
namespace {

int32_t toI32(int64_t v) {
  if (v == model::kNullI64 || v < std::numeric_limits<int32_t>::min() + 1 ||
      v > std::numeric_limits<int32_t>::max()) {
    return model::kNullI32;
  }
  return static_cast<int32_t>(v);
}

}  // namespace

void EventSink::noteDevicePid(int64_t pid) {
  if (pid == last_device_pid_) return;
  last_device_pid_ = pid;
  device_pids_.insert(pid);
}

int64_t EventSink::deviceOf(const RawEvent& e) {
  if (e.pid.numeric) noteDevicePid(e.pid.value);
  if (e.args.device != model::kNullI64) return e.args.device;
  return e.pid.numeric ? e.pid.value : model::kNullI64;
}

int64_t EventSink::streamOf(const RawEvent& e) {
  if (e.args.stream != model::kNullI64) return e.args.stream;
  return e.tid.numeric ? e.tid.value : model::kNullI64;
}

model::StringId EventSink::internKernelBase(model::StringId name) {
  constexpr model::StringId kUnset = std::numeric_limits<model::StringId>::max();
  if (name >= kernel_base_.size()) kernel_base_.resize(name + 1, kUnset);
  if (kernel_base_[name] == kUnset) {
    // The view stays valid while interning: the table never moves its strings.
    std::string_view base = kernelBaseName(trace_.str(name));
    kernel_base_[name] = trace_.strings.intern(base);
  }
  return kernel_base_[name];
}

template <typename Row>
Row EventSink::gpuRow(const RawEvent& e) {
  Row r;
  r.start = e.ts_ns;
  r.end = endOf(e);
  r.device_id = toI32(deviceOf(e));
  r.context_id = e.args.context;
  r.stream_id = streamOf(e);
  r.correlation_id = e.args.correlation;
  if constexpr (requires { r.graph_node_id; }) r.graph_node_id = e.args.graph_node_id;
  if constexpr (requires { r.external_id; }) r.external_id = e.args.external_id;
  return r;
}

void EventSink::addKernel(const RawEvent& e) {
  const EventArgs& a = e.args;
  auto r = gpuRow<model::KernelTable::Row>(e);
  r.name = trace_.strings.intern(e.name);
  r.short_name = internKernelBase(r.name);
  r.grid_x = toI32(a.grid[0]);
  r.grid_y = toI32(a.grid[1]);
  r.grid_z = toI32(a.grid[2]);
  r.block_x = toI32(a.block[0]);
  r.block_y = toI32(a.block[1]);
  r.block_z = toI32(a.block[2]);
  r.registers_per_thread = toI32(a.registers_per_thread);
  // Kineto reports one "shared memory" figure (static + dynamic).
  r.dynamic_shared_memory = toI32(a.shared_memory);
  r.graph_id = a.graph_id;
  trace_.kernels.push(r);
}

void EventSink::addMemcpy(const RawEvent& e) {
  const EventArgs& a = e.args;
  auto r = gpuRow<model::MemcpyTable::Row>(e);
  r.bytes = a.bytes;
  MemcpyKinds k = parseMemcpyName(e.name);
  r.copy_kind = k.copy_kind;
  r.src_kind = k.src_kind;
  r.dst_kind = k.dst_kind;
  r.src_device_id = toI32(a.from_device);
  r.dst_device_id = toI32(a.to_device);
  trace_.memcpys.push(r);
}

void EventSink::addMemset(const RawEvent& e) {
  const EventArgs& a = e.args;
  auto r = gpuRow<model::MemsetTable::Row>(e);
  r.bytes = a.bytes;
  r.mem_kind = parseMemsetKind(e.name);
  trace_.memsets.push(r);
}

void EventSink::addSync(const RawEvent& e) {
  const EventArgs& a = e.args;
  auto r = gpuRow<model::SyncTable::Row>(e);
  r.sync_type = parseSyncType(e.name);
  r.event_id = a.wait_event_id;
  trace_.syncs.push(r);
}

void EventSink::addGpuAnnotation(const RawEvent& e) {
  model::GpuAnnotationTable::Row r;
  r.start = e.ts_ns;
  r.end = endOf(e);
  r.pid = e.pid.numeric ? e.pid.value : model::kNullI64;
  r.device_id = toI32(deviceOf(e));
  r.stream_id = streamOf(e);
  r.name = trace_.strings.intern(e.name);
  r.external_id = e.args.external_id;
  trace_.gpu_annotations.push(r);
}

}  // namespace gpuscope::importers::kineto_json
