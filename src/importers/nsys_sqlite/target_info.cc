// What was traced: GPUs (TARGET_INFO_GPU, TARGET_INFO_CUDA_DEVICE),
// processes (PROCESSES), threads (ThreadNames), CUDA contexts
// (TARGET_INFO_CUDA_CONTEXT_INFO, or TARGET_INFO_CUDA_NULL_STREAM in older
// exports) and streams (TARGET_INFO_CUDA_STREAM). Ids that only appear in
// event rows get a row too, so every event's process/thread/stream exists.
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "importers/nsys_sqlite/global_tid.h"
#include "importers/nsys_sqlite/import_context.h"

namespace gpuscope::importers::nsys_sqlite {
namespace {

constexpr int64_t kNull = model::kNullI64;

Status readDevices(ImportContext& ctx) {
  auto& t = ctx.trace.devices;
  std::set<int32_t> seen;
  if (ctx.db.hasTable("TARGET_INFO_GPU")) {
    GS_ASSIGN_OR_RETURN(
        TableCursor c,
        TableCursor::open(ctx.db, "TARGET_INFO_GPU",
                          {"id", "name", "uuid", "computeMajor", "computeMinor", "smCount",
                           "totalMemory", "l2CacheSize", "clockRate", "memoryBandwidth",
                           "threadsPerWarp", "maxThreadsPerBlock", "maxWarpsPerSm",
                           "maxBlocksPerSm", "maxRegistersPerBlock", "maxRegistersPerSm",
                           "maxShmemPerBlockOptin", "maxShmemPerBlock", "maxShmemPerSm"}));
    while (true) {
      GS_ASSIGN_OR_RETURN(bool more, c.next());
      if (!more) break;
      DeviceTable::Row r;
      r.id = c.i32(0);
      // One row per (vmId, id): a GPU is listed once per VM; keep the first.
      if (r.id == model::kNullI32 || !seen.insert(r.id).second) continue;
      r.name = ctx.trace.strings.intern(c.text(1));
      r.uuid = ctx.trace.strings.intern(c.text(2));
      r.compute_major = c.i32(3);
      r.compute_minor = c.i32(4);
      r.sm_count = c.i32(5);
      r.total_memory = c.i64(6);
      r.l2_cache_size = c.i64(7);
      int64_t clock_hz = c.i64(8);  // nsys stores Hz (T4: 1590000000)
      r.clock_rate_khz = clock_hz == kNull ? kNull : clock_hz / 1000;
      r.memory_bandwidth = c.i64(9);
      r.warp_size = c.i32(10);
      r.max_threads_per_block = c.i32(11);
      int32_t warps = c.i32(12);
      r.max_threads_per_sm = (warps == model::kNullI32 || r.warp_size == model::kNullI32)
                                 ? model::kNullI32
                                 : warps * r.warp_size;
      r.max_blocks_per_sm = c.i32(13);
      r.max_registers_per_block = c.i32(14);
      r.max_registers_per_sm = c.i32(15);
      r.max_shared_memory_per_block = c.isNull(16) ? c.i64(17) : c.i64(16);
      r.max_shared_memory_per_sm = c.i64(18);
      t.push(r);
    }
  }
  if (ctx.db.hasTable("TARGET_INFO_CUDA_DEVICE")) {
    GS_ASSIGN_OR_RETURN(TableCursor c,
                        TableCursor::open(ctx.db, "TARGET_INFO_CUDA_DEVICE",
                                          {"gpuId", "uuid", "numMultiprocessors"}));
    while (true) {
      GS_ASSIGN_OR_RETURN(bool more, c.next());
      if (!more) break;
      int32_t id = c.i32(0);
      if (id == model::kNullI32) continue;
      if (seen.insert(id).second) {
        DeviceTable::Row r;
        r.id = id;
        r.uuid = ctx.trace.strings.intern(c.text(1));
        r.sm_count = c.i32(2);
        t.push(r);
        continue;
      }
      // Fill what TARGET_INFO_GPU left empty.
      for (size_t i = 0; i < t.size(); ++i) {
        if (t.id[i] != id) continue;
        if (t.uuid[i] == model::kEmptyString) t.uuid[i] = ctx.trace.strings.intern(c.text(1));
        if (t.sm_count[i] == model::kNullI32) t.sm_count[i] = c.i32(2);
      }
    }
  }
  auto addSeen = [&](const std::vector<int32_t>& ids) {
    int32_t last = model::kNullI32;
    for (int32_t id : ids) {
      if (id == last) continue;
      last = id;
      if (id == model::kNullI32 || !seen.insert(id).second) continue;
      DeviceTable::Row r;
      r.id = id;
      t.push(r);
    }
  };
  addSeen(ctx.trace.kernels.device_id);
  addSeen(ctx.trace.memcpys.device_id);
  addSeen(ctx.trace.memsets.device_id);
  addSeen(ctx.trace.graph_launches.device_id);
  return OkStatus();
}

Status readProcesses(ImportContext& ctx) {
  auto& t = ctx.trace.processes;
  std::set<int64_t> seen;
  if (ctx.db.hasTable("PROCESSES")) {
    GS_ASSIGN_OR_RETURN(TableCursor c,
                        TableCursor::open(ctx.db, "PROCESSES", {"globalPid", "pid", "name"}));
    while (true) {
      GS_ASSIGN_OR_RETURN(bool more, c.next());
      if (!more) break;
      ProcessTable::Row r;
      r.pid = c.isNull(1) ? pidOf(c.i64(0)) : c.i64(1);
      if (r.pid == kNull || !seen.insert(r.pid).second) continue;
      r.name = ctx.trace.strings.intern(c.text(2));
      t.push(r);
    }
  }
  auto addSeen = [&](const std::vector<int64_t>& pids) {
    int64_t last = kNull;  // events come in long runs of one process
    for (int64_t pid : pids) {
      if (pid == last) continue;
      last = pid;
      if (pid == kNull || !seen.insert(pid).second) continue;
      ProcessTable::Row r;
      r.pid = pid;
      t.push(r);
    }
  };
  const model::Trace& tr = ctx.trace;
  for (const auto* v : {&tr.api_calls.pid, &tr.kernels.pid, &tr.memcpys.pid, &tr.memsets.pid,
                        &tr.syncs.pid, &tr.nvtx.pid, &tr.os_runtime.pid, &tr.graph_launches.pid}) {
    addSeen(*v);
  }
  return OkStatus();
}

Status readThreads(ImportContext& ctx) {
  auto& t = ctx.trace.threads;
  std::set<std::pair<int64_t, int64_t>> seen;
  if (ctx.db.hasTable("ThreadNames")) {
    GS_ASSIGN_OR_RETURN(TableCursor c,
                        TableCursor::open(ctx.db, "ThreadNames", {"globalTid", "nameId"}));
    while (true) {
      GS_ASSIGN_OR_RETURN(bool more, c.next());
      if (!more) break;
      ThreadTable::Row r;
      int64_t gtid = c.i64(0);
      if (gtid == kNull) continue;
      r.pid = pidOf(gtid);
      r.tid = tidOf(gtid);
      if (!seen.insert({r.pid, r.tid}).second) continue;
      r.name = ctx.str(c.i64(1));
      t.push(r);
    }
  }
  auto addSeen = [&](const std::vector<int64_t>& pids, const std::vector<int64_t>& tids) {
    std::pair<int64_t, int64_t> last{kNull, kNull};
    for (size_t i = 0; i < pids.size(); ++i) {
      if (tids[i] == kNull || std::pair{pids[i], tids[i]} == last) continue;
      last = {pids[i], tids[i]};
      if (!seen.insert(last).second) continue;
      ThreadTable::Row r;
      r.pid = pids[i];
      r.tid = tids[i];
      t.push(r);
    }
  };
  const model::Trace& tr = ctx.trace;
  addSeen(tr.api_calls.pid, tr.api_calls.tid);
  addSeen(tr.os_runtime.pid, tr.os_runtime.tid);
  addSeen(tr.nvtx.pid, tr.nvtx.tid);
  addSeen(tr.nvtx.pid, tr.nvtx.end_tid);
  return OkStatus();
}

using ContextKey = std::pair<int64_t, int64_t>;  // (pid, contextId)

Status readContexts(ImportContext& ctx, std::map<ContextKey, int32_t>& device_of) {
  auto& t = ctx.trace.contexts;
  auto add = [&](int64_t pid, int32_t device, int64_t context) {
    if (context == kNull) return;
    auto [it, inserted] = device_of.emplace(ContextKey{pid, context}, device);
    if (!inserted) {
      if (it->second == model::kNullI32) it->second = device;
      return;
    }
    t.push({pid, device, context});
  };
  for (std::string_view table : {"TARGET_INFO_CUDA_CONTEXT_INFO", "TARGET_INFO_CUDA_NULL_STREAM"}) {
    if (!ctx.db.hasTable(table)) continue;
    GS_ASSIGN_OR_RETURN(TableCursor c, TableCursor::open(ctx.db, table,
                                                         {"processId", "deviceId", "contextId"}));
    while (true) {
      GS_ASSIGN_OR_RETURN(bool more, c.next());
      if (!more) break;
      add(c.i64(0), c.i32(1), c.i64(2));
    }
  }
  const model::Trace& tr = ctx.trace;
  auto addSeen = [&](const auto& table) {
    std::pair<int64_t, int64_t> last{kNull, kNull};
    for (size_t i = 0; i < table.size(); ++i) {
      if (std::pair{table.pid[i], table.context_id[i]} == last) continue;
      last = {table.pid[i], table.context_id[i]};
      add(table.pid[i], table.device_id[i], table.context_id[i]);
    }
  };
  addSeen(tr.kernels);
  addSeen(tr.memcpys);
  addSeen(tr.memsets);
  addSeen(tr.graph_launches);
  // Keep the context rows' device in step with what events told us.
  for (size_t i = 0; i < t.size(); ++i) {
    if (t.device_id[i] == model::kNullI32) t.device_id[i] = device_of[{t.pid[i], t.context_id[i]}];
  }
  return OkStatus();
}

Status readStreams(ImportContext& ctx, const std::map<ContextKey, int32_t>& device_of) {
  auto& t = ctx.trace.streams;
  std::set<std::tuple<int64_t, int64_t, int64_t>> seen;  // (pid, context, stream)
  auto deviceOf = [&](int64_t pid, int64_t context) {
    auto it = device_of.find({pid, context});
    return it == device_of.end() ? model::kNullI32 : it->second;
  };
  auto add = [&](int64_t pid, int64_t context, int64_t stream, int32_t priority, int32_t type) {
    if (stream == kNull || !seen.insert({pid, context, stream}).second) return;
    t.push({pid, deviceOf(pid, context), context, stream, priority, type, model::kEmptyString});
  };
  if (ctx.db.hasTable("TARGET_INFO_CUDA_STREAM")) {
    GS_ASSIGN_OR_RETURN(TableCursor c, TableCursor::open(ctx.db, "TARGET_INFO_CUDA_STREAM",
                                                         {"processId", "contextId", "streamId",
                                                          "priority", "flag"}));
    while (true) {
      GS_ASSIGN_OR_RETURN(bool more, c.next());
      if (!more) break;
      add(c.i64(0), c.i64(1), c.i64(2), c.i32(3), c.i32(4));
    }
  }
  if (ctx.db.hasTable("TARGET_INFO_CUDA_NULL_STREAM")) {
    GS_ASSIGN_OR_RETURN(TableCursor c, TableCursor::open(ctx.db, "TARGET_INFO_CUDA_NULL_STREAM",
                                                         {"processId", "contextId", "streamId"}));
    while (true) {
      GS_ASSIGN_OR_RETURN(bool more, c.next());
      if (!more) break;
      add(c.i64(0), c.i64(1), c.i64(2), model::kNullI32, 3);  // 3 = null stream
    }
  }
  const model::Trace& tr = ctx.trace;
  auto addSeen = [&](const auto& table) {
    std::tuple<int64_t, int64_t, int64_t> last{kNull, kNull, kNull};
    for (size_t i = 0; i < table.size(); ++i) {
      std::tuple<int64_t, int64_t, int64_t> key{table.pid[i], table.context_id[i], table.stream_id[i]};
      if (key == last) continue;
      last = key;
      add(table.pid[i], table.context_id[i], table.stream_id[i], model::kNullI32, model::kNullI32);
    }
  };
  addSeen(tr.kernels);
  addSeen(tr.memcpys);
  addSeen(tr.memsets);
  addSeen(tr.graph_launches);
  return OkStatus();
}

}  // namespace

Status readTargetInfo(ImportContext& ctx) {
  GS_RETURN_IF_ERROR(readDevices(ctx));
  GS_RETURN_IF_ERROR(readProcesses(ctx));
  GS_RETURN_IF_ERROR(readThreads(ctx));
  std::map<ContextKey, int32_t> device_of;
  GS_RETURN_IF_ERROR(readContexts(ctx, device_of));
  GS_RETURN_IF_ERROR(readStreams(ctx, device_of));
  return OkStatus();
}

}  // namespace gpuscope::importers::nsys_sqlite
