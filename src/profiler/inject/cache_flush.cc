#include "inject/cache_flush.h"

#include <cstring>

#include "inject/flush_ptx.h"
#include "inject/icache_image.h"
#include "inject/icache_ptx.h"
#include "inject/tlb_touch.h"

namespace gpuscope::profiler::inject {

const char* L2Flusher::modeName() const {
  if (skip_) return "none (GPUSCOPE_PROFILER_FLUSH=skip)";
  switch (mode_) {
    case Mode::kKernels: return "read+discard kernels";
    case Mode::kReadKernel: return "read kernel";
    case Mode::kCopy: return "device-to-host copy";
    case Mode::kNone: break;
  }
  return "none";
}

std::string L2Flusher::init(CUdevice dev, const char* mode_env) {
  release();
  int l2 = 0, sms = 0;
  cuDeviceGetAttribute(&l2, CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, dev);
  cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev);
  if (l2 <= 0) return "cache control: the GPU reports no L2 size; caches not flushed";
  // 4x the L2: with a replacement policy that is not strict LRU, a line
  // survives 4 capacities of fills far less often than 2 (run 4 used 2x).
  for (size_t factor : {size_t{4}, size_t{2}}) {
    plan_ = planFlush(static_cast<size_t>(l2), sms, factor);
    if (cuMemAlloc(&scratch_, plan_.bytes) == CUDA_SUCCESS) break;
    scratch_ = 0;
  }
  if (!scratch_ || cuMemsetD8(scratch_, 0, plan_.bytes) != CUDA_SUCCESS || cuCtxSynchronize() != CUDA_SUCCESS) {
    release();
    return "cache control: could not allocate the L2 flush buffer; caches not flushed";
  }
  std::string warning;
  const bool want_copy = mode_env && std::strcmp(mode_env, "copy") == 0;
  // A/B modes: "read" skips the discard kernel, "skip" flushes nothing
  // (user replay and the touch stay).
  const bool want_read = mode_env && std::strcmp(mode_env, "read") == 0;
  const bool want_skip = mode_env && std::strcmp(mode_env, "skip") == 0;
  if (!want_copy) {
    mode_ = loadKernels(!want_read);
    if (mode_ != Mode::kNone) {
      initTouch(sms);
      skip_ = want_skip;
      return "";
    }
    warning = "cache control: the L2 flush kernels could not be loaded; flushing with a device-to-host "
              "copy, which leaves dirty lines in L2";
  }
  if (cuMemAllocHost(&host_sink_, plan_.bytes) != CUDA_SUCCESS) {
    host_sink_ = nullptr;
    release();
    return "cache control: could not allocate the L2 flush buffer; caches not flushed";
  }
  mode_ = Mode::kCopy;
  return warning;
}

// The read kernel, with the discard kernel when asked and the GPU has it
// (sm_80+), else alone (older GPUs); kNone, with nothing loaded, when
// neither module loads.
L2Flusher::Mode L2Flusher::loadKernels(bool with_discard) {
  auto load = [this](const char* ptx) {
    return cuModuleLoadData(&module_, ptx) == CUDA_SUCCESS &&
           cuModuleGetFunction(&read_, module_, "gs_l2_read") == CUDA_SUCCESS;
  };
  auto unload = [this] {
    if (module_) cuModuleUnload(module_);
    module_ = nullptr;
    read_ = discard_ = nullptr;
  };
  if (with_discard && load(kPtxWithDiscard) &&
      cuModuleGetFunction(&discard_, module_, "gs_l2_discard") == CUDA_SUCCESS)
    return Mode::kKernels;
  unload();
  if (load(kPtxReadOnly)) return Mode::kReadKernel;
  unload();
  return Mode::kNone;
}

// The touch kernel and its list buffer; without them flushes still work,
// only without the touch.
void L2Flusher::initTouch(int sms) {
  if (cuModuleGetFunction(&touch_, module_, "gs_tlb_touch") != CUDA_SUCCESS ||
      cuMemAlloc(&touch_list_, kTouchMax * sizeof(uint64_t) + sizeof(uint32_t)) != CUDA_SUCCESS) {
    touch_ = nullptr;
    touch_list_ = 0;
    return;
  }
  touch_blocks_ = static_cast<unsigned>(sms > 0 ? sms : 1);
}

bool L2Flusher::stageTouch(const std::vector<uint64_t>& addresses) {
  touch_n_ = 0;
  if (!touch_ || !touch_list_ || addresses.empty()) return true;
  size_t n = addresses.size() < kTouchMax ? addresses.size() : kTouchMax;
  if (cuMemcpyHtoD(touch_list_, addresses.data(), n * sizeof(uint64_t)) != CUDA_SUCCESS) return false;
  touch_n_ = n;
  return true;
}

std::string L2Flusher::initIcacheEvict(int sms) {
  if (mode_ == Mode::kNone) return "";
  // The build's fatbin (SASS for this GPU loads at once, else the driver
  // JIT-compiles its PTX); without one the PTX itself.
  const void* image = icacheEvictImage();
  const std::string ptx = image ? std::string() : icacheEvictPtx();
  const void* code = image ? image : ptx.c_str();
  if (cuModuleLoadData(&icache_module_, code) != CUDA_SUCCESS ||
      cuModuleGetFunction(&icache_evict_, icache_module_, "gs_icache_evict") != CUDA_SUCCESS) {
    if (icache_module_) cuModuleUnload(icache_module_);
    icache_module_ = nullptr;
    icache_evict_ = nullptr;
    return "cache control: the instruction-cache eviction kernel could not be loaded; only L2 is flushed";
  }
  icache_blocks_ = static_cast<unsigned>(sms > 0 ? 2 * sms : 2);
  return "";
}

bool L2Flusher::flush(CUstream stream, bool wait) {
  switch (mode_) {
    case Mode::kNone: return true;
    case Mode::kCopy:
      if (cuMemcpyDtoHAsync(host_sink_, scratch_, plan_.bytes, stream) != CUDA_SUCCESS) return false;
      return !wait || cuStreamSynchronize(stream) == CUDA_SUCCESS;
    case Mode::kKernels:
    case Mode::kReadKernel: break;
  }
  if (icache_evict_ && !skip_) {
    // Before the L2 flush, which then evicts the code's lines from L2 too.
    CUdeviceptr sink = scratch_;
    unsigned seed = 0x2545f491u, never = 0;  // the chain's value stays odd: never 0 (icache_ptx.h)
    void* args[] = {&sink, &seed, &never};
    if (cuLaunchKernel(icache_evict_, icache_blocks_, 1, 1, 32, 1, 1, 0, stream, args, nullptr) != CUDA_SUCCESS)
      return false;
  }
  unsigned long long n16 = plan_.n16, lines = plan_.lines;
  unsigned key = 1;
  void* read_args[] = {&scratch_, &n16, &key};
  void* discard_args[] = {&scratch_, &lines};
  if (!skip_) {
    if (cuLaunchKernel(read_, plan_.blocks, 1, 1, plan_.threads, 1, 1, 0, stream, read_args, nullptr) !=
        CUDA_SUCCESS)
      return false;
    if (discard_ && cuLaunchKernel(discard_, plan_.blocks, 1, 1, plan_.threads, 1, 1, 0, stream, discard_args,
                                   nullptr) != CUDA_SUCCESS)
      return false;
  }
  if (touch_n_ > 0) {
    CUdeviceptr sink = touch_list_ + kTouchMax * sizeof(uint64_t);
    unsigned touch_key = 0x9e3779b9u;
    void* touch_args[] = {&touch_list_, &touch_n_, &sink, &touch_key};
    if (cuLaunchKernel(touch_, touch_blocks_, 1, 1, plan_.threads, 1, 1, 0, stream, touch_args, nullptr) !=
        CUDA_SUCCESS)
      return false;
  }
  return !wait || cuStreamSynchronize(stream) == CUDA_SUCCESS;
}

void L2Flusher::release() {
  if (module_) cuModuleUnload(module_);
  if (scratch_) cuMemFree(scratch_);
  if (host_sink_) cuMemFreeHost(host_sink_);
  if (touch_list_) cuMemFree(touch_list_);
  if (icache_module_) cuModuleUnload(icache_module_);
  icache_module_ = nullptr;
  icache_evict_ = nullptr;
  icache_blocks_ = 0;
  touch_ = nullptr;
  touch_list_ = 0;
  touch_n_ = 0;
  touch_blocks_ = 0;
  module_ = nullptr;
  read_ = discard_ = nullptr;
  scratch_ = 0;
  host_sink_ = nullptr;
  plan_ = {};
  mode_ = Mode::kNone;
  skip_ = false;
}

}  // namespace gpuscope::profiler::inject
