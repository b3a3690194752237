// One function per report (src/stats/reports/<family>.cc). Each builds a
// ReportTable from the trace and never prints; registry.cc lists them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "stats/context.h"
#include "stats/registry.h"
#include "stats/report_table.h"
#include "stats/summary_table.h"

namespace gpuscope::stats {

ReportTable cudaApiSum(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaApiTrace(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaGpuKernSum(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaGpuKernGbSum(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaGpuSum(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaApiGpuSum(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaGpuMemTimeSum(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaGpuMemSizeSum(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaKernExecSum(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaKernExecTrace(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaGpuTrace(ReportContext& ctx, const ReportOptions& o);
ReportTable nvtxSum(ReportContext& ctx, const ReportOptions& o);
ReportTable nvtxPushPopSum(ReportContext& ctx, const ReportOptions& o);
ReportTable nvtxStartEndSum(ReportContext& ctx, const ReportOptions& o);
ReportTable nvtxPushPopTrace(ReportContext& ctx, const ReportOptions& o);
ReportTable nvtxKernSum(ReportContext& ctx, const ReportOptions& o);
ReportTable nvtxGpuProjSum(ReportContext& ctx, const ReportOptions& o);
ReportTable nvtxGpuProjTrace(ReportContext& ctx, const ReportOptions& o);
ReportTable osrtSum(ReportContext& ctx, const ReportOptions& o);
ReportTable diagnosticsReport(ReportContext& ctx, const ReportOptions& o);
ReportTable kernelMetricsSum(ReportContext& ctx, const ReportOptions& o);

// The key a profiled kernel joins the timeline's kernels by: the demangled
// name up to its parameter list, without whitespace. Demanglers write the
// parameters differently (ncu "saxpy(int, float, const float *, float *)",
// the C++ ABI "saxpy(int, float, float const*, float*)"; ncu even "(T1::Params)"
// for a template's parameter), never the function and its template
// arguments. "(anonymous namespace)" / "<unnamed>" are dropped; overloads
// that differ only in parameters share a key.
std::string kernelJoinKey(std::string_view demangled);

// Kernel name column chosen by the :base / :mangled argument, falling back
// to the demangled name where the chosen one was not recorded.
model::StringId kernelNameId(const model::Trace& trace, size_t kernel_row, const ReportOptions& o);

// API calls that nsys keeps in CUPTI_ACTIVITY_KIND_RUNTIME (runtime and
// driver); cuDNN/cuBLAS ranges live in their own nsys tables.
bool isCudaApiRow(const model::Trace& trace, size_t api_row);

// The groupings the single-family summaries are built from, shared with the
// combined ones (cuda_gpu_sum, cuda_api_gpu_sum):
// kernels by name (cuda_gpu_kern_sum; :base / :mangled as kernelNameId) ...
NameGroups kernelNameGroups(const model::Trace& trace, const ReportOptions& o);
// ... CUDA API calls by name (cuda_api_sum) ...
NameGroups cudaApiGroups(const model::Trace& trace);
// ... and memcpy/memset by operation (cuda_gpu_mem_time_sum by duration,
// cuda_gpu_mem_size_sum by bytes), in operation order, labels static.
struct MemOpGroups {
  std::vector<SummaryStats> stats;
  std::vector<std::string_view> labels;  // "[CUDA memcpy Host-to-Device]", "[CUDA memset]"
};
MemOpGroups memOpGroups(const model::Trace& trace, bool by_size);

// nsys's GridXYZ / BlockXYZ text, printf("%4d %4d %4d"); kNullText when a
// dimension is unknown.
uint32_t launchGeometryText(ReportTable& table, int32_t x, int32_t y, int32_t z);

}  // namespace gpuscope::stats
