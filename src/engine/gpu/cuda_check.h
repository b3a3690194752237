// Turning CUDA runtime / cuDNN / cuBLASLt / NVRTC status codes into Status
// values that name the failing call, the source position and the engine node
// it ran for ("node 'conv1' (Conv): cudnnConvolutionForward(...) failed at
// conv.cc:120: CUDNN_STATUS_BAD_PARAM"). Every GPU layer checks every call
// with these; a missing device or driver maps to EnvironmentError (exit 3).
#pragma once

#include <cublasLt.h>
#include <cuda_runtime.h>
#include <cudnn.h>
#include <nvrtc.h>

#include <string>
#include <string_view>

#include "base/status.h"

namespace gpuscope::engine::cudacheck {

inline std::string format(std::string_view where, const char* expr, const char* file, int line,
                          std::string_view error) {
  std::string msg;
  if (!where.empty()) {
    msg += where;
    msg += ": ";
  }
  msg += expr;
  msg += " failed at ";
  std::string_view f(file);
  size_t slash = f.rfind("src/");
  msg += slash == std::string_view::npos ? f : f.substr(slash);
  msg += ':';
  msg += std::to_string(line);
  msg += ": ";
  msg += error;
  return msg;
}

inline Status cuda(cudaError_t e, const char* expr, const char* file, int line, std::string_view where) {
  std::string text = std::string(cudaGetErrorName(e)) + " (" + cudaGetErrorString(e) + ")";
  std::string msg = format(where, expr, file, line, text);
  if (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver || e == cudaErrorInitializationError ||
      e == cudaErrorDevicesUnavailable)
    return EnvironmentError(std::move(msg));
  return InternalError(std::move(msg));
}

inline Status cudnn(cudnnStatus_t e, const char* expr, const char* file, int line, std::string_view where) {
  return InternalError(format(where, expr, file, line, cudnnGetErrorString(e)));
}

inline const char* cublasName(cublasStatus_t e) {
  switch (e) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    case CUBLAS_STATUS_LICENSE_ERROR: return "CUBLAS_STATUS_LICENSE_ERROR";
    default: return "CUBLAS_STATUS_<unknown>";
  }
}

inline Status cublas(cublasStatus_t e, const char* expr, const char* file, int line, std::string_view where) {
  return InternalError(format(where, expr, file, line, cublasName(e)));
}

inline Status nvrtc(nvrtcResult e, const char* expr, const char* file, int line, std::string_view where) {
  return InternalError(format(where, expr, file, line, nvrtcGetErrorString(e)));
}

}  // namespace gpuscope::engine::cudacheck

// `where` is the node description (graph.describe(n)) or "" — any expression
// convertible to std::string_view.
#define GS_CUDA_CHECK(expr, where)                                                              \
  do {                                                                                          \
    cudaError_t gs_cuda_err_ = (expr);                                                          \
    if (gs_cuda_err_ != cudaSuccess)                                                            \
      return ::gpuscope::engine::cudacheck::cuda(gs_cuda_err_, #expr, __FILE__, __LINE__, where); \
  } while (0)

#define GS_CUDNN_CHECK(expr, where)                                                               \
  do {                                                                                            \
    cudnnStatus_t gs_cudnn_err_ = (expr);                                                         \
    if (gs_cudnn_err_ != CUDNN_STATUS_SUCCESS)                                                    \
      return ::gpuscope::engine::cudacheck::cudnn(gs_cudnn_err_, #expr, __FILE__, __LINE__, where); \
  } while (0)

#define GS_CUBLAS_CHECK(expr, where)                                                                \
  do {                                                                                              \
    cublasStatus_t gs_cublas_err_ = (expr);                                                         \
    if (gs_cublas_err_ != CUBLAS_STATUS_SUCCESS)                                                    \
      return ::gpuscope::engine::cudacheck::cublas(gs_cublas_err_, #expr, __FILE__, __LINE__, where); \
  } while (0)

#define GS_NVRTC_CHECK(expr, where)                                                               \
  do {                                                                                            \
    nvrtcResult gs_nvrtc_err_ = (expr);                                                           \
    if (gs_nvrtc_err_ != NVRTC_SUCCESS)                                                           \
      return ::gpuscope::engine::cudacheck::nvrtc(gs_nvrtc_err_, #expr, __FILE__, __LINE__, where); \
  } while (0)

// Checks the launch of the kernel(s) just enqueued (configuration errors only;
// never synchronizes, so it is legal during stream capture).
#define GS_CUDA_CHECK_LAUNCH(where) GS_CUDA_CHECK(cudaGetLastError(), where)
