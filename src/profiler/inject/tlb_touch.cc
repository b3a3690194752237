// The CUDA side of tlb_touch.h: the argument words of an intercepted launch
// and the device-memory test for each of them.
#include "inject/tlb_touch.h"

#include <unordered_set>

#include "inject/state.h"

namespace gpuscope::profiler::inject {
namespace {

// Argument values of a launch given as kernelParams (one pointer per
// argument): sizes from cuFuncGetParamInfo (CUDA 12.4+).
void appendParamWords(CUfunction f, void** params, std::vector<uint64_t>& words) {
  if (f == nullptr || params == nullptr) return;
  for (size_t i = 0; i < 4096; ++i) {
    size_t offset = 0, size = 0;
    if (cuFuncGetParamInfo(f, i, &offset, &size) != CUDA_SUCCESS) break;
    appendWords(params[i], size, words);
  }
}

// Arguments packed into one buffer (CU_LAUNCH_PARAM_BUFFER_POINTER/SIZE).
void appendExtraWords(void** extra, std::vector<uint64_t>& words) {
  if (extra == nullptr) return;
  void* buffer = nullptr;
  size_t size = 0;
  for (size_t i = 0; i < 64 && extra[i] != CU_LAUNCH_PARAM_END; i += 2) {
    if (extra[i] == CU_LAUNCH_PARAM_BUFFER_POINTER) buffer = extra[i + 1];
    if (extra[i] == CU_LAUNCH_PARAM_BUFFER_SIZE && extra[i + 1] != nullptr)
      size = *static_cast<const size_t*>(extra[i + 1]);
  }
  appendWords(buffer, size, words);
}

bool queryDeviceRange(uint64_t address, DeviceRange& range) {
  unsigned int memory_type = 0, managed = 0;
  CUdeviceptr start = 0;
  size_t size = 0;
  CUpointer_attribute attrs[] = {CU_POINTER_ATTRIBUTE_MEMORY_TYPE, CU_POINTER_ATTRIBUTE_IS_MANAGED,
                                 CU_POINTER_ATTRIBUTE_RANGE_START_ADDR, CU_POINTER_ATTRIBUTE_RANGE_SIZE};
  void* values[] = {&memory_type, &managed, &start, &size};
  if (cuPointerGetAttributes(4, attrs, values, CUdeviceptr(address)) != CUDA_SUCCESS) return false;
  if (memory_type != CU_MEMORYTYPE_DEVICE || managed != 0) return false;
  range = {uint64_t(start), uint64_t(size)};
  return true;
}

}  // namespace

std::vector<uint64_t> launchTouchAddresses(const Launch& l) {
  std::vector<uint64_t> words;
  appendParamWords(l.func, l.params, words);
  appendExtraWords(l.extra, words);
  // One cuPointerGetAttributes per distinct word, in argument order.
  std::unordered_set<uint64_t> seen;
  std::vector<uint64_t> distinct;
  for (uint64_t w : words)
    if (seen.insert(w).second) distinct.push_back(w);
  return touchAddresses(distinct, queryDeviceRange);
}

}  // namespace gpuscope::profiler::inject
