#include "tracer/merge.h"

#include <dirent.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "base/version.h"
#include "model/table_append.h"
#include "tracer/clock_map.h"
#include "tracer/nvtx_ranges.h"
#include "tracer/raw_format.h"
#include "tracer/sync_calls.h"

namespace gpuscope::tracer {
namespace {

using model::kNullI64;
constexpr int64_t kForever = std::numeric_limits<int64_t>::max();

struct Window { int64_t begin, end; };  // epoch ns, [begin, end)

template <typename T>
concept TimedTable = requires(T t) { t.start; t.end; };
template <typename T>
concept GpuTable = TimedTable<T> && requires(T t) { t.correlation_id; t.device_id; };

bool isTimeColumn(const model::ColumnInfo& c) {
  return c.type == model::ColumnType::kI64 && (std::strcmp(c.name, "start") == 0 || std::strcmp(c.name, "end") == 0);
}

// Capture windows of one process on its own clock.
std::vector<Window> captureWindows(const Recording& rec, const MergeOptions& o) {
  std::vector<Window> w;
  if (o.capture == CaptureRangeKind::kCudaProfilerApi) {
    std::vector<CaptureEdge> edges = rec.capture_edges;
    std::stable_sort(edges.begin(), edges.end(), [](auto& a, auto& b) { return a.time < b.time; });
    int64_t open = kNullI64;
    for (const CaptureEdge& e : edges) {
      if (e.begin && open == kNullI64) open = e.time;
      if (!e.begin && open != kNullI64) { w.push_back({open, e.time}); open = kNullI64; }
    }
    if (open != kNullI64) w.push_back({open, kForever});
  } else if (o.capture == CaptureRangeKind::kNvtx) {
    const model::NvtxTable& t = rec.rows.nvtx;
    for (size_t i = 0; i < t.size(); ++i)
      if (t.kind[i] != int32_t(model::NvtxKind::kMark) && rec.rows.str(t.text[i]) == o.capture_nvtx_name)
        w.push_back({t.start[i], t.end[i] == kNullI64 ? kForever : t.end[i]});
  }
  return w;
}

bool inside(const std::vector<Window>& ws, int64_t t) {
  for (const Window& w : ws) if (t >= w.begin && t < w.end) return true;
  return false;
}

struct ProcessMerge {
  Recording rec;
  int64_t pid = 0;
  ClockMap clock;  // process clock -> epoch
  bool filtered = false;
  std::vector<Window> windows;  // epoch; used when filtered
};

void applyExternalIds(Recording& rec) {
  if (rec.external.empty()) return;
  std::unordered_map<int64_t, int64_t> ext;
  for (const ExternalCorrelation& x : rec.external) ext[x.correlation_id] = x.external_id;
  auto apply = [&](auto& t) {
    for (size_t i = 0; i < t.size(); ++i) {
      auto it = ext.find(t.correlation_id[i]);
      if (it != ext.end()) t.external_id[i] = it->second;
    }
  };
  apply(rec.rows.api_calls); apply(rec.rows.kernels); apply(rec.rows.memcpys); apply(rec.rows.memsets);
}

// Keep masks for one process: API calls and NVTX by their start; GPU work
// with its launching call (a kernel launched inside the window is kept even
// if it runs after it), or by its start when it has no recorded call.
template <typename Table>
std::vector<char> keepMask(const Table& t, const ProcessMerge& p, const std::unordered_set<int64_t>& kept_calls) {
  if (!p.filtered) return {};
  std::vector<char> keep(t.size(), 0);
  if constexpr (TimedTable<Table>) {
    for (size_t i = 0; i < t.size(); ++i) {
      bool k = inside(p.windows, p.clock.toEpoch(t.start[i]));
      if constexpr (GpuTable<Table>) {
        if (t.correlation_id[i] != kNullI64 && t.correlation_id[i] != 0)
          k = kept_calls.count(t.correlation_id[i]) > 0;
      }
      keep[i] = k;
    }
  } else {
    keep.assign(t.size(), 1);
  }
  return keep;
}

void finishTables(model::Trace& out) {
  // Devices once per id; contexts, streams and threads once per key, with
  // the first non-empty name and the device taken from the context.
  model::DeviceTable devices;
  std::set<int32_t> seen_devices;
  for (size_t i = 0; i < out.devices.size(); ++i)
    if (seen_devices.insert(out.devices.id[i]).second) devices.push(out.devices.row(i));
  out.devices = std::move(devices);

  model::ContextTable contexts;
  std::map<std::pair<int64_t, int64_t>, int32_t> ctx_device;
  for (size_t i = 0; i < out.contexts.size(); ++i)
    if (ctx_device.emplace(std::make_pair(out.contexts.pid[i], out.contexts.context_id[i]), out.contexts.device_id[i]).second)
      contexts.push(out.contexts.row(i));
  out.contexts = std::move(contexts);
  auto deviceOf = [&](int64_t pid, int64_t ctx) {
    auto it = ctx_device.find({pid, ctx});
    return it == ctx_device.end() ? model::kNullI32 : it->second;
  };

  std::map<std::tuple<int64_t, int64_t, int64_t>, size_t> stream_at;
  model::StreamTable streams;
  for (size_t i = 0; i < out.streams.size(); ++i) {
    model::StreamTable::Row r = out.streams.row(i);
    auto [it, fresh] = stream_at.emplace(std::make_tuple(r.pid, r.context_id, r.stream_id), streams.size());
    if (fresh) {
      if (r.device_id == model::kNullI32) r.device_id = deviceOf(r.pid, r.context_id);
      streams.push(r);
      continue;
    }
    size_t j = it->second;
    if (streams.name[j] == model::kEmptyString) streams.name[j] = r.name;
    if (streams.priority[j] == model::kNullI32) streams.priority[j] = r.priority;
    if (streams.stream_type[j] == model::kNullI32) streams.stream_type[j] = r.stream_type;
  }
  out.streams = std::move(streams);
  for (size_t i = 0; i < out.syncs.size(); ++i)
    if (out.syncs.device_id[i] == model::kNullI32) out.syncs.device_id[i] = deviceOf(out.syncs.pid[i], out.syncs.context_id[i]);

  std::map<std::pair<int64_t, int64_t>, model::StringId> threads;
  for (size_t i = 0; i < out.threads.size(); ++i) {
    auto& name = threads[{out.threads.pid[i], out.threads.tid[i]}];
    if (name == model::kEmptyString) name = out.threads.name[i];
  }
  for (size_t i = 0; i < out.api_calls.size(); ++i) threads.emplace(std::make_pair(out.api_calls.pid[i], out.api_calls.tid[i]), model::kEmptyString);
  for (size_t i = 0; i < out.nvtx.size(); ++i)
    if (out.nvtx.tid[i] != kNullI64) threads.emplace(std::make_pair(out.nvtx.pid[i], out.nvtx.tid[i]), model::kEmptyString);
  out.threads = model::ThreadTable{};
  for (const auto& [key, name] : threads) out.threads.push({key.first, key.second, name});
}

// GPU rows whose launching call is missing are kept but counted: it means
// API tracing was off, or the call fell outside a capture window.
void countUncorrelated(model::Trace& out) {
  std::unordered_set<uint64_t> calls;
  std::unordered_set<int64_t> pids_with_calls;
  const auto key = processCorrelationKey;
  for (size_t i = 0; i < out.api_calls.size(); ++i) {
    calls.insert(key(out.api_calls.pid[i], out.api_calls.correlation_id[i]));
    pids_with_calls.insert(out.api_calls.pid[i]);
  }
  int64_t n = 0;
  auto check = [&](const auto& t) {
    for (size_t i = 0; i < t.size(); ++i)
      if (pids_with_calls.count(t.pid[i]) && !calls.count(key(t.pid[i], t.correlation_id[i]))) ++n;
  };
  check(out.kernels); check(out.memcpys); check(out.memsets); check(out.graph_launches);
  if (n > 0)
    out.diagnostics.add("gpu_record_without_api_call", model::Severity::kInfo,
                        "GPU records whose launching API call is not in the trace", "", n);
}

}  // namespace

model::Trace mergeRecordings(std::vector<Recording> recordings, const MergeOptions& o) {
  model::Trace out;
  std::vector<ProcessMerge> procs;
  for (Recording& rec : recordings) {
    ProcessMerge p;
    p.rec = std::move(rec);
    if (!p.rec.process.empty()) {
      p.pid = p.rec.process[0].pid;
      p.clock = ClockMap(recordingAnchors(p.rec));
    } else {
      out.diagnostics.add("raw_file_without_process_info", model::Severity::kDataLoss,
                          "a raw trace file had no process header; its clock is assumed to be epoch ns", "");
    }
    resolveNvtxRanges(&p.rec);
    applyExternalIds(p.rec);
    // Windows: --delay/--duration intersected with the capture range.
    bool timed = o.window_begin_epoch_ns != kNullI64 || o.window_end_epoch_ns != kNullI64;
    Window global{o.window_begin_epoch_ns == kNullI64 ? std::numeric_limits<int64_t>::min() : o.window_begin_epoch_ns,
                  o.window_end_epoch_ns == kNullI64 ? kForever : o.window_end_epoch_ns};
    if (o.capture != CaptureRangeKind::kNone) {
      p.filtered = true;
      for (Window w : captureWindows(p.rec, o)) {
        w.begin = p.clock.toEpoch(w.begin);
        if (w.end != kForever) w.end = p.clock.toEpoch(w.end);
        w.begin = std::max(w.begin, global.begin);
        w.end = std::min(w.end, global.end);
        if (w.begin < w.end) p.windows.push_back(w);
      }
    } else if (timed) {
      p.filtered = true;
      p.windows.push_back(global);
    }
    procs.push_back(std::move(p));
  }

  // Trace time 0 = the first kept event of any process.
  int64_t base = kForever;
  for (ProcessMerge& p : procs) {
    p.rec.rows.forEachTable([&](const auto& t) {
      if constexpr (TimedTable<std::decay_t<decltype(t)>>)
        for (size_t i = 0; i < t.size(); ++i) {
          int64_t e = p.clock.toEpoch(t.start[i]);
          if (!p.filtered || inside(p.windows, e)) base = std::min(base, e);
        }
    });
  }
  if (base == kForever) base = 0;

  for (ProcessMerge& p : procs) {
    const std::vector<model::StringId> remap = model::remapStrings(p.rec.rows.strings, out.strings);
    std::unordered_set<int64_t> kept_calls;
    if (p.filtered) {
      const auto& a = p.rec.rows.api_calls;
      for (size_t i = 0; i < a.size(); ++i)
        if (inside(p.windows, p.clock.toEpoch(a.start[i]))) kept_calls.insert(a.correlation_id[i]);
    }
    // Filter first, then shift: the shift moves to trace time.
    auto merge = [&](auto& dst, const auto& src) {
      model::appendRows(dst, src, remap, keepMask(src, p, kept_calls), [&](const model::ColumnInfo& info) {
        return [&p, base, time = isTimeColumn(info)](int64_t v) {
          return time && v != kNullI64 ? p.clock.toEpoch(v) - base : v;
        };
      });
    };
    merge(out.threads, p.rec.rows.threads);
    merge(out.devices, p.rec.rows.devices);
    merge(out.contexts, p.rec.rows.contexts);
    merge(out.streams, p.rec.rows.streams);
    merge(out.kernels, p.rec.rows.kernels);
    merge(out.memcpys, p.rec.rows.memcpys);
    merge(out.memsets, p.rec.rows.memsets);
    merge(out.syncs, p.rec.rows.syncs);
    merge(out.api_calls, p.rec.rows.api_calls);
    merge(out.nvtx, p.rec.rows.nvtx);
    merge(out.graph_launches, p.rec.rows.graph_launches);
    merge(out.graph_nodes, p.rec.rows.graph_nodes);
    merge(out.os_runtime, p.rec.rows.os_runtime);
    if (!p.rec.process.empty())
      out.processes.push({p.pid, out.strings.intern(p.rec.process[0].command)});
    for (const model::Diagnostic& d : p.rec.rows.diagnostics.all())
      out.diagnostics.add(d.name, d.severity, d.description, d.first_position, d.count);
    for (const auto& [k, v] : p.rec.rows.meta) out.meta.emplace(k, v);
  }
  finishTables(out);
  countUncorrelated(out);
  if (size_t moved = clampSyncsToCalls(out.api_calls, &out.syncs))
    out.diagnostics.add("sync_interval_clamped_to_call", model::Severity::kInfo,
                        "synchronizations timed partly outside their API call, cut to its interval", "",
                        int64_t(moved));
  out.meta[model::kMetaProducer] = std::string("gpuscope ") + kVersion;
  out.meta[model::kMetaSourceFormat] = "gpuscope_trace";
  out.meta[model::kMetaTimeBaseNs] = std::to_string(base);
  if (!o.command.empty()) out.meta["command"] = o.command;
  out.sortByTime();
  return out;
}

StatusOr<model::Trace> mergeRawDirectory(const std::string& dir, const MergeOptions& options) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return InvalidInput(dir + ": cannot open the raw trace directory: " + std::strerror(errno));
  std::vector<std::string> files;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 4 && n.compare(n.size() - 4, 4, ".raw") == 0) files.push_back(dir + "/" + n);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  std::vector<Recording> recs;
  for (const std::string& f : files) {
    GS_ASSIGN_OR_RETURN(Recording r, readRawFile(f));
    recs.push_back(std::move(r));
  }
  return mergeRecordings(std::move(recs), options);
}

}  // namespace gpuscope::tracer
