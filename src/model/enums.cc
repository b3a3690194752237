#include "model/enums.h"

#include <array>

namespace gpuscope::model {
namespace {

template <size_t N>
std::string_view lookup(const std::array<std::string_view, N>& names, int32_t v,
                        std::string_view fallback) {
  if (v < 0 || static_cast<size_t>(v) >= N) return fallback;
  return names[static_cast<size_t>(v)];
}

}  // namespace

std::string_view copyKindName(int32_t kind) {
  static constexpr std::array<std::string_view, 14> kNames = {
      "Unknown", "HtoD", "DtoH", "HtoA", "AtoH", "AtoA", "AtoD",
      "DtoA",    "DtoD", "HtoH", "PtoP", "UvmHtoD", "UvmDtoH", "UvmDtoD"};
  return lookup(kNames, kind, "Unknown");
}

std::string_view copyKindLabel(int32_t kind) {
  static constexpr std::array<std::string_view, 14> kLabels = {
      "[CUDA memcpy Unknown]",          "[CUDA memcpy Host-to-Device]",
      "[CUDA memcpy Device-to-Host]",   "[CUDA memcpy Host-to-Array]",
      "[CUDA memcpy Array-to-Host]",    "[CUDA memcpy Array-to-Array]",
      "[CUDA memcpy Array-to-Device]",  "[CUDA memcpy Device-to-Array]",
      "[CUDA memcpy Device-to-Device]", "[CUDA memcpy Host-to-Host]",
      "[CUDA memcpy Peer-to-Peer]",     "[CUDA memcpy Unified Host-to-Device]",
      "[CUDA memcpy Unified Device-to-Host]", "[CUDA memcpy Unified Device-to-Device]"};
  return lookup(kLabels, kind, "[CUDA memcpy Unknown]");
}

std::string_view memKindName(int32_t kind) {
  static constexpr std::array<std::string_view, 8> kNames = {
      "Pageable", "Pinned", "Device", "Array", "Managed", "Device Static", "Managed Static",
      "Unknown"};
  return lookup(kNames, kind, "Unknown");
}

std::string_view apiKindName(int32_t kind) {
  static constexpr std::array<std::string_view, 5> kNames = {"cuda_runtime", "cuda_driver",
                                                             "cudnn", "cublas", "other"};
  return lookup(kNames, kind, "other");
}

std::string_view nvtxKindName(int32_t kind) {
  static constexpr std::array<std::string_view, 3> kNames = {"PushPop", "StartEnd", "Mark"};
  return lookup(kNames, kind, "PushPop");
}

std::string_view syncTypeName(int32_t kind) {
  static constexpr std::array<std::string_view, 5> kNames = {
      "Unknown", "Event synchronize", "Stream wait event", "Stream synchronize",
      "Context synchronize"};
  return lookup(kNames, kind, "Unknown");
}

std::string_view cpuOpKindName(int32_t kind) {
  static constexpr std::array<std::string_view, 2> kNames = {"cpu_op", "python_function"};
  return lookup(kNames, kind, "cpu_op");
}

}  // namespace gpuscope::model
