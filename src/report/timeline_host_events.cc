// Host-side timeline rows: per process and thread its NVTX ranges,
// framework ops, CUDA API calls and OS runtime calls.
#include <string>

#include "report/timeline_builder.h"

namespace gpuscope::report::internal {

using model::kNullI64;

std::string TimelineBuilder::threadGroup(int64_t pid, int64_t tid) {
  if (thread_names_.empty() && process_names_.empty()) {
    for (size_t i = 0; i < t_.threads.size(); ++i)
      thread_names_[{t_.threads.pid[i], t_.threads.tid[i]}] = std::string(t_.str(t_.threads.name[i]));
    for (size_t i = 0; i < t_.processes.size(); ++i)
      process_names_[t_.processes.pid[i]] = std::string(t_.str(t_.processes.name[i]));
  }
  auto num = [](int64_t v) { return v == kNullI64 ? std::string("?") : std::to_string(v); };
  std::string g = "process " + num(pid);
  auto p = process_names_.find(pid);
  if (p != process_names_.end() && !p->second.empty()) g += " (" + p->second.substr(0, 60) + ")";
  g += " · thread " + num(tid);
  auto th = thread_names_.find({pid, tid});
  if (th != thread_names_.end() && !th->second.empty()) g += " (" + th->second + ")";
  return g;
}

void TimelineBuilder::addHost() {
  auto threadTrack = [&](int64_t pid, int64_t tid, int sub, const char* name, EventKind kind) {
    return track({1, pid, tid, sub}, threadGroup(pid, tid), name, kind);
  };
  const model::NvtxTable& n = t_.nvtx;
  for (uint32_t i = 0; i < n.size(); ++i) {
    uint32_t info = n.domain[i] != model::kEmptyString ? strings_.traceId(n.domain[i]) : 0;
    add(threadTrack(n.pid[i], n.tid[i], 0, "NVTX", EventKind::kNvtx), n.start[i], n.end[i],
        strings_.traceId(n.text[i]), info, EventKind::kNvtx);
  }
  const model::CpuOpTable& c = t_.cpu_ops;
  for (uint32_t i = 0; i < c.size(); ++i) {
    add(threadTrack(c.pid[i], c.tid[i], 1, "framework ops", EventKind::kCpuOp), c.start[i], c.end[i],
        strings_.traceId(c.name[i]), c.input_dims[i] != model::kEmptyString ? strings_.traceId(c.input_dims[i]) : 0,
        EventKind::kCpuOp);
  }
  const model::ApiCallTable& a = t_.api_calls;
  for (uint32_t i = 0; i < a.size(); ++i) {
    add(threadTrack(a.pid[i], a.tid[i], 2, "CUDA API", EventKind::kApi), a.start[i], a.end[i],
        strings_.traceId(a.name[i]), 0, EventKind::kApi, Source::kApi, i);
  }
  const model::OsRuntimeTable& o = t_.os_runtime;
  for (uint32_t i = 0; i < o.size(); ++i) {
    add(threadTrack(o.pid[i], o.tid[i], 3, "OS runtime", EventKind::kOsrt), o.start[i], o.end[i],
        strings_.traceId(o.name[i]), 0, EventKind::kOsrt);
  }
}

}  // namespace gpuscope::report::internal
