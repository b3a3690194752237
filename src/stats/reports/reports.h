// One function per report (src/stats/reports/<family>.cc). Each builds a
// ReportTable from the trace and never prints; registry.cc lists them.
#pragma once

#include "stats/context.h"
#include "stats/registry.h"
#include "stats/report_table.h"

namespace gpuscope::stats {

ReportTable cudaApiSum(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaApiTrace(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaGpuKernSum(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaGpuMemTimeSum(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaGpuMemSizeSum(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaKernExecSum(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaKernExecTrace(ReportContext& ctx, const ReportOptions& o);
ReportTable cudaGpuTrace(ReportContext& ctx, const ReportOptions& o);
ReportTable nvtxSum(ReportContext& ctx, const ReportOptions& o);
ReportTable nvtxPushPopTrace(ReportContext& ctx, const ReportOptions& o);
ReportTable nvtxKernSum(ReportContext& ctx, const ReportOptions& o);
ReportTable nvtxGpuProjSum(ReportContext& ctx, const ReportOptions& o);
ReportTable nvtxGpuProjTrace(ReportContext& ctx, const ReportOptions& o);
ReportTable osrtSum(ReportContext& ctx, const ReportOptions& o);
ReportTable diagnosticsReport(ReportContext& ctx, const ReportOptions& o);

// Kernel name column chosen by the :base / :mangled argument, falling back
// to the demangled name where the chosen one was not recorded.
model::StringId kernelNameId(const model::Trace& trace, size_t kernel_row, const ReportOptions& o);

// API calls that nsys keeps in CUPTI_ACTIVITY_KIND_RUNTIME (runtime and
// driver); cuDNN/cuBLAS ranges live in their own nsys tables.
bool isCudaApiRow(const model::Trace& trace, size_t api_row);

}  // namespace gpuscope::stats
