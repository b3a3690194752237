// What Kineto encodes in event names: copy kinds and memory kinds of
// "Memcpy HtoD (Pageable -> Device)", the memory kind of "Memset (Device)",
// the sync kind of "Stream Wait Event", and the base name of a demangled
// kernel signature (nsys's shortName).
#pragma once

#include <cstdint>
#include <string_view>

namespace gpuscope::importers::kineto_json {

struct MemcpyKinds {
  int32_t copy_kind;  // model::CopyKind
  int32_t src_kind;   // model::MemKind
  int32_t dst_kind;
};

// "Memcpy HtoD (Pageable -> Device)" -> {kHtoD, kPageable, kDevice}. Parts
// that cannot be read are CopyKind::kUnknown / MemKind::kUnknown.
MemcpyKinds parseMemcpyName(std::string_view name);

// "Memset (Device)" -> MemKind::kDevice; MemKind::kUnknown otherwise.
int32_t parseMemsetKind(std::string_view name);

// Kineto's sync names ("Event Sync", "Stream Wait Event", "Stream Sync",
// "Context Sync") -> model::SyncType; kUnknown otherwise.
int32_t parseSyncType(std::string_view name);

// "void at::native::foo<float, 4>(int, float*)" -> "foo";
// "at::(anonymous namespace)::bar(int)" -> "bar"; names without a
// signature ("sm90_xmma_gemm_...") come back unchanged.
std::string_view kernelBaseName(std::string_view name);

}  // namespace gpuscope::importers::kineto_json
