// The trace's event tables, struct-of-arrays. Times are int64 nanoseconds on
// one trace clock (Trace::meta "time_base_ns" anchors it to the Unix epoch
// when known). `pid` is the OS process id; together with `correlation_id` it
// links an API call to the GPU work it launched (correlation ids are unique
// only within a process). Enum-valued columns hold model/enums.h values.
#pragma once

#include "model/table_macros.h"

namespace gpuscope::model {

#define GS_PROCESS_COLUMNS(C) \
  C(I64, pid, "OS process id")  \
  C(STR, name, "process name or command line")
GS_DECLARE_TABLE(ProcessTable, "processes", "one row per traced process", GS_PROCESS_COLUMNS);

#define GS_THREAD_COLUMNS(C)    \
  C(I64, pid, "OS process id")  \
  C(I64, tid, "OS thread id")   \
  C(STR, name, "thread name")
GS_DECLARE_TABLE(ThreadTable, "threads", "one row per thread seen", GS_THREAD_COLUMNS);

#define GS_DEVICE_COLUMNS(C)                                                   \
  C(I32, id, "CUDA device ordinal")                                            \
  C(STR, name, "marketing name, e.g. NVIDIA H100 80GB HBM3")                   \
  C(STR, uuid, "device UUID")                                                  \
  C(I32, compute_major, "compute capability, major")                           \
  C(I32, compute_minor, "compute capability, minor")                           \
  C(I32, sm_count, "streaming multiprocessors")                                \
  C(I64, total_memory, "global memory, bytes")                                 \
  C(I64, l2_cache_size, "L2 cache, bytes")                                     \
  C(I64, clock_rate_khz, "SM clock, kHz")                                      \
  C(I64, memory_bandwidth, "peak memory bandwidth, bytes/s")                   \
  C(I32, warp_size, "threads per warp")                                        \
  C(I32, max_threads_per_block, "max threads per block")                       \
  C(I32, max_threads_per_sm, "max resident threads per SM")                    \
  C(I32, max_blocks_per_sm, "max resident blocks per SM")                      \
  C(I32, max_registers_per_block, "registers per block")                       \
  C(I32, max_registers_per_sm, "registers per SM")                             \
  C(I64, max_shared_memory_per_block, "shared memory per block (opt-in), bytes") \
  C(I64, max_shared_memory_per_sm, "shared memory per SM, bytes")
GS_DECLARE_TABLE(DeviceTable, "devices", "GPUs and their properties", GS_DEVICE_COLUMNS);

#define GS_CONTEXT_COLUMNS(C)         \
  C(I64, pid, "OS process id")        \
  C(I32, device_id, "device ordinal") \
  C(I64, context_id, "CUDA context id")
GS_DECLARE_TABLE(ContextTable, "contexts", "CUDA contexts", GS_CONTEXT_COLUMNS);

#define GS_STREAM_COLUMNS(C)                               \
  C(I64, pid, "OS process id")                             \
  C(I32, device_id, "device ordinal")                      \
  C(I64, context_id, "CUDA context id")                    \
  C(I64, stream_id, "CUDA stream id")                      \
  C(I32, priority, "stream priority")                      \
  C(I32, stream_type, "1 default, 2 non-blocking, 3 null (ENUM_CUPTI_STREAM_TYPE)") \
  C(STR, name, "user name (NVTX naming) if any")
GS_DECLARE_TABLE(StreamTable, "streams", "CUDA streams", GS_STREAM_COLUMNS);

#define GS_GPU_COMMON_COLUMNS(C)                                   \
  C(I64, start, "start, ns")                                       \
  C(I64, end, "end, ns")                                           \
  C(I64, pid, "OS process id of the launching process")            \
  C(I32, device_id, "device ordinal")                              \
  C(I64, context_id, "CUDA context id")                            \
  C(I64, stream_id, "CUDA stream id")                              \
  C(I64, correlation_id, "links to api_calls.correlation_id (same pid)")

#define GS_KERNEL_COLUMNS(C)                                          \
  GS_GPU_COMMON_COLUMNS(C)                                            \
  C(STR, name, "demangled kernel name")                               \
  C(STR, short_name, "base name (nsys shortName)")                    \
  C(STR, mangled_name, "mangled name, when recorded")                 \
  C(I32, grid_x, "grid size x")                                       \
  C(I32, grid_y, "grid size y")                                       \
  C(I32, grid_z, "grid size z")                                       \
  C(I32, block_x, "block size x")                                     \
  C(I32, block_y, "block size y")                                     \
  C(I32, block_z, "block size z")                                     \
  C(I32, registers_per_thread, "registers per thread")                \
  C(I32, static_shared_memory, "static shared memory per block, bytes") \
  C(I32, dynamic_shared_memory, "dynamic shared memory per block, bytes") \
  C(I32, local_memory_per_thread, "local memory per thread, bytes")   \
  C(I32, launch_type, "0 regular, 1 cooperative single, 2 cooperative multi") \
  C(I64, graph_id, "CUDA graph id when launched from a graph")        \
  C(I64, graph_node_id, "CUDA graph node id")                         \
  C(I64, external_id, "Kineto External id (links to cpu_ops)")
GS_DECLARE_TABLE(KernelTable, "kernels", "kernel executions", GS_KERNEL_COLUMNS);

#define GS_MEMCPY_COLUMNS(C)                                 \
  GS_GPU_COMMON_COLUMNS(C)                                   \
  C(I64, bytes, "bytes copied")                              \
  C(I32, copy_kind, "CopyKind (1 HtoD, 2 DtoH, 8 DtoD, ...)") \
  C(I32, src_kind, "MemKind of the source (0 pageable, 1 pinned, 2 device, ...)") \
  C(I32, dst_kind, "MemKind of the destination")             \
  C(I32, src_device_id, "source device")                     \
  C(I32, dst_device_id, "destination device")                \
  C(I64, graph_node_id, "CUDA graph node id")                \
  C(I64, external_id, "Kineto External id")
GS_DECLARE_TABLE(MemcpyTable, "memcpys", "memory copies", GS_MEMCPY_COLUMNS);

#define GS_MEMSET_COLUMNS(C)                        \
  GS_GPU_COMMON_COLUMNS(C)                          \
  C(I64, bytes, "bytes set")                        \
  C(I32, value, "value written")                    \
  C(I32, mem_kind, "MemKind of the destination")    \
  C(I64, graph_node_id, "CUDA graph node id")       \
  C(I64, external_id, "Kineto External id")
GS_DECLARE_TABLE(MemsetTable, "memsets", "memory sets", GS_MEMSET_COLUMNS);

#define GS_SYNC_COLUMNS(C)                        \
  GS_GPU_COMMON_COLUMNS(C)                        \
  C(I64, tid, "OS thread id, when known")         \
  C(I32, sync_type, "SyncType (1 event, 2 stream wait event, 3 stream, 4 context)") \
  C(I64, event_id, "CUDA event id, when applicable")
GS_DECLARE_TABLE(SyncTable, "syncs", "CUDA synchronization records", GS_SYNC_COLUMNS);

#define GS_API_COLUMNS(C)                                       \
  C(I64, start, "start, ns")                                    \
  C(I64, end, "end, ns")                                        \
  C(I64, pid, "OS process id")                                  \
  C(I64, tid, "OS thread id")                                   \
  C(I64, correlation_id, "links to GPU work (same pid)")        \
  C(STR, name, "function name, e.g. cudaLaunchKernel (no _v suffix)") \
  C(I32, api_kind, "ApiKind (0 runtime, 1 driver, 2 cuDNN, 3 cuBLAS, 4 other)") \
  C(I64, return_code, "return value (cudaError_t / CUresult)")  \
  C(I64, external_id, "Kineto External id")
GS_DECLARE_TABLE(ApiCallTable, "api_calls", "CUDA runtime and driver API calls", GS_API_COLUMNS);

#define GS_NVTX_COLUMNS(C)                                               \
  C(I64, start, "start, ns")                                             \
  C(I64, end, "end, ns (NULL for marks and ranges never closed)")        \
  C(I64, pid, "OS process id")                                           \
  C(I64, tid, "thread that started the range")                           \
  C(I64, end_tid, "thread that ended a start/end range, if different")   \
  C(I32, kind, "NvtxKind (0 push/pop, 1 start/end, 2 mark)")             \
  C(STR, text, "message")                                                \
  C(STR, domain, "domain name (empty = default domain)")                 \
  C(I32, category, "category id")                                        \
  C(I64, color, "ARGB colour, NULL if none")                             \
  C(I32, depth, "nesting depth of push/pop ranges on the thread, 0 = outermost") \
  C(I64, range_id, "start/end range id")
GS_DECLARE_TABLE(NvtxTable, "nvtx", "NVTX ranges and marks (and Kineto user annotations)",
                 GS_NVTX_COLUMNS);

#define GS_GRAPH_LAUNCH_COLUMNS(C)  \
  GS_GPU_COMMON_COLUMNS(C)          \
  C(I64, graph_id, "CUDA graph id") \
  C(I64, graph_exec_id, "CUDA graph exec id")
GS_DECLARE_TABLE(GraphLaunchTable, "graph_launches",
                 "whole-graph executions (graph-level tracing)", GS_GRAPH_LAUNCH_COLUMNS);

#define GS_GRAPH_NODE_COLUMNS(C)                                   \
  C(I64, pid, "OS process id")                                     \
  C(I64, graph_id, "CUDA graph id")                                \
  C(I64, node_id, "graph node id")                                 \
  C(I64, original_node_id, "node this one was cloned from")        \
  C(I32, node_type, "CUgraphNodeType")                             \
  C(STR, nvtx_text, "NVTX range open when the node was captured")  \
  C(I64, capture_correlation_id, "API call that created the node")
GS_DECLARE_TABLE(GraphNodeTable, "graph_nodes", "CUDA graph nodes", GS_GRAPH_NODE_COLUMNS);

#define GS_OSRT_COLUMNS(C)                  \
  C(I64, start, "start, ns")                \
  C(I64, end, "end, ns")                    \
  C(I64, pid, "OS process id")              \
  C(I64, tid, "OS thread id")               \
  C(STR, name, "function, e.g. pthread_cond_wait") \
  C(I64, return_value, "return value")      \
  C(I32, nesting_level, "nesting level")
GS_DECLARE_TABLE(OsRuntimeTable, "os_runtime", "OS runtime (libc, pthread) calls",
                 GS_OSRT_COLUMNS);

#define GS_CPU_OP_COLUMNS(C)                                      \
  C(I64, start, "start, ns")                                      \
  C(I64, end, "end, ns")                                          \
  C(I64, pid, "OS process id")                                    \
  C(I64, tid, "OS thread id")                                     \
  C(STR, name, "operator or Python function name")                \
  C(I32, kind, "CpuOpKind (0 cpu_op, 1 python_function)")         \
  C(I64, external_id, "Kineto External id (links GPU work)")      \
  C(I64, sequence_number, "autograd sequence number")             \
  C(STR, input_dims, "input shapes as recorded (JSON text)")
GS_DECLARE_TABLE(CpuOpTable, "cpu_ops", "framework operators and Python functions (Kineto)",
                 GS_CPU_OP_COLUMNS);

#define GS_GPU_ANNOTATION_COLUMNS(C)          \
  C(I64, start, "start, ns")                  \
  C(I64, end, "end, ns")                      \
  C(I64, pid, "process (device row) id as recorded") \
  C(I32, device_id, "device ordinal")         \
  C(I64, stream_id, "CUDA stream id")         \
  C(STR, name, "annotation text")             \
  C(I64, external_id, "Kineto External id")
GS_DECLARE_TABLE(GpuAnnotationTable, "gpu_annotations",
                 "annotation ranges projected onto a GPU stream (Kineto gpu_user_annotation)",
                 GS_GPU_ANNOTATION_COLUMNS);

#define GS_KERNEL_METRIC_COLUMNS(C)                                              \
  C(I64, pid, "OS process id of the profiled process")                          \
  C(I64, kernel_id, "profiled-kernel ordinal of the `gpuscope kernels` run (ncu's ID)") \
  C(I32, device_id, "device ordinal")                                           \
  C(I64, context_id, "CUDA context id")                                         \
  C(I64, stream_id, "CUDA stream id")                                           \
  C(STR, name, "kernel name, demangled")                                        \
  C(STR, section, "section id (SpeedOfLight, LaunchStats, ...), empty for --metrics") \
  C(STR, label, "row label as ncu shows it (Duration, SM Frequency, ...)")      \
  C(STR, metric, "metric name (ncu's), e.g. gpu__time_duration.sum")            \
  C(STR, unit, "base unit: ns, hz, byte, %, cycle, ... (empty: a count)")       \
  C(F64, value, "metric value; NULL when not collected")
GS_DECLARE_TABLE(KernelMetricTable, "kernel_metrics",
                 "per-kernel hardware metrics (gpuscope kernels; CUPTI range profiler)",
                 GS_KERNEL_METRIC_COLUMNS);

#define GS_KERNEL_RULE_COLUMNS(C)                                                \
  C(I64, pid, "OS process id of the profiled process")                          \
  C(I64, kernel_id, "profiled-kernel ordinal, as in kernel_metrics")            \
  C(STR, name, "kernel name, demangled")                                        \
  C(STR, section, "section id the rule belongs to (SpeedOfLight, Occupancy, ...)") \
  C(STR, rule, "ncu's rule identifier (SOLBottleneck, AchievedOccupancy, ...)") \
  C(STR, type, "OPT (optimization opportunity), INF (finding) or WRN")         \
  C(STR, description, "what the rule found, one paragraph")                     \
  C(STR, speedup_type, "local, global, or empty when the rule gives no estimate") \
  C(F64, speedup, "estimated speedup in percent; NULL when none")
GS_DECLARE_TABLE(KernelRuleTable, "kernel_rules",
                 "per-kernel guidance of ncu's rules (gpuscope kernels, or ncu --csv rule rows)",
                 GS_KERNEL_RULE_COLUMNS);

}  // namespace gpuscope::model
