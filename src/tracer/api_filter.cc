#include "tracer/api_filter.h"

#include <algorithm>
#include <array>

namespace gpuscope::tracer {
namespace {

// Pure queries: they read the current device/context/stream, the sticky
// error, attributes, names or capture state, and neither launch, wait,
// allocate nor load code. Sorted (binary search). Queries that can be slow
// the first time (cudaFuncGetAttributes, cudaGetKernel, cuKernelGetFunction,
// cuLibraryGetKernel, cuModuleGetFunction: lazy module loading;
// cudaDeviceGetStreamPriorityRange, cudaGetDeviceProperties: may create the
// primary context) are deliberately not here. Occupancy calculators are
// matched by prefix below.
constexpr std::array<std::string_view, 53> kHotQueries = {
    "__cudaGetProcAddress",
    "cuCtxGetApiVersion",
    "cuCtxGetCurrent",
    "cuCtxGetDevice",
    "cuCtxGetFlags",
    "cuCtxGetId",
    "cuCtxGetLimit",
    "cuCtxGetStreamPriorityRange",
    "cuDeviceGet",
    "cuDeviceGetAttribute",
    "cuDeviceGetCount",
    "cuDeviceGetUuid",
    "cuDevicePrimaryCtxGetState",
    "cuDriverGetVersion",
    "cuFuncGetAttribute",
    "cuFuncGetName",
    "cuGetErrorName",
    "cuGetErrorString",
    "cuGetProcAddress",
    "cuKernelGetAttribute",
    "cuKernelGetName",
    "cuModuleGetLoadingMode",
    "cuPointerGetAttribute",
    "cuPointerGetAttributes",
    "cuStreamGetCaptureInfo",
    "cuStreamGetCtx",
    "cuStreamGetDevice",
    "cuStreamGetFlags",
    "cuStreamGetId",
    "cuStreamGetPriority",
    "cuStreamIsCapturing",
    "cuThreadExchangeStreamCaptureMode",
    "cudaDeviceGetAttribute",
    "cudaDriverGetVersion",
    "cudaFuncGetName",
    "cudaGetDevice",
    "cudaGetDeviceCount",
    "cudaGetDeviceFlags",
    "cudaGetDriverEntryPoint",
    "cudaGetDriverEntryPointByVersion",
    "cudaGetErrorName",
    "cudaGetErrorString",
    "cudaGetLastError",
    "cudaPeekAtLastError",
    "cudaPointerGetAttributes",
    "cudaRuntimeGetVersion",
    "cudaStreamGetCaptureInfo",
    "cudaStreamGetDevice",
    "cudaStreamGetFlags",
    "cudaStreamGetId",
    "cudaStreamGetPriority",
    "cudaStreamIsCapturing",
    "cudaThreadExchangeStreamCaptureMode",
};

constexpr bool sortedUnique() {
  for (size_t i = 1; i < kHotQueries.size(); ++i)
    if (!(kHotQueries[i - 1] < kHotQueries[i])) return false;
  return true;
}
static_assert(sortedUnique(), "kHotQueries must be sorted and unique (binary search)");

bool stripSuffix(std::string_view* s, std::string_view suffix) {
  if (s->size() <= suffix.size() || s->substr(s->size() - suffix.size()) != suffix) return false;
  s->remove_suffix(suffix.size());
  return true;
}

bool stripVersion(std::string_view* s) {
  size_t v = s->rfind("_v");
  if (v == std::string_view::npos || v == 0 || v + 2 >= s->size()) return false;
  for (size_t i = v + 2; i < s->size(); ++i)
    if ((*s)[i] < '0' || (*s)[i] > '9') return false;
  s->remove_suffix(s->size() - v);
  return true;
}

}  // namespace

std::string_view apiBaseName(std::string_view name) {
  while (stripVersion(&name) || stripSuffix(&name, "_ptsz") || stripSuffix(&name, "_ptds")) {
  }
  return name;
}

bool isHotQueryApi(std::string_view name) {
  std::string_view base = apiBaseName(name);
  if (base.starts_with("cudaOccupancy") || base.starts_with("cuOccupancy")) return true;
  return std::binary_search(kHotQueries.begin(), kHotQueries.end(), base);
}

std::vector<uint32_t> hotQueryCallbackIds(bool driver, uint32_t cbid_end, const ApiNameFn& name) {
  std::vector<uint32_t> ids;
  if (!name) return ids;
  for (uint32_t cbid = 1; cbid < cbid_end; ++cbid) {
    const char* n = name(driver, cbid);
    if (n != nullptr && isHotQueryApi(n)) ids.push_back(cbid);
  }
  return ids;
}

}  // namespace gpuscope::tracer
