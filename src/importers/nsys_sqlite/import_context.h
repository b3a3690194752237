// State shared by the per-table readers of one nsys import, and their entry
// points. Each reader owns one concern (GPU activity, host calls, NVTX,
// target info); reader.cc runs them in order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "importers/nsys_sqlite/database.h"
#include "importers/nsys_sqlite/strings.h"
#include "model/trace.h"

namespace gpuscope::importers::nsys_sqlite {

// The model's table types, named through Trace so this code does not depend
// on which namespace model/tables.h declares them in.
using KernelTable = decltype(model::Trace::kernels);
using MemcpyTable = decltype(model::Trace::memcpys);
using MemsetTable = decltype(model::Trace::memsets);
using SyncTable = decltype(model::Trace::syncs);
using GraphLaunchTable = decltype(model::Trace::graph_launches);
using ApiCallTable = decltype(model::Trace::api_calls);
using OsRuntimeTable = decltype(model::Trace::os_runtime);
using NvtxTable = decltype(model::Trace::nvtx);
using DeviceTable = decltype(model::Trace::devices);
using ProcessTable = decltype(model::Trace::processes);
using ThreadTable = decltype(model::Trace::threads);

struct ImportContext {
  const Database& db;
  NsysStrings& strings;
  model::Trace& trace;

  model::StringId str(int64_t nsys_id) { return strings.intern(nsys_id, trace.strings); }

  // Counts a skipped or noteworthy row under a stable diagnostics name.
  void count(std::string_view name, model::Severity severity, std::string_view description,
             const TableCursor& at) {
    trace.diagnostics.add(name, severity, description, at.position());
  }
};

// Table names (nsys export schema 3.x).
inline constexpr std::string_view kKernelTable = "CUPTI_ACTIVITY_KIND_KERNEL";
inline constexpr std::string_view kMemcpyTable = "CUPTI_ACTIVITY_KIND_MEMCPY";
inline constexpr std::string_view kMemsetTable = "CUPTI_ACTIVITY_KIND_MEMSET";
inline constexpr std::string_view kSyncTable = "CUPTI_ACTIVITY_KIND_SYNCHRONIZATION";
inline constexpr std::string_view kGraphTraceTable = "CUPTI_ACTIVITY_KIND_GRAPH_TRACE";
inline constexpr std::string_view kRuntimeTable = "CUPTI_ACTIVITY_KIND_RUNTIME";
inline constexpr std::string_view kOsrtTable = "OSRT_API";
inline constexpr std::string_view kNvtxTable = "NVTX_EVENTS";

// True if the tables look like an nsys export (see metadata.cc).
bool looksLikeNsys(const Database& db);
// meta: nsys_export_schema_version, nsys_version, time_base_ns.
Status readMetadata(ImportContext& ctx);

Status readKernels(ImportContext& ctx);
Status readMemcpys(ImportContext& ctx);
Status readMemsets(ImportContext& ctx);
Status readSyncs(ImportContext& ctx);
Status readGraphLaunches(ImportContext& ctx);

Status readApiCalls(ImportContext& ctx);
Status readOsRuntime(ImportContext& ctx);

Status readNvtx(ImportContext& ctx);
// Sets nvtx.depth for push/pop ranges (nesting by time per thread).
void computeNvtxDepth(NvtxTable& nvtx);

// Devices, processes, threads, contexts, streams; run after the event
// readers so ids only seen in events get rows too.
Status readTargetInfo(ImportContext& ctx);

// Shared row checks: NULL start, NULL end (when required), end < start.
// Returns false (and counts) when the row must be skipped.
bool checkInterval(ImportContext& ctx, const TableCursor& c, std::string_view what, int64_t start,
                   int64_t end, bool end_required);

}  // namespace gpuscope::importers::nsys_sqlite
