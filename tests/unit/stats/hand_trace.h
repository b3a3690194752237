// A small trace built by hand whose report values are worked out in the
// comments of reports_test.cc (times in ns).
//
// pid 100 / tid 101 (device 0 "Test GPU"), NVTX:
//   outer   push/pop   [0, 1000]
//   cross   start/end  [0, 1100], ended on tid 102
//   se      start/end  [50, 900]
//   D:inner push/pop   [100, 400]   (domain "D")
//   m       mark       500
//   open    push/pop   [1050, never closed]
// API calls (tid 101): a1 cudaLaunchKernel [110,120] corr 1 -> kA [130,180]
//                      a2 cudaLaunchKernel [200,260] corr 2 -> kA [250,300]
//                      a3 cudaMemcpyAsync  [500,510] corr 3 -> HtoD 1000 B [520,600]
//                      a4 cudaLaunchKernel [950,1010] corr 4 -> kB [1020,1100]
//                      cudnnConvolutionForward [600,700] (cuDNN: not a CUDA API row)
// pid 200 / tid 201:   a5 cudaLaunchKernel [10,20] corr 1 -> kA [30,40]
// No API: memset 500 B [700,710], memcpy DtoH 3000 B [800,840].
#pragma once

#include "model/trace.h"

namespace gpuscope::stats::testing {

inline model::Trace makeHandTrace() {
  model::Trace t;
  auto s = [&](const char* x) { return t.strings.intern(x); };
  {
    decltype(t.devices)::Row d;
    d.id = 0;
    d.name = s("Test GPU");
    t.devices.push(d);
    decltype(t.threads)::Row th;
    th.pid = 100;
    th.tid = 101;
    th.name = s("main");
    t.threads.push(th);
  }
  auto nvtx = [&](int64_t start, int64_t end, int64_t tid, int64_t end_tid, model::NvtxKind kind,
                  const char* text, const char* domain) {
    decltype(t.nvtx)::Row r;
    r.start = start;
    r.end = end;
    r.pid = 100;
    r.tid = tid;
    r.end_tid = end_tid;
    r.kind = static_cast<int32_t>(kind);
    r.text = s(text);
    r.domain = s(domain);
    t.nvtx.push(r);
  };
  using K = model::NvtxKind;
  nvtx(0, 1000, 101, model::kNullI64, K::kPushPop, "outer", "");
  nvtx(0, 1100, 101, 102, K::kStartEnd, "cross", "");
  nvtx(50, 900, 101, model::kNullI64, K::kStartEnd, "se", "");
  nvtx(100, 400, 101, model::kNullI64, K::kPushPop, "inner", "D");
  nvtx(500, model::kNullI64, 101, model::kNullI64, K::kMark, "m", "");
  nvtx(1050, model::kNullI64, 101, model::kNullI64, K::kPushPop, "open", "");

  auto api = [&](int64_t start, int64_t end, int64_t pid, int64_t tid, int64_t corr, const char* name,
                 model::ApiKind kind) {
    decltype(t.api_calls)::Row r;
    r.start = start;
    r.end = end;
    r.pid = pid;
    r.tid = tid;
    r.correlation_id = corr;
    r.name = s(name);
    r.api_kind = static_cast<int32_t>(kind);
    r.return_code = 0;
    t.api_calls.push(r);
  };
  using A = model::ApiKind;
  api(10, 20, 200, 201, 1, "cudaLaunchKernel", A::kRuntime);
  api(110, 120, 100, 101, 1, "cudaLaunchKernel", A::kRuntime);
  api(200, 260, 100, 101, 2, "cudaLaunchKernel", A::kRuntime);
  api(500, 510, 100, 101, 3, "cudaMemcpyAsync", A::kRuntime);
  api(600, 700, 100, 101, model::kNullI64, "cudnnConvolutionForward", A::kCudnn);
  api(950, 1010, 100, 101, 4, "cudaLaunchKernel", A::kRuntime);

  auto kernel = [&](int64_t start, int64_t end, int64_t pid, int64_t corr, const char* name) {
    decltype(t.kernels)::Row r;
    r.start = start;
    r.end = end;
    r.pid = pid;
    r.device_id = 0;
    r.context_id = 1;
    r.stream_id = 7;
    r.correlation_id = corr;
    r.name = s(name);
    r.short_name = s(name[1] == 'A' ? "A" : "B");
    r.grid_x = 128;
    r.grid_y = 1;
    r.grid_z = 1;
    r.block_x = 256;
    r.block_y = 1;
    r.block_z = 1;
    r.registers_per_thread = 32;
    r.static_shared_memory = 0;
    r.dynamic_shared_memory = 4096;
    t.kernels.push(r);
  };
  kernel(30, 40, 200, 1, "kA");
  kernel(130, 180, 100, 1, "kA");
  kernel(250, 300, 100, 2, "kA");
  kernel(1020, 1100, 100, 4, "kB");

  auto memcpy = [&](int64_t start, int64_t end, int64_t corr, int64_t bytes, model::CopyKind kind) {
    decltype(t.memcpys)::Row r;
    r.start = start;
    r.end = end;
    r.pid = 100;
    r.device_id = 0;
    r.context_id = 1;
    r.stream_id = 7;
    r.correlation_id = corr;
    r.bytes = bytes;
    r.copy_kind = static_cast<int32_t>(kind);
    r.src_kind = static_cast<int32_t>(kind == model::CopyKind::kHtoD ? model::MemKind::kPageable
                                                                      : model::MemKind::kDevice);
    r.dst_kind = static_cast<int32_t>(kind == model::CopyKind::kHtoD ? model::MemKind::kDevice
                                                                      : model::MemKind::kPinned);
    t.memcpys.push(r);
  };
  memcpy(520, 600, 3, 1000, model::CopyKind::kHtoD);
  memcpy(800, 840, model::kNullI64, 3000, model::CopyKind::kDtoH);
  {
    decltype(t.memsets)::Row r;
    r.start = 700;
    r.end = 710;
    r.pid = 100;
    r.device_id = 0;
    r.context_id = 1;
    r.stream_id = 7;
    r.bytes = 500;
    r.mem_kind = static_cast<int32_t>(model::MemKind::kDevice);
    t.memsets.push(r);
  }
  t.diagnostics.add("kernel_end_before_start", model::Severity::kDataLoss,
                    "kernels whose end precedes their start were skipped", "row 3 of KERNEL", 2);
  t.sortByTime();
  return t;
}

}  // namespace gpuscope::stats::testing
