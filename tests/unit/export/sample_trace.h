// A small hand-built trace for the exporter tests. Every value below is
// chosen by hand, and the tests' expectations are counted from this file,
// not from exporter output.
#pragma once

#include <string>

#include "model/trace.h"

namespace gpuscope::exporters::testing {

// Host process 100 ("python train.py") with threads 100 "main" and 101
// "loader"; GPU 0 "NVIDIA H100" (streams 7 and 13) and GPU 1 "NVIDIA A100"
// (stream 7).
inline constexpr const char* kHostileName = "\"</script><script>alert(1)</script>";
// Names with every kind of byte a JSON writer can get wrong.
inline std::string nulName() { return std::string("nul\0inside", 10); }
inline std::string controlName() { return "tab\there\nnew\\back\x01\x1f\x7f"; }
inline std::string unicodeName() { return "caf\xc3\xa9 \xe2\x88\x91 \xf0\x9f\x98\x80 \xe2\x80\xa8"; }
inline std::string invalidUtf8Name() { return "bad\xff\xc3(\xed\xa0\x80"; }
// What a reader decodes for invalidUtf8Name(): each bad byte is U+FFFD.
inline std::string invalidUtf8Decoded() {
  const std::string r = "\xef\xbf\xbd";
  return "bad" + r + r + "(" + r + r + r;
}

// Row types through the Trace members, whichever namespace the table
// structs are declared in.
using ProcessRow = decltype(model::Trace::processes)::Row;
using ThreadRow = decltype(model::Trace::threads)::Row;
using DeviceRow = decltype(model::Trace::devices)::Row;
using KernelRow = decltype(model::Trace::kernels)::Row;
using MemcpyRow = decltype(model::Trace::memcpys)::Row;
using SyncRow = decltype(model::Trace::syncs)::Row;
using ApiRow = decltype(model::Trace::api_calls)::Row;
using NvtxRow = decltype(model::Trace::nvtx)::Row;
using GpuAnnotationRow = decltype(model::Trace::gpu_annotations)::Row;
using CpuOpRow = decltype(model::Trace::cpu_ops)::Row;
using OsRuntimeRow = decltype(model::Trace::os_runtime)::Row;

inline model::StringId s(model::Trace& t, std::string_view v) { return t.strings.intern(v); }

inline KernelRow kernel(model::Trace& t, int64_t start, int64_t end, int32_t device,
                                      int64_t stream, int64_t corr, std::string_view name) {
  KernelRow k;
  k.start = start;
  k.end = end;
  k.pid = 100;
  k.device_id = device;
  k.context_id = 1;
  k.stream_id = stream;
  k.correlation_id = corr;
  k.name = s(t, name);
  k.grid_x = 128;
  k.grid_y = 2;
  k.grid_z = 1;
  k.block_x = 256;
  k.block_y = 1;
  k.block_z = 1;
  k.registers_per_thread = 32;
  k.static_shared_memory = 1024;
  k.dynamic_shared_memory = 2048;
  return k;
}

inline ApiRow api(model::Trace& t, int64_t start, int64_t end, int64_t tid,
                                    int64_t corr, std::string_view name) {
  ApiRow a;
  a.start = start;
  a.end = end;
  a.pid = 100;
  a.tid = tid;
  a.correlation_id = corr;
  a.name = s(t, name);
  a.api_kind = 0;
  a.return_code = 0;
  return a;
}

inline NvtxRow nvtx(model::Trace& t, int64_t start, int64_t end, int64_t tid,
                                  model::NvtxKind kind, std::string_view text) {
  NvtxRow n;
  n.start = start;
  n.end = end;
  n.pid = 100;
  n.tid = tid;
  n.kind = static_cast<int32_t>(kind);
  n.text = s(t, text);
  return n;
}

// The trace the Chrome tests use. Flows (pid 100, correlation):
//   1 cudaLaunchKernel  -> kernel "gemm"                 (1 s, 1 f)
//   2 cudaMemcpyAsync   -> memcpy HtoD                   (1 s, 1 f)
//   3 cudaGraphLaunch   -> kernels "g1", "g2"            (1 s, 2 f)
//   4 cudaStreamSynchronize -> sync record               (1 s, 1 f)
//   5 cudaGetDevice     -> nothing (no flow)
//   kernel correlation 99 has no API call (no flow)
// So: 4 "s" events and 5 "f" events.
inline model::Trace sampleTrace() {
  model::Trace t;
  t.meta[model::kMetaProducer] = "gpuscope test";
  t.meta[model::kMetaSourceFormat] = "hand_built";
  t.processes.push({.pid = 100, .name = s(t, "python train.py")});
  t.threads.push({.pid = 100, .tid = 100, .name = s(t, "main")});
  t.threads.push({.pid = 100, .tid = 101, .name = s(t, "loader")});
  DeviceRow d0;
  d0.id = 0;
  d0.name = s(t, "NVIDIA H100");
  t.devices.push(d0);
  DeviceRow d1;
  d1.id = 1;
  d1.name = s(t, "NVIDIA A100");
  t.devices.push(d1);

  // NVTX on thread 100: "step" [1000, 20000] encloses "forward" [2000, 5000].
  t.nvtx.push(nvtx(t, 1000, 20000, 100, model::NvtxKind::kPushPop, "step"));
  t.nvtx.push(nvtx(t, 2000, 5000, 100, model::NvtxKind::kPushPop, "forward"));
  // Start/end ranges on thread 101 that overlap without nesting.
  auto se1 = nvtx(t, 1500, 12000, 101, model::NvtxKind::kStartEnd, "epoch");
  se1.range_id = 1;
  t.nvtx.push(se1);
  auto se2 = nvtx(t, 3000, 15000, 101, model::NvtxKind::kStartEnd, "prefetch");
  se2.range_id = 2;
  t.nvtx.push(se2);
  t.nvtx.push(nvtx(t, 4000, model::kNullI64, 100, model::NvtxKind::kMark, "checkpoint"));

  t.api_calls.push(api(t, 2100, 2300, 100, 1, "cudaLaunchKernel"));
  t.api_calls.push(api(t, 2400, 2600, 100, 2, "cudaMemcpyAsync"));
  t.api_calls.push(api(t, 6000, 6200, 100, 3, "cudaGraphLaunch"));
  t.api_calls.push(api(t, 7000, 9000, 100, 4, "cudaStreamSynchronize"));
  t.api_calls.push(api(t, 9500, 9600, 101, 5, "cudaGetDevice"));

  t.kernels.push(kernel(t, 3000, 4000, 0, 7, 1, "gemm"));
  t.kernels.push(kernel(t, 6500, 6800, 0, 7, 3, "g1"));
  t.kernels.push(kernel(t, 6800, 7100, 0, 7, 3, "g2"));
  // 1234567 ns must print as 1234.567 us (dur 5.433 us).
  t.kernels.push(kernel(t, 1234567, 1240000, 0, 13, 99, "exact_time"));
  // Two kernels on stream 13 that overlap without nesting (clock jitter):
  // the second one must move to an overlap row.
  t.kernels.push(kernel(t, 8000, 8600, 0, 13, 98, "jitter_a"));
  t.kernels.push(kernel(t, 8500, 8900, 0, 13, 97, "jitter_b"));
  t.kernels.push(kernel(t, 3000, 3500, 1, 7, 96, kHostileName));
  t.kernels.push(kernel(t, 4000, 4100, 1, 7, 95, nulName()));
  t.kernels.push(kernel(t, 4200, 4300, 1, 7, 94, controlName()));
  t.kernels.push(kernel(t, 4400, 4500, 1, 7, 93, unicodeName()));
  t.kernels.push(kernel(t, 4600, 4700, 1, 7, 92, invalidUtf8Name()));

  MemcpyRow m;
  m.start = 2700;
  m.end = 2900;
  m.pid = 100;
  m.device_id = 0;
  m.context_id = 1;
  m.stream_id = 7;
  m.correlation_id = 2;
  m.bytes = 4096;
  m.copy_kind = 1;
  m.src_kind = 0;
  m.dst_kind = 2;
  t.memcpys.push(m);

  SyncRow sy;
  sy.start = 7100;
  sy.end = 8900;
  sy.pid = 100;
  sy.device_id = 0;
  sy.context_id = 1;
  sy.stream_id = 7;
  sy.correlation_id = 4;
  sy.tid = 100;
  sy.sync_type = 3;
  t.syncs.push(sy);

  // Kineto records the device row's pid (0) on annotations; it belongs on
  // process 100's stream 7 row of GPU 0, enclosing "gemm".
  GpuAnnotationRow ga;
  ga.start = 2999;
  ga.end = 4001;
  ga.pid = 0;
  ga.device_id = 0;
  ga.stream_id = 7;
  ga.name = s(t, "forward");
  t.gpu_annotations.push(ga);

  CpuOpRow op;
  op.start = 2050;
  op.end = 2350;
  op.pid = 100;
  op.tid = 100;
  op.name = s(t, "aten::mm");
  op.kind = 0;
  op.input_dims = s(t, "[[2, 3], [3, 4]]");
  t.cpu_ops.push(op);

  OsRuntimeRow os;
  os.start = 7100;
  os.end = 8800;
  os.pid = 100;
  os.tid = 100;
  os.name = s(t, "ioctl");
  t.os_runtime.push(os);

  t.sortByTime();
  return t;
}

}  // namespace gpuscope::exporters::testing
