// model::Trace: the whole trace in memory, one struct-of-arrays table per
// event kind, one string table, metadata and import diagnostics. Every
// source (importers, tracer, store reader) produces one; every consumer
// (stats, analysis, export, report) reads one.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "model/diagnostics.h"
#include "model/enums.h"
#include "model/string_table.h"
#include "model/tables.h"

namespace gpuscope::model {

// Metadata keys every producer should set.
inline constexpr const char* kMetaSchemaVersion = "schema_version";
inline constexpr const char* kMetaProducer = "producer";          // "gpuscope 0.1.0"
inline constexpr const char* kMetaSourceFormat = "source_format"; // "nsys_sqlite", "kineto_json", ...
inline constexpr const char* kMetaSourcePath = "source_path";
inline constexpr const char* kMetaTimeBaseNs = "time_base_ns";    // epoch ns of trace time 0, if known

struct Trace {
  StringTable strings;
  std::map<std::string, std::string> meta;
  Diagnostics diagnostics;

  ProcessTable processes;
  ThreadTable threads;
  DeviceTable devices;
  ContextTable contexts;
  StreamTable streams;
  KernelTable kernels;
  MemcpyTable memcpys;
  MemsetTable memsets;
  SyncTable syncs;
  ApiCallTable api_calls;
  NvtxTable nvtx;
  GraphLaunchTable graph_launches;
  GraphNodeTable graph_nodes;
  OsRuntimeTable os_runtime;
  CpuOpTable cpu_ops;
  GpuAnnotationTable gpu_annotations;
  KernelMetricTable kernel_metrics;
  KernelRuleTable kernel_rules;

  // Calls f(table) for every table, in schema order.
  template <typename F>
  void forEachTable(F&& f) {
    f(processes); f(threads); f(devices); f(contexts); f(streams);
    f(kernels); f(memcpys); f(memsets); f(syncs); f(api_calls); f(nvtx);
    f(graph_launches); f(graph_nodes); f(os_runtime); f(cpu_ops); f(gpu_annotations);
    f(kernel_metrics); f(kernel_rules);
  }
  template <typename F>
  void forEachTable(F&& f) const {
    const_cast<Trace*>(this)->forEachTable([&](auto& t) { f(std::as_const(t)); });
  }

  std::string_view str(StringId id) const { return strings.get(id); }

  // Sorts every table with a `start` column by (start, end), stably. Called
  // once by producers when they finish, so consumers may rely on it.
  void sortByTime();

  // Total event rows (all tables with a time column).
  size_t eventCount() const;
};

}  // namespace gpuscope::model
