// Which CUDA API calls get an activity record. Frameworks call a handful of
// cheap, side-effect-free queries many times per kernel launch: PyTorch
// 2.11 eager ResNet-50 made ~11 cudaGetDevice, ~3 cudaPeekAtLastError,
// ~1.5 cuGetProcAddress, ~1.3 cudaGetLastError and 1 cuKernelGetName per
// cudaLaunchKernel (H200 trace, 2026-11-29). Each record costs the calling
// thread host time (timestamps + a write into the activity buffer), so by
// default these queries are not recorded — nsys likewise traces only the
// APIs that launch work, wait, allocate or change state unless
// --cuda-trace-all-apis is given. Launches, copies, syncs, allocations,
// stream/event/graph calls and anything that may load a module
// (cudaFuncGetAttributes, cuKernelGetFunction, ...) stay recorded.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tracer/record_decoder.h"

namespace gpuscope::tracer {

// "cudaStreamGetCaptureInfo_v2_ptsz_v11030" -> "cudaStreamGetCaptureInfo":
// CUPTI callback names without version (_v<digits>) and per-thread stream
// (_ptsz, _ptds) suffixes, so one entry covers every variant of an API.
std::string_view apiBaseName(std::string_view cupti_name);

// True for a query left out of the trace by default (see the list in
// api_filter.cc); `name` is a CUPTI callback name, with or without suffixes.
bool isHotQueryApi(std::string_view name);

// The callback ids in [1, cbid_end) of the runtime (driver=false) or driver
// API whose names are hot queries, in increasing order; ids `name` does not
// know (nullptr) are kept.
std::vector<uint32_t> hotQueryCallbackIds(bool driver, uint32_t cbid_end, const ApiNameFn& name);

}  // namespace gpuscope::tracer
