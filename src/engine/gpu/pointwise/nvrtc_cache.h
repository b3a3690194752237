// Compiles generated CUDA sources with NVRTC to CUBIN for one GPU
// architecture and loads them through the CUDA runtime's library API
// (cudaLibraryLoadData / cudaLibraryGetKernel: no libcuda link, so binaries
// build and run their CPU paths on machines without a driver). Each source is
// compiled once (keyed by its text; the hash only picks the bucket) and its
// kernels are handed out as `const void*` for cudaLaunchKernel.
// Thread-safe. Compile at layer creation / tactic selection, never while a
// stream is being captured.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/status.h"

namespace gpuscope::engine {

class NvrtcCache {
 public:
  explicit NvrtcCache(int cc_major, int cc_minor);
  ~NvrtcCache();
  NvrtcCache(const NvrtcCache&) = delete;
  NvrtcCache& operator=(const NvrtcCache&) = delete;

  // The kernel `entry` (an extern "C" __global__ function) of `source`.
  // InvalidInput with NVRTC's log when the source does not compile,
  // EnvironmentError when the runtime cannot load the CUBIN.
  StatusOr<const void*> kernel(const std::string& source, const std::string& entry);

  // Number of NVRTC compilations so far (tests check the cache).
  int compileCount() const;

  // NVRTC -> CUBIN for sm_<major><minor>; needs no GPU.
  static StatusOr<std::string> compileToCubin(const std::string& source, int cc_major, int cc_minor);
  // Where cuda_fp16.h is found: $GPUSCOPE_CUDA_INCLUDE, else the toolkit
  // include dir known at build time, else /usr/local/cuda/include.
  static std::string includeDir();

 private:
  struct Library {
    std::string source;
    void* handle = nullptr;  // cudaLibrary_t
    std::map<std::string, const void*> kernels;
  };
  int cc_major_, cc_minor_;
  mutable std::mutex mu_;
  std::unordered_map<size_t, std::list<Library>> libraries_;
  int compiles_ = 0;
};

// A process-wide cache for `cc` (layers fall back to it when the runtime's
// GpuContext carries none).
NvrtcCache& defaultNvrtcCache(int cc_major, int cc_minor);

}  // namespace gpuscope::engine
