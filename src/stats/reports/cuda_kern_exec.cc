// cuda_kern_exec_sum and cuda_kern_exec_trace: each kernel joined to the
// API call that launched it (same pid and correlation id), split into
//   A = api.end - api.start               (API time)
//   Q = kernel.start - api.end, if >= 0   (queue time; NULL otherwise)
//   K = kernel.end - kernel.start         (kernel time)
//   T = max(api.end, kernel.end) - api.start
#include <algorithm>
#include <numeric>

#include "stats/flat_index.h"
#include "stats/reports/reports.h"
#include "stats/summary.h"

namespace gpuscope::stats {
namespace {

using model::kNullI64;

struct Launch {
  uint32_t kernel;
  uint32_t api;
};

std::vector<Launch> joinedLaunches(ReportContext& ctx) {
  const model::Trace& tr = ctx.trace();
  const std::vector<int32_t>& api = ctx.kernelApi();
  std::vector<Launch> out;
  out.reserve(api.size());
  for (size_t i = 0; i < api.size(); ++i) {
    if (api[i] < 0 || tr.kernels.end[i] == kNullI64 || tr.api_calls.end[static_cast<size_t>(api[i])] == kNullI64) continue;
    out.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(api[i])});
  }
  return out;
}

}  // namespace

ReportTable cudaKernExecSum(ReportContext& ctx, const ReportOptions& o) {
  const model::Trace& tr = ctx.trace();
  const auto& k = tr.kernels;
  const auto& a = tr.api_calls;
  ReportTable t("cuda_kern_exec_sum", "CUDA Kernel Launch & Exec Time Summary");
  std::vector<Launch> launches = joinedLaunches(ctx);
  if (launches.empty()) {
    t.setSkipped(k.empty() ? "does not contain CUDA kernel data"
                           : "does not contain CUDA kernels joined to CUDA API calls");
    return t;
  }
  // Group by (pid, tid, device, api name, kernel name), in two flat-index
  // stages: (pid, tid, device) -> thread key, then (thread key, names).
  struct Key {
    int64_t pid, tid;
    int32_t device;
    model::StringId api_name, kernel_name;
  };
  FlatIndex threads(64), groups(1024);
  std::vector<Key> keys;
  size_t n = launches.size();
  std::vector<uint32_t> group(n), q_group;
  std::vector<int64_t> tv(n), av(n), kv(n), qv;
  qv.reserve(n);
  q_group.reserve(n);
  int64_t last_pid = 0, last_tid = 0;
  int32_t last_device = 0;
  uint32_t thread = 0;
  for (size_t j = 0; j < n; ++j) {
    uint32_t ki = launches[j].kernel, ai = launches[j].api;
    Key key{a.pid[ai], a.tid[ai], k.device_id[ki], a.name[ai], kernelNameId(tr, ki, o)};
    // Consecutive launches mostly come from one thread: skip the lookup then.
    if (j == 0 || key.pid != last_pid || key.tid != last_tid || key.device != last_device) {
      last_pid = key.pid;
      last_tid = key.tid;
      last_device = key.device;
      thread = threads.intern(static_cast<uint64_t>(key.pid),
                              static_cast<uint64_t>(key.tid) << 16 | static_cast<uint16_t>(key.device));
    }
    bool fresh = false;
    uint32_t g = groups.intern(static_cast<uint64_t>(thread) << 32 | key.api_name, key.kernel_name, &fresh);
    if (fresh) keys.push_back(key);
    group[j] = g;
    av[j] = a.end[ai] - a.start[ai];
    kv[j] = k.end[ki] - k.start[ki];
    tv[j] = std::max(a.end[ai], k.end[ki]) - a.start[ai];
    int64_t q = k.start[ki] - a.end[ai];
    if (q >= 0) {
      qv.push_back(q);
      q_group.push_back(g);
    }
  }
  size_t g_count = keys.size();
  GroupedValues grouped(group, g_count);
  std::vector<SummaryStats> ts = grouped.summarize(tv);
  std::vector<SummaryStats> as = grouped.summarize(av);
  std::vector<SummaryStats> ks = grouped.summarize(kv);
  std::vector<SummaryStats> qs = summarizeGroups(qv, q_group, g_count);

  size_t c_pid = t.addColumn("PID", Unit::kCount, ValueType::kInt);
  size_t c_tid = t.addColumn("TID", Unit::kCount, ValueType::kInt);
  size_t c_dev = t.addColumn("DevId", Unit::kCount, ValueType::kInt);
  size_t c_count = t.addColumn("Count", Unit::kCount, ValueType::kInt);
  size_t c_qcount = t.addColumn("QCount", Unit::kCount, ValueType::kInt);
  auto addBlock = [&](const char* p) {
    size_t first = t.addColumn(std::string(p) + "Avg", Unit::kDurNs, ValueType::kDouble);
    t.addColumn(std::string(p) + "Med", Unit::kDurNs, ValueType::kDouble);
    t.addColumn(std::string(p) + "Min", Unit::kDurNs, ValueType::kInt);
    t.addColumn(std::string(p) + "Max", Unit::kDurNs, ValueType::kInt);
    t.addColumn(std::string(p) + "StdDev", Unit::kDurNs, ValueType::kDouble);
    return first;
  };
  size_t c_t = addBlock("T"), c_a = addBlock("A"), c_q = addBlock("Q"), c_k = addBlock("K");
  size_t c_api = t.addColumn("API Name", Unit::kText, ValueType::kText);
  size_t c_kernel = t.addColumn("Kernel Name", Unit::kText, ValueType::kText);

  std::vector<uint32_t> order(g_count);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    if (ts[x].mean != ts[y].mean) return ts[x].mean > ts[y].mean;
    if (ts[x].count != ts[y].count) return ts[x].count > ts[y].count;
    return x < y;
  });
  auto setBlock = [&](size_t r, size_t c, const SummaryStats& s) {
    if (s.count == 0) return;  // all NULL, as SQL aggregates over no rows
    t.setDouble(r, c, s.mean);
    t.setDouble(r, c + 1, s.median);
    t.setInt(r, c + 2, s.min);
    t.setInt(r, c + 3, s.max);
    t.setDouble(r, c + 4, s.stddev);
  };
  for (uint32_t g : order) {
    size_t r = t.appendRow();
    t.setInt(r, c_pid, keys[g].pid);
    t.setInt(r, c_tid, keys[g].tid);
    t.setInt(r, c_dev, keys[g].device);
    t.setInt(r, c_count, ts[g].count);
    t.setInt(r, c_qcount, qs[g].count);
    setBlock(r, c_t, ts[g]);
    setBlock(r, c_a, as[g]);
    setBlock(r, c_q, qs[g]);
    setBlock(r, c_k, ks[g]);
    t.setText(r, c_api, t.traceText(tr.strings, keys[g].api_name));
    t.setText(r, c_kernel, t.traceText(tr.strings, keys[g].kernel_name));
  }
  return t;
}

ReportTable cudaKernExecTrace(ReportContext& ctx, const ReportOptions& o) {
  const model::Trace& tr = ctx.trace();
  const auto& k = tr.kernels;
  const auto& a = tr.api_calls;
  ReportTable t("cuda_kern_exec_trace", "CUDA Kernel Launch & Exec Time Trace");
  std::vector<Launch> launches = joinedLaunches(ctx);
  if (launches.empty()) {
    t.setSkipped(k.empty() ? "does not contain CUDA kernel data"
                           : "does not contain CUDA kernels joined to CUDA API calls");
    return t;
  }
  std::stable_sort(launches.begin(), launches.end(), [&](const Launch& x, const Launch& y) {
    if (a.start[x.api] != a.start[y.api]) return a.start[x.api] < a.start[y.api];
    return k.start[x.kernel] < k.start[y.kernel];
  });
  size_t c_as = t.addColumn("API Start", Unit::kTsNs, ValueType::kInt);
  size_t c_ad = t.addColumn("API Dur", Unit::kDurNs, ValueType::kInt);
  size_t c_qs = t.addColumn("Queue Start", Unit::kTsNs, ValueType::kInt);
  size_t c_qd = t.addColumn("Queue Dur", Unit::kDurNs, ValueType::kInt);
  size_t c_ks = t.addColumn("Kernel Start", Unit::kTsNs, ValueType::kInt);
  size_t c_kd = t.addColumn("Kernel Dur", Unit::kDurNs, ValueType::kInt);
  size_t c_td = t.addColumn("Total Dur", Unit::kDurNs, ValueType::kInt);
  size_t c_pid = t.addColumn("PID", Unit::kCount, ValueType::kInt);
  size_t c_tid = t.addColumn("TID", Unit::kCount, ValueType::kInt);
  size_t c_dev = t.addColumn("DevId", Unit::kCount, ValueType::kInt);
  size_t c_api = t.addColumn("API Function", Unit::kText, ValueType::kText);
  size_t c_grid = t.addColumn("GridXYZ", Unit::kText, ValueType::kText);
  size_t c_block = t.addColumn("BlockXYZ", Unit::kText, ValueType::kText);
  size_t c_name = t.addColumn("Kernel Name", Unit::kText, ValueType::kText);
  t.reserveRows(launches.size());
  for (const Launch& l : launches) {
    uint32_t ki = l.kernel, ai = l.api;
    size_t r = t.appendRow();
    t.setInt(r, c_as, a.start[ai]);
    t.setInt(r, c_ad, a.end[ai] - a.start[ai]);
    int64_t q = k.start[ki] - a.end[ai];
    if (q >= 0) {
      t.setInt(r, c_qs, a.end[ai]);
      t.setInt(r, c_qd, q);
    }
    t.setInt(r, c_ks, k.start[ki]);
    t.setInt(r, c_kd, k.end[ki] - k.start[ki]);
    t.setInt(r, c_td, std::max(a.end[ai], k.end[ki]) - a.start[ai]);
    t.setInt(r, c_pid, a.pid[ai]);
    t.setInt(r, c_tid, a.tid[ai]);
    t.setInt(r, c_dev, k.device_id[ki]);
    t.setText(r, c_api, t.traceText(tr.strings, a.name[ai]));
    t.setText(r, c_grid, launchGeometryText(t, k.grid_x[ki], k.grid_y[ki], k.grid_z[ki]));
    t.setText(r, c_block, launchGeometryText(t, k.block_x[ki], k.block_y[ki], k.block_z[ki]));
    t.setText(r, c_name, t.traceText(tr.strings, kernelNameId(tr, ki, o)));
  }
  return t;
}

}  // namespace gpuscope::stats
