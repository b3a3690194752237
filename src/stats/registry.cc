#include "stats/registry.h"

#include <algorithm>
#include <array>

#include "stats/reports/reports.h"

namespace gpuscope::stats {
namespace {

constexpr std::array<ReportInfo, 21> kReports = {{
    {"cuda_api_sum", "cudaapisum", "CUDA API Summary",
     "CUDA runtime/driver API calls grouped by name: time, count, avg/med/min/max/stddev", "",
     cudaApiSum},
    {"cuda_api_trace", "cudaapitrace", "CUDA API Trace", "every CUDA API call, by start time", "",
     cudaApiTrace},
    {"cuda_gpu_kern_sum", "gpukernsum", "CUDA GPU Kernel Summary",
     "kernels grouped by name (:base short name, :mangled mangled name)", "base|mangled",
     cudaGpuKernSum},
    {"cuda_gpu_kern_gb_sum", "", "CUDA GPU Kernel/Grid/Block Summary",
     "kernels grouped by name and launch geometry (GridXYZ, BlockXYZ)", "base|mangled", cudaGpuKernGbSum},
    {"cuda_gpu_sum", "gpusum", "CUDA GPU Summary (Kernels/MemOps)",
     "kernels and memcpy/memset in one table, by Category and Operation", "base|mangled", cudaGpuSum},
    {"cuda_api_gpu_sum", "apigpusum", "CUDA Summary (API/Kernels/MemOps)",
     "CUDA API calls, kernels and memcpy/memset in one table, by Category and Operation", "base|mangled",
     cudaApiGpuSum},
    {"cuda_gpu_mem_time_sum", "gpumemtimesum", "CUDA GPU MemOps Summary (by Time)",
     "memcpy/memset grouped by operation, by time", "", cudaGpuMemTimeSum},
    {"cuda_gpu_mem_size_sum", "gpumemsizesum", "CUDA GPU MemOps Summary (by Size)",
     "memcpy/memset grouped by operation, by size in MB (1e6 bytes)", "", cudaGpuMemSizeSum},
    {"cuda_kern_exec_sum", "kernexecsum", "CUDA Kernel Launch & Exec Time Summary",
     "API, queue and kernel time per (process, thread, device, API, kernel)", "base|mangled",
     cudaKernExecSum},
    {"cuda_kern_exec_trace", "kernexectrace", "CUDA Kernel Launch & Exec Time Trace",
     "API, queue and kernel time of every kernel launch, by API start", "base|mangled",
     cudaKernExecTrace},
    {"cuda_gpu_trace", "gputrace", "CUDA GPU Trace",
     "every kernel, memcpy and memset, by start time", "base|mangled", cudaGpuTrace},
    {"nvtx_sum", "nvtxsum", "NVTX Range Summary",
     "NVTX push/pop and start/end ranges grouped by name and style", "", nvtxSum},
    {"nvtx_pushpop_sum", "nvtxppsum", "NVTX Push/Pop Range Summary", "NVTX push/pop ranges grouped by name", "",
     nvtxPushPopSum},
    {"nvtx_startend_sum", "nvtxsesum", "NVTX Start/End Range Summary", "NVTX start/end ranges grouped by name", "",
     nvtxStartEndSum},
    {"nvtx_pushpop_trace", "nvtxpptrace", "NVTX Push/Pop Range Trace",
     "every push/pop range with its nesting (level, parent, children)", "", nvtxPushPopTrace},
    {"nvtx_kern_sum", "nvtxkernsum", "NVTX Range Kernel Summary",
     "kernels grouped by every enclosing NVTX range, process and thread", "base|mangled",
     nvtxKernSum},
    {"nvtx_gpu_proj_sum", "", "NVTX GPU Projection Summary",
     "NVTX ranges projected onto the GPU, grouped by name and style", "", nvtxGpuProjSum},
    {"nvtx_gpu_proj_trace", "nvtxgpuproj", "NVTX GPU Projection Trace",
     "every NVTX range projected onto the GPU ops it launched", "", nvtxGpuProjTrace},
    {"osrt_sum", "osrtsum", "OS Runtime Summary", "OS runtime (libc/pthread) calls grouped by name",
     "", osrtSum},
    {"diagnostics", "", "Import Diagnostics",
     "what the import skipped or repaired, and why (gpuscope only)", "", diagnosticsReport},
    {"kernel_metrics_sum", "", "Kernel Hardware Metrics",
     "per kernel profiled by gpuscope kernels: duration, SM/memory/DRAM throughput, occupancy, and the name's "
     "share of the trace's kernel time (gpuscope only)",
     "", kernelMetricsSum},
}};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  for (;;) {
    size_t next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

}  // namespace

bool ReportOptions::has(std::string_view a) const {
  return std::find(args.begin(), args.end(), a) != args.end();
}

std::span<const ReportInfo> reportCatalogue() { return kReports; }

const ReportInfo* findReport(std::string_view name) {
  for (const ReportInfo& r : kReports) {
    if (name == r.name || (r.old_name[0] != '\0' && name == r.old_name)) return &r;
  }
  return nullptr;
}

std::vector<std::string> defaultReportNames() {
  return {"nvtx_sum", "osrt_sum", "cuda_api_sum", "cuda_gpu_kern_sum", "cuda_gpu_mem_time_sum",
          "cuda_gpu_mem_size_sum"};
}

StatusOr<std::vector<ReportRequest>> parseReportList(std::string_view list) {
  std::vector<ReportRequest> out;
  for (std::string_view item : split(list, ',')) {
    if (item.empty()) return InvalidInput("-r: empty report name in '" + std::string(list) + "'");
    std::vector<std::string_view> parts = split(item, ':');
    const ReportInfo* info = findReport(parts[0]);
    if (info == nullptr) {
      return InvalidInput("-r: unknown report '" + std::string(parts[0]) +
                          "' (gpuscope stats --help-reports lists them)");
    }
    ReportRequest req;
    req.info = info;
    std::vector<std::string_view> allowed = split(info->arg_names, '|');
    for (size_t i = 1; i < parts.size(); ++i) {
      if (parts[i].empty() || std::find(allowed.begin(), allowed.end(), parts[i]) == allowed.end()) {
        return InvalidInput("-r: report " + std::string(info->name) + " does not take argument '" +
                            std::string(parts[i]) + "'" +
                            (info->arg_names[0] ? " (expected " + std::string(info->arg_names) + ")"
                                                : std::string(" (it takes none)")));
      }
      req.options.args.emplace_back(parts[i]);
    }
    out.push_back(std::move(req));
  }
  return out;
}

ReportTable runReport(ReportContext& context, const ReportRequest& request) {
  return request.info->run(context, request.options);
}

}  // namespace gpuscope::stats
