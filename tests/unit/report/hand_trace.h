// A hand-built trace for the report tests; the expectations in the tests
// are counted from the values below, not from report output.
//
// Process 100 ("app"), thread 101 ("main"); GPU 0 "TestGPU".
//   NVTX  outer  [800, 1600)  depth 0      layer1 [900, 1150) depth 1
//   API   a0 cudaLaunchKernel [1000,1100) corr 1   (inside layer1)
//         a1 cudaLaunchKernel [1200,1300) corr 2   (inside outer only)
//         a2 cudaMemcpyAsync  [1400,1500) corr 3
//   GPU   k0 "gemm"      stream 7 [2000, 3000)   corr 1 pid 100 -> a0, layer "layer1"
//         k1 kHostile    stream 7 [3000, 3500)   corr 2 pid 100 -> a1, layer "outer"
//         m0 HtoD 4096 B stream 7 [20000, 21000) corr 3 pid 100 -> a2
//         k2 "stranger"  stream 8 [60000, 61000) corr 1 pid 999 -> no call (other process)
//   GPU 0 busy: [2000,3500) [20000,21000) [60000,61000); idle gaps 16500 and 39000 ns.
#pragma once

#include "model/trace.h"

namespace gpuscope::report::testing {

inline constexpr const char* kHostile = "</script><script>alert(1)</script>";

inline model::Trace makeHandTrace() {
  model::Trace t;
  auto s = [&](const char* v) { return t.strings.intern(v); };
  t.processes.push({.pid = 100, .name = s("app")});
  t.threads.push({.pid = 100, .tid = 101, .name = s("main")});
  decltype(t.devices)::Row dev;
  dev.id = 0, dev.name = s("TestGPU");
  t.devices.push(dev);
  auto nvtx = [&](int64_t b, int64_t e, const char* text, int32_t depth) {
    decltype(t.nvtx)::Row r;
    r.start = b, r.end = e, r.pid = 100, r.tid = 101, r.kind = 0, r.text = s(text), r.depth = depth;
    t.nvtx.push(r);
  };
  nvtx(800, 1600, "outer", 0);
  nvtx(900, 1150, "layer1", 1);
  auto api = [&](int64_t b, int64_t e, int64_t corr, const char* name) {
    decltype(t.api_calls)::Row r;
    r.start = b, r.end = e, r.pid = 100, r.tid = 101, r.correlation_id = corr, r.name = s(name), r.api_kind = 0;
    t.api_calls.push(r);
  };
  api(1000, 1100, 1, "cudaLaunchKernel");
  api(1200, 1300, 2, "cudaLaunchKernel");
  api(1400, 1500, 3, "cudaMemcpyAsync");
  auto kernel = [&](int64_t b, int64_t e, int64_t stream, int64_t corr, int64_t pid, const char* name) {
    decltype(t.kernels)::Row r;
    r.start = b, r.end = e, r.pid = pid, r.device_id = 0, r.context_id = 1, r.stream_id = stream;
    r.correlation_id = corr, r.name = s(name), r.short_name = r.name;
    r.grid_x = 4, r.grid_y = 1, r.grid_z = 1, r.block_x = 128, r.block_y = 1, r.block_z = 1;
    t.kernels.push(r);
  };
  kernel(2000, 3000, 7, 1, 100, "gemm");
  kernel(3000, 3500, 7, 2, 100, kHostile);
  kernel(60000, 61000, 8, 1, 999, "stranger");
  decltype(t.memcpys)::Row m;
  m.start = 20000, m.end = 21000, m.pid = 100, m.device_id = 0, m.context_id = 1, m.stream_id = 7;
  m.correlation_id = 3, m.bytes = 4096, m.copy_kind = 1, m.src_kind = 0, m.dst_kind = 2;
  t.memcpys.push(m);
  t.sortByTime();
  return t;
}

}  // namespace gpuscope::report::testing
