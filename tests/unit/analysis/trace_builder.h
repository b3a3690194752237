// Builds model::Trace by hand for the analysis tests: every time and every
// expected number in the tests is worked out from these calls.
#pragma once

#include <string>

#include "model/trace.h"

namespace gpuscope::analysis::testing {

class TraceBuilder {
 public:
  static constexpr int64_t kPid = 100;
  static constexpr int64_t kTid = 101;

  model::Trace& trace() { return t_; }
  model::Trace take() {
    t_.sortByTime();
    return std::move(t_);
  }

  int64_t api(int64_t start, int64_t end, const char* name, int64_t tid = kTid) {
    decltype(t_.api_calls)::Row r;
    r.start = start;
    r.end = end;
    r.pid = kPid;
    r.tid = tid;
    r.correlation_id = ++corr_;
    r.name = t_.strings.intern(name);
    r.api_kind = 0;
    r.return_code = 0;
    t_.api_calls.push(r);
    return corr_;
  }
  void kernel(int64_t start, int64_t end, const char* name, int64_t corr, int64_t stream = 7, int32_t device = 0,
              int64_t external_id = model::kNullI64) {
    decltype(t_.kernels)::Row r;
    r.start = start;
    r.end = end;
    r.pid = kPid;
    r.device_id = device;
    r.stream_id = stream;
    r.correlation_id = corr;
    r.name = t_.strings.intern(name);
    r.short_name = r.name;
    r.external_id = external_id;
    t_.kernels.push(r);
  }
  // Launch call [ls, le] on tid, then its kernel [ks, ke].
  void launch(int64_t ls, int64_t le, int64_t ks, int64_t ke, const char* name = "k", int64_t stream = 7) {
    kernel(ks, ke, name, api(ls, le, "cudaLaunchKernel"), stream);
  }
  void memcpy(int64_t start, int64_t end, int32_t kind, int64_t bytes, int32_t src_kind, int32_t dst_kind,
              int64_t corr, int64_t stream = 7) {
    decltype(t_.memcpys)::Row r;
    r.start = start;
    r.end = end;
    r.pid = kPid;
    r.device_id = 0;
    r.stream_id = stream;
    r.correlation_id = corr;
    r.bytes = bytes;
    r.copy_kind = kind;
    r.src_kind = src_kind;
    r.dst_kind = dst_kind;
    r.src_device_id = 0;
    r.dst_device_id = 0;
    t_.memcpys.push(r);
  }
  void memset(int64_t start, int64_t end, int32_t mem_kind, int64_t corr, int64_t stream = 7) {
    decltype(t_.memsets)::Row r;
    r.start = start;
    r.end = end;
    r.pid = kPid;
    r.device_id = 0;
    r.stream_id = stream;
    r.correlation_id = corr;
    r.bytes = 256;
    r.mem_kind = mem_kind;
    t_.memsets.push(r);
  }
  void nvtx(int64_t start, int64_t end, const char* text, const char* domain = "", int32_t depth = 0) {
    decltype(t_.nvtx)::Row r;
    r.start = start;
    r.end = end;
    r.pid = kPid;
    r.tid = kTid;
    r.kind = static_cast<int32_t>(model::NvtxKind::kPushPop);
    r.text = t_.strings.intern(text);
    r.domain = t_.strings.intern(domain);
    r.depth = depth;
    t_.nvtx.push(r);
  }
  void cpuOp(int64_t start, int64_t end, const char* name, int64_t external_id) {
    decltype(t_.cpu_ops)::Row r;
    r.start = start;
    r.end = end;
    r.pid = kPid;
    r.tid = kTid;
    r.name = t_.strings.intern(name);
    r.kind = 0;
    r.external_id = external_id;
    t_.cpu_ops.push(r);
  }

 private:
  model::Trace t_;
  int64_t corr_ = 0;
};

}  // namespace gpuscope::analysis::testing
