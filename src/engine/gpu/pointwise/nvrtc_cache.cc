#include "engine/gpu/pointwise/nvrtc_cache.h"

#include <cuda_runtime_api.h>
#include <nvrtc.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include <fmt/format.h>

#ifndef GPUSCOPE_CUDA_INCLUDE_DIR
#define GPUSCOPE_CUDA_INCLUDE_DIR "/usr/local/cuda/include"
#endif

namespace gpuscope::engine {

NvrtcCache::NvrtcCache(int cc_major, int cc_minor) : cc_major_(cc_major), cc_minor_(cc_minor) {}

NvrtcCache::~NvrtcCache() {
  for (auto& [hash, libs] : libraries_)
    for (Library& lib : libs)
      if (lib.handle) (void)cudaLibraryUnload(static_cast<cudaLibrary_t>(lib.handle));
}

int NvrtcCache::compileCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return compiles_;
}

std::string NvrtcCache::includeDir() {
  if (const char* env = std::getenv("GPUSCOPE_CUDA_INCLUDE"); env && *env) return env;
  std::error_code ec;
  if (std::filesystem::exists(std::string(GPUSCOPE_CUDA_INCLUDE_DIR) + "/cuda_fp16.h", ec))
    return GPUSCOPE_CUDA_INCLUDE_DIR;
  return "/usr/local/cuda/include";
}

StatusOr<std::string> NvrtcCache::compileToCubin(const std::string& source, int cc_major, int cc_minor) {
  nvrtcProgram prog = nullptr;
  nvrtcResult r = nvrtcCreateProgram(&prog, source.c_str(), "gpuscope_pointwise.cu", 0, nullptr, nullptr);
  if (r != NVRTC_SUCCESS) return InternalError(fmt::format("nvrtcCreateProgram: {}", nvrtcGetErrorString(r)));
  std::unique_ptr<nvrtcProgram, void (*)(nvrtcProgram*)> guard(&prog, [](nvrtcProgram* p) { nvrtcDestroyProgram(p); });
  std::string arch = fmt::format("--gpu-architecture=sm_{}{}", cc_major, cc_minor);
  std::string include = "-I" + includeDir();
  std::vector<const char*> opts = {arch.c_str(), include.c_str(), "-std=c++17"};
  r = nvrtcCompileProgram(prog, int(opts.size()), opts.data());
  if (r != NVRTC_SUCCESS) {
    size_t log_size = 0;
    nvrtcGetProgramLogSize(prog, &log_size);
    std::string log(log_size, '\0');
    if (log_size) nvrtcGetProgramLog(prog, log.data());
    return InvalidInput(fmt::format("NVRTC could not compile a generated pointwise kernel ({}, {}):\n{}",
                                    nvrtcGetErrorString(r), include, log));
  }
  size_t size = 0;
  r = nvrtcGetCUBINSize(prog, &size);
  if (r != NVRTC_SUCCESS) return InternalError(fmt::format("nvrtcGetCUBINSize: {}", nvrtcGetErrorString(r)));
  std::string cubin(size, '\0');
  r = nvrtcGetCUBIN(prog, cubin.data());
  if (r != NVRTC_SUCCESS) return InternalError(fmt::format("nvrtcGetCUBIN: {}", nvrtcGetErrorString(r)));
  return cubin;
}

StatusOr<const void*> NvrtcCache::kernel(const std::string& source, const std::string& entry) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t hash = std::hash<std::string>{}(source);
  std::list<Library>& bucket = libraries_[hash];
  Library* lib = nullptr;
  for (Library& l : bucket)
    if (l.source == source) lib = &l;
  if (!lib) {
    GS_ASSIGN_OR_RETURN(std::string cubin, compileToCubin(source, cc_major_, cc_minor_));
    ++compiles_;
    cudaLibrary_t handle = nullptr;
    cudaError_t e = cudaLibraryLoadData(&handle, cubin.data(), nullptr, nullptr, 0, nullptr, nullptr, 0);
    if (e != cudaSuccess)
      return EnvironmentError(fmt::format("cudaLibraryLoadData of a generated pointwise kernel: {}", cudaGetErrorString(e)));
    bucket.push_back(Library{source, handle, {}});
    lib = &bucket.back();
  }
  if (auto it = lib->kernels.find(entry); it != lib->kernels.end()) return it->second;
  cudaKernel_t k = nullptr;
  cudaError_t e = cudaLibraryGetKernel(&k, static_cast<cudaLibrary_t>(lib->handle), entry.c_str());
  if (e != cudaSuccess)
    return InvalidInput(fmt::format("generated pointwise source has no kernel '{}': {}", entry, cudaGetErrorString(e)));
  const void* fn = reinterpret_cast<const void*>(k);
  lib->kernels[entry] = fn;
  return fn;
}

NvrtcCache& defaultNvrtcCache(int cc_major, int cc_minor) {
  static std::mutex mu;
  static std::map<std::pair<int, int>, std::unique_ptr<NvrtcCache>>* caches =
      new std::map<std::pair<int, int>, std::unique_ptr<NvrtcCache>>();  // leaked: outlives CUDA teardown
  std::lock_guard<std::mutex> lock(mu);
  auto& c = (*caches)[{cc_major, cc_minor}];
  if (!c) c = std::make_unique<NvrtcCache>(cc_major, cc_minor);
  return *c;
}

}  // namespace gpuscope::engine
