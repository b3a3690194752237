// End of import: GPU rows get the pid of the call that launched them
// (correlation ids are unique per process, and a Kineto file normally holds
// one process), ac2g flows fill in missing correlations and are checked
// against the rows, and user annotations get their nesting depth.
#include <algorithm>
#include <initializer_list>
#include <limits>
#include <numeric>
#include <tuple>

#include "importers/kineto_json/event_sink.h"

namespace gpuscope::importers::kineto_json {
namespace {

using model::kNullI64;
using model::Severity;

constexpr size_t kNoOffset = std::numeric_limits<size_t>::max();

struct FlowKey {
  int64_t pid, tid, ts;
  bool operator<(const FlowKey& o) const {
    return std::tie(pid, tid, ts) < std::tie(o.pid, o.tid, o.ts);
  }
};

template <typename Flow>
void sortFlows(std::vector<Flow>& flows) {
  std::sort(flows.begin(), flows.end(), [](const Flow& a, const Flow& b) {
    return std::tie(a.pid, a.tid, a.ts) < std::tie(b.pid, b.tid, b.ts);
  });
}

// The flow id bound to the row at (pid, tid, ts), or kNull.
template <typename Flow>
int64_t flowIdAt(const std::vector<Flow>& flows, int64_t pid, int64_t tid, int64_t ts) {
  auto it = std::lower_bound(flows.begin(), flows.end(), FlowKey{pid, tid, ts},
                             [](const Flow& f, const FlowKey& k) {
                               return std::tie(f.pid, f.tid, f.ts) < std::tie(k.pid, k.tid, k.ts);
                             });
  if (it != flows.end() && it->pid == pid && it->tid == tid && it->ts == ts) return it->id;
  return kNullI64;
}

bool containsSorted(const std::vector<int64_t>& sorted, int64_t v) {
  return std::binary_search(sorted.begin(), sorted.end(), v);
}

}  // namespace

void EventSink::linkCorrelations() {
  auto& api = trace_.api_calls;
  sortFlows(ac2g_starts_);
  sortFlows(ac2g_ends_);

  // Calls whose args lack "correlation": the ac2g start sits on the call.
  for (size_t i = 0; i < api.size(); ++i) {
    if (api.correlation_id[i] != kNullI64) continue;
    int64_t id = flowIdAt(ac2g_starts_, api.pid[i], api.tid[i], api.start[i]);
    if (id == kNullI64) id = flowIdAt(ac2g_ends_, api.pid[i], api.tid[i], api.start[i]);
    if (id == kNullI64) continue;
    api.correlation_id[i] = id;
    count("kineto_correlation_from_flow", Severity::kInfo,
          "rows whose args lacked \"correlation\": taken from the ac2g flow bound to them",
          kNoOffset);
  }

  api_order_.clear();
  for (uint32_t i = 0; i < api.size(); ++i) {
    if (api.correlation_id[i] != kNullI64) api_order_.push_back(i);
  }
  std::stable_sort(api_order_.begin(), api_order_.end(), [&](uint32_t a, uint32_t b) {
    return api.correlation_id[a] < api.correlation_id[b];
  });
  for (size_t k = 1; k < api_order_.size(); ++k) {
    uint32_t a = api_order_[k - 1], b = api_order_[k];
    if (api.correlation_id[a] == api.correlation_id[b] && api.pid[a] != api.pid[b]) {
      count("kineto_correlation_ambiguous", Severity::kInfo,
            "correlation ids used by calls of several processes: GPU rows link to the first",
            kNoOffset);
    }
  }
  auto findCall = [&](int64_t corr) -> int64_t {
    auto it = std::lower_bound(api_order_.begin(), api_order_.end(), corr,
                               [&](uint32_t i, int64_t c) { return api.correlation_id[i] < c; });
    if (it != api_order_.end() && api.correlation_id[*it] == corr) return *it;
    return -1;
  };

  std::vector<int64_t> gpu_correlations;
  auto linkTable = [&](auto& t, auto&& setTid) {
    for (size_t i = 0; i < t.size(); ++i) {
      if (t.correlation_id[i] == kNullI64 && t.device_id[i] != model::kNullI32) {
        int64_t id = flowIdAt(ac2g_ends_, t.device_id[i], t.stream_id[i], t.start[i]);
        if (id != kNullI64) {
          t.correlation_id[i] = id;
          count("kineto_correlation_from_flow", Severity::kInfo,
                "rows whose args lacked \"correlation\": taken from the ac2g flow bound to them",
                kNoOffset);
        }
      }
      int64_t call = t.correlation_id[i] == kNullI64 ? -1 : findCall(t.correlation_id[i]);
      if (call >= 0) {
        t.pid[i] = api.pid[static_cast<size_t>(call)];
        setTid(t, i, api.tid[static_cast<size_t>(call)]);
      } else {
        t.pid[i] = main_pid_;
        count("kineto_gpu_event_without_launch", Severity::kInfo,
              "GPU rows with no runtime/driver call of the same correlation in the trace (launched "
              "before the profiling window, or the call was not traced): given the main host pid",
              kNoOffset);
      }
      if (t.correlation_id[i] != kNullI64) gpu_correlations.push_back(t.correlation_id[i]);
    }
  };
  auto noTid = [](auto&, size_t, int64_t) {};
  linkTable(trace_.kernels, noTid);
  linkTable(trace_.memcpys, noTid);
  linkTable(trace_.memsets, noTid);
  linkTable(trace_.syncs, [](auto& t, size_t i, int64_t tid) { t.tid[i] = tid; });
  std::sort(gpu_correlations.begin(), gpu_correlations.end());

  // Every ac2g flow end is accounted for: it either confirms a row's
  // correlation or names one that is not in the trace. Recent Kineto also
  // puts "f" ends on host calls that launched no GPU row (syncs, queries).
  std::vector<int64_t> call_correlations;
  call_correlations.reserve(api_order_.size());
  for (uint32_t i : api_order_) call_correlations.push_back(api.correlation_id[i]);
  int64_t matched = 0, unmatched = 0;
  for (const auto* flows : {&ac2g_starts_, &ac2g_ends_}) {
    for (const FlowEnd& f : *flows) {
      bool known = containsSorted(call_correlations, f.id) || containsSorted(gpu_correlations, f.id);
      (known ? matched : unmatched) += 1;
    }
  }
  if (matched > 0) {
    count("kineto_flow_ac2g_matched", Severity::kInfo,
          "ac2g flow ends (s on the call, f on the GPU row or call) whose id equals the "
          "correlation of a call or GPU row: used to confirm or fill correlations, not stored",
          kNoOffset, matched);
  }
  if (unmatched > 0) {
    count("kineto_flow_ac2g_unmatched", Severity::kInfo,
          "ac2g flow ends whose id matches no call or GPU row in the trace (the other end is "
          "outside the window or of an unmodelled category)",
          kNoOffset, unmatched);
  }
}

void EventSink::computeNvtxDepth() {
  auto& t = trace_.nvtx;
  std::vector<uint32_t> order(t.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return std::tie(t.pid[a], t.tid[a], t.start[a], t.end[b]) <
           std::tie(t.pid[b], t.tid[b], t.start[b], t.end[a]);  // longer range first
  });
  std::vector<int64_t> open_ends;
  int64_t pid = kNullI64, tid = kNullI64;
  for (uint32_t i : order) {
    if (t.pid[i] != pid || t.tid[i] != tid) {
      pid = t.pid[i];
      tid = t.tid[i];
      open_ends.clear();
    }
    // Ranges that ended at or before this start no longer enclose it.
    while (!open_ends.empty() && open_ends.back() <= t.start[i]) open_ends.pop_back();
    t.depth[i] = static_cast<int32_t>(open_ends.size());
    open_ends.push_back(t.end[i]);
  }
}

}  // namespace gpuscope::importers::kineto_json
