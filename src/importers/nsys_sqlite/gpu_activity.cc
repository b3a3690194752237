// GPU activity: CUPTI_ACTIVITY_KIND_{KERNEL, MEMCPY, MEMSET, SYNCHRONIZATION,
// GRAPH_TRACE}. Every optional column is selected through TableCursor, which
// yields NULL for columns an older export lacks (greenContextId, graphId,
// mangledName, ...). GPU rows carry globalPid; we keep its decoded PID.
#include <string>

#include "importers/nsys_sqlite/global_tid.h"
#include "importers/nsys_sqlite/import_context.h"

namespace gpuscope::importers::nsys_sqlite {
namespace {

// Columns common to every GPU activity table, in this order at 0..6.
enum Common { kStart, kEnd, kGlobalPid, kDeviceId, kContextId, kStreamId, kCorrelationId, kNext };

Status requireColumns(const Database& db, std::string_view table,
                      std::initializer_list<std::string_view> columns) {
  for (std::string_view c : columns) {
    if (!db.hasColumn(table, c)) {
      return InvalidInput(db.path() + ": table " + std::string(table) + ": missing column '" +
                          std::string(c) + "'");
    }
  }
  return OkStatus();
}

template <typename Row>
void fillCommon(const TableCursor& c, Row& r) {
  r.start = c.i64(kStart);
  r.end = c.i64(kEnd);
  r.pid = pidOf(c.i64(kGlobalPid));
  r.device_id = c.i32(kDeviceId);
  r.context_id = c.i64(kContextId);
  r.stream_id = c.i64(kStreamId);
  r.correlation_id = c.i64(kCorrelationId);
}

// Opens a GPU table with the common columns followed by `extra`. Callers
// check that the table exists first (lazy export: no table means no rows).
StatusOr<TableCursor> openGpuTable(ImportContext& ctx, std::string_view table,
                                   std::initializer_list<std::string_view> extra) {
  GS_RETURN_IF_ERROR(requireColumns(ctx.db, table, {"start", "end"}));
  std::vector<std::string_view> cols = {"start",     "end",      "globalPid",    "deviceId",
                                        "contextId", "streamId", "correlationId"};
  cols.insert(cols.end(), extra.begin(), extra.end());
  return TableCursor::open(ctx.db, table, cols);
}

template <typename Table>
void reserveFor(ImportContext& ctx, std::string_view name, Table& t) {
  t.reserve(t.size() + static_cast<size_t>(rowCountHint(ctx.db, name)));
}

}  // namespace

bool checkInterval(ImportContext& ctx, const TableCursor& c, std::string_view what, int64_t start,
                   int64_t end, bool end_required) {
  if (start == model::kNullI64) {
    ctx.count(std::string(what) + "_null_start", model::Severity::kDataLoss,
              "rows without a start time were skipped", c);
    return false;
  }
  if (end == model::kNullI64) {
    if (!end_required) return true;
    ctx.count(std::string(what) + "_null_end", model::Severity::kDataLoss,
              "rows without an end time were skipped", c);
    return false;
  }
  if (end < start) {
    ctx.count(std::string(what) + "_end_before_start", model::Severity::kDataLoss,
              "rows whose end is before their start were skipped", c);
    return false;
  }
  return true;
}

Status readKernels(ImportContext& ctx) {
  if (!ctx.db.hasTable(kKernelTable)) return OkStatus();
  auto& t = ctx.trace.kernels;
  reserveFor(ctx, kKernelTable, t);
  GS_ASSIGN_OR_RETURN(
      TableCursor c,
      openGpuTable(ctx, kKernelTable,
                   {"demangledName", "shortName", "mangledName", "gridX", "gridY", "gridZ",
                    "blockX", "blockY", "blockZ", "registersPerThread", "staticSharedMemory",
                    "dynamicSharedMemory", "localMemoryPerThread", "launchType", "graphId",
                    "graphNodeId"}));
  KernelTable::Row r;
  while (true) {
    GS_ASSIGN_OR_RETURN(bool more, c.next());
    if (!more) break;
    fillCommon(c, r);
    if (!checkInterval(ctx, c, "kernel", r.start, r.end, true)) continue;
    int k = kNext;
    int64_t demangled = c.i64(k++);
    int64_t short_name = c.i64(k++);
    int64_t mangled = c.i64(k++);
    // demangledName is what nsys reports show; an export without it (never
    // seen, but the column may be NULL) falls back to the short name.
    r.name = ctx.str(demangled != model::kNullI64 ? demangled : short_name);
    r.short_name = ctx.str(short_name);
    r.mangled_name = ctx.str(mangled);
    r.grid_x = c.i32(k++);
    r.grid_y = c.i32(k++);
    r.grid_z = c.i32(k++);
    r.block_x = c.i32(k++);
    r.block_y = c.i32(k++);
    r.block_z = c.i32(k++);
    r.registers_per_thread = c.i32(k++);
    r.static_shared_memory = c.i32(k++);
    r.dynamic_shared_memory = c.i32(k++);
    r.local_memory_per_thread = c.i32(k++);
    r.launch_type = c.i32(k++);
    r.graph_id = c.i64(k++);
    r.graph_node_id = c.i64(k++);
    t.push(r);
  }
  return OkStatus();
}

Status readMemcpys(ImportContext& ctx) {
  if (!ctx.db.hasTable(kMemcpyTable)) return OkStatus();
  auto& t = ctx.trace.memcpys;
  reserveFor(ctx, kMemcpyTable, t);
  GS_ASSIGN_OR_RETURN(TableCursor c,
                      openGpuTable(ctx, kMemcpyTable,
                                   {"bytes", "copyKind", "srcKind", "dstKind", "srcDeviceId",
                                    "dstDeviceId", "graphNodeId"}));
  MemcpyTable::Row r;
  while (true) {
    GS_ASSIGN_OR_RETURN(bool more, c.next());
    if (!more) break;
    fillCommon(c, r);
    if (!checkInterval(ctx, c, "memcpy", r.start, r.end, true)) continue;
    int k = kNext;
    r.bytes = c.i64(k++);
    r.copy_kind = c.i32(k++);
    // nsys's memcpy reports join ENUM_CUDA_MEMCPY_OPER, dropping unknown
    // kinds; we skip them too, but count them.
    if (r.copy_kind != model::kNullI32 && (r.copy_kind < 0 || r.copy_kind > 13)) {
      ctx.count("memcpy_unknown_copy_kind", model::Severity::kDataLoss,
                "memcpy rows with a copyKind outside ENUM_CUDA_MEMCPY_OPER (0-13) were skipped",
                c);
      continue;
    }
    r.src_kind = c.i32(k++);
    r.dst_kind = c.i32(k++);
    r.src_device_id = c.i32(k++);
    r.dst_device_id = c.i32(k++);
    r.graph_node_id = c.i64(k++);
    t.push(r);
  }
  return OkStatus();
}

Status readMemsets(ImportContext& ctx) {
  if (!ctx.db.hasTable(kMemsetTable)) return OkStatus();
  auto& t = ctx.trace.memsets;
  reserveFor(ctx, kMemsetTable, t);
  GS_ASSIGN_OR_RETURN(TableCursor c, openGpuTable(ctx, kMemsetTable,
                                                  {"bytes", "value", "memKind", "graphNodeId"}));
  MemsetTable::Row r;
  while (true) {
    GS_ASSIGN_OR_RETURN(bool more, c.next());
    if (!more) break;
    fillCommon(c, r);
    if (!checkInterval(ctx, c, "memset", r.start, r.end, true)) continue;
    int k = kNext;
    r.bytes = c.i64(k++);
    r.value = c.i32(k++);
    r.mem_kind = c.i32(k++);
    r.graph_node_id = c.i64(k++);
    t.push(r);
  }
  return OkStatus();
}

Status readSyncs(ImportContext& ctx) {
  if (!ctx.db.hasTable(kSyncTable)) return OkStatus();
  auto& t = ctx.trace.syncs;
  reserveFor(ctx, kSyncTable, t);
  GS_ASSIGN_OR_RETURN(TableCursor c, openGpuTable(ctx, kSyncTable, {"syncType", "eventId"}));
  SyncTable::Row r;
  while (true) {
    GS_ASSIGN_OR_RETURN(bool more, c.next());
    if (!more) break;
    fillCommon(c, r);
    if (!checkInterval(ctx, c, "sync", r.start, r.end, true)) continue;
    int k = kNext;
    r.sync_type = c.i32(k++);
    r.event_id = c.i64(k++);
    // CUPTI writes 0xFFFFFFFF (CUPTI_SYNCHRONIZATION_INVALID_VALUE) when a
    // sync has no event (stream/context synchronize).
    if (r.event_id == 0xFFFFFFFFll) r.event_id = model::kNullI64;
    r.tid = model::kNullI64;  // SYNCHRONIZATION rows carry globalPid only
    t.push(r);
  }
  return OkStatus();
}

Status readGraphLaunches(ImportContext& ctx) {
  if (!ctx.db.hasTable(kGraphTraceTable)) return OkStatus();
  auto& t = ctx.trace.graph_launches;
  reserveFor(ctx, kGraphTraceTable, t);
  GS_ASSIGN_OR_RETURN(TableCursor c,
                      openGpuTable(ctx, kGraphTraceTable, {"graphId", "graphExecId"}));
  GraphLaunchTable::Row r;
  while (true) {
    GS_ASSIGN_OR_RETURN(bool more, c.next());
    if (!more) break;
    fillCommon(c, r);
    if (!checkInterval(ctx, c, "graph_launch", r.start, r.end, true)) continue;
    r.graph_id = c.i64(kNext);
    r.graph_exec_id = c.i64(kNext + 1);
    t.push(r);
  }
  return OkStatus();
}

}  // namespace gpuscope::importers::nsys_sqlite
