// Host-side calls: CUPTI_ACTIVITY_KIND_RUNTIME (CUDA runtime *and* driver
// calls; nsys has no separate driver table) and OSRT_API. The family of a
// row is its eventClass, resolved through ENUM_NSYS_EVENT_CLASS by name
// where that table exists, because numbers are an implementation detail.
#include <string>
#include <unordered_map>

#include "importers/nsys_sqlite/global_tid.h"
#include "importers/nsys_sqlite/import_context.h"

namespace gpuscope::importers::nsys_sqlite {
namespace {

enum class EventClass { kRuntime, kDriver, kCudnn, kCublas, kBacktrace, kOsRuntime, kOther };

EventClass classFromName(std::string_view name) {
  constexpr std::string_view kPrefix = "TRACE_PROCESS_EVENT_";
  if (name.substr(0, kPrefix.size()) == kPrefix) name.remove_prefix(kPrefix.size());
  if (name == "CUDA_RUNTIME") return EventClass::kRuntime;
  if (name == "CUDA_DRIVER") return EventClass::kDriver;
  if (name == "CUDNN") return EventClass::kCudnn;
  if (name == "CUBLAS") return EventClass::kCublas;
  if (name == "CUDABACKTRACE") return EventClass::kBacktrace;
  if (name == "OS_RUNTIME") return EventClass::kOsRuntime;
  return EventClass::kOther;
}

// eventClass -> family. Without ENUM_NSYS_EVENT_CLASS, the numbers every
// known release uses (0 runtime, 1 driver, 27 OS runtime, 28 cuDNN,
// 29 cuBLAS, 67 CUDA backtrace).
StatusOr<std::unordered_map<int64_t, EventClass>> loadEventClasses(const Database& db) {
  std::unordered_map<int64_t, EventClass> classes;
  if (!db.hasTable("ENUM_NSYS_EVENT_CLASS") || !db.hasColumn("ENUM_NSYS_EVENT_CLASS", "id") ||
      !db.hasColumn("ENUM_NSYS_EVENT_CLASS", "name")) {
    classes = {{0, EventClass::kRuntime},   {1, EventClass::kDriver},
               {27, EventClass::kOsRuntime}, {28, EventClass::kCudnn},
               {29, EventClass::kCublas},    {67, EventClass::kBacktrace}};
    return classes;
  }
  GS_ASSIGN_OR_RETURN(TableCursor c, TableCursor::open(db, "ENUM_NSYS_EVENT_CLASS", {"id", "name"}));
  while (true) {
    GS_ASSIGN_OR_RETURN(bool more, c.next());
    if (!more) break;
    if (c.isNull(0)) continue;
    classes[c.i64(0)] = classFromName(c.text(1));
  }
  return classes;
}

model::ApiKind apiKindOf(EventClass k) {
  switch (k) {
    case EventClass::kRuntime: return model::ApiKind::kRuntime;
    case EventClass::kDriver: return model::ApiKind::kDriver;
    case EventClass::kCudnn: return model::ApiKind::kCudnn;
    case EventClass::kCublas: return model::ApiKind::kCublas;
    default: return model::ApiKind::kOther;
  }
}

}  // namespace

Status readApiCalls(ImportContext& ctx) {
  if (!ctx.db.hasTable(kRuntimeTable)) return OkStatus();
  for (std::string_view col : {"start", "end", "globalTid", "nameId"}) {
    if (!ctx.db.hasColumn(kRuntimeTable, col)) {
      return InvalidInput(ctx.db.path() + ": table " + std::string(kRuntimeTable) +
                          ": missing column '" + std::string(col) + "'");
    }
  }
  GS_ASSIGN_OR_RETURN(auto classes, loadEventClasses(ctx.db));
  const int64_t n = rowCountHint(ctx.db, kRuntimeTable);
  auto& t = ctx.trace.api_calls;
  t.reserve(t.size() + static_cast<size_t>(n));
  GS_ASSIGN_OR_RETURN(TableCursor c,
                      TableCursor::open(ctx.db, kRuntimeTable,
                                        {"start", "end", "eventClass", "globalTid",
                                         "correlationId", "nameId", "returnValue"}));
  const bool has_class = c.present(2);
  // Rows of one class come in long runs: remember the last lookup.
  int64_t last_class = model::kNullI64;
  EventClass last_kind = EventClass::kRuntime;
  bool last_known = true;
  ApiCallTable::Row r;
  while (true) {
    GS_ASSIGN_OR_RETURN(bool more, c.next());
    if (!more) break;
    r.start = c.i64(0);
    r.end = c.i64(1);
    if (!checkInterval(ctx, c, "api_call", r.start, r.end, true)) continue;
    EventClass kind = EventClass::kRuntime;  // a table without eventClass predates the driver rows
    if (has_class) {
      int64_t cls = c.i64(2);
      if (cls != last_class) {
        auto it = classes.find(cls);
        last_known = it != classes.end();
        if (last_known) last_kind = it->second;
        last_class = cls;
      }
      if (!last_known) {
        ctx.count("api_call_unknown_event_class", model::Severity::kDataLoss,
                  "RUNTIME rows whose eventClass is not in ENUM_NSYS_EVENT_CLASS were skipped", c);
        continue;
      }
      kind = last_kind;
    }
    if (kind == EventClass::kBacktrace) {
      // A backtrace row repeats the interval and correlationId of a real
      // call to attach a callchain; it is not a call.
      ctx.count("api_call_cuda_backtrace", model::Severity::kInfo,
                "CUDA backtrace rows (eventClass CUDABACKTRACE) repeat a call and were not imported",
                c);
      continue;
    }
    int64_t gtid = c.i64(3);
    r.pid = pidOf(gtid);
    r.tid = tidOf(gtid);
    r.correlation_id = c.i64(4);
    r.name = ctx.strings.internApiName(c.i64(5), ctx.trace.strings);
    r.api_kind = static_cast<int32_t>(apiKindOf(kind));
    r.return_code = c.i64(6);
    t.push(r);
  }
  return OkStatus();
}

Status readOsRuntime(ImportContext& ctx) {
  if (!ctx.db.hasTable(kOsrtTable)) return OkStatus();
  for (std::string_view col : {"start", "end", "globalTid", "nameId"}) {
    if (!ctx.db.hasColumn(kOsrtTable, col)) {
      return InvalidInput(ctx.db.path() + ": table " + std::string(kOsrtTable) +
                          ": missing column '" + std::string(col) + "'");
    }
  }
  GS_ASSIGN_OR_RETURN(auto classes, loadEventClasses(ctx.db));
  int64_t os_class = 27;
  for (const auto& [id, k] : classes) {
    if (k == EventClass::kOsRuntime) os_class = id;
  }
  const int64_t n = rowCountHint(ctx.db, kOsrtTable);
  auto& t = ctx.trace.os_runtime;
  t.reserve(t.size() + static_cast<size_t>(n));
  GS_ASSIGN_OR_RETURN(TableCursor c, TableCursor::open(ctx.db, kOsrtTable,
                                                       {"start", "end", "eventClass", "globalTid",
                                                        "nameId", "returnValue", "nestingLevel"}));
  const bool has_class = c.present(2);
  OsRuntimeTable::Row r;
  while (true) {
    GS_ASSIGN_OR_RETURN(bool more, c.next());
    if (!more) break;
    if (has_class && c.i64(2) != os_class) {
      // Classes 31/32 are start/finish markers of calls, not calls; osrt_sum
      // keeps class 27 only.
      ctx.count("osrt_non_call_event_class", model::Severity::kInfo,
                "OSRT_API rows of an eventClass other than OS_RUNTIME (start/finish markers) "
                "were not imported",
                c);
      continue;
    }
    r.start = c.i64(0);
    r.end = c.i64(1);
    if (!checkInterval(ctx, c, "osrt", r.start, r.end, true)) continue;
    int64_t gtid = c.i64(3);
    r.pid = pidOf(gtid);
    r.tid = tidOf(gtid);
    r.name = ctx.str(c.i64(4));
    r.return_value = c.i64(5);
    r.nesting_level = c.i32(6);
    t.push(r);
  }
  return OkStatus();
}

}  // namespace gpuscope::importers::nsys_sqlite
