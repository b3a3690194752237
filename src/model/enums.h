// Closed enums stored as integers in the trace tables, each with its one name
// table. Values follow the nsys export enums where nsys has one, so numbers
// read from an nsys SQLite file are stored as they are.
#pragma once

#include <cstdint>
#include <string_view>

namespace gpuscope::model {

// ENUM_CUDA_MEMCPY_OPER (nsys) == CUpti_ActivityMemcpyKind (CUPTI).
enum class CopyKind : int32_t {
  kUnknown = 0, kHtoD = 1, kDtoH = 2, kHtoA = 3, kAtoH = 4, kAtoA = 5, kAtoD = 6, kDtoA = 7,
  kDtoD = 8, kHtoH = 9, kPtoP = 10, kUvmHtoD = 11, kUvmDtoH = 12, kUvmDtoD = 13,
};
// Short name, e.g. "HtoD".
std::string_view copyKindName(int32_t kind);
// nsys's current Operation label, e.g. "[CUDA memcpy Host-to-Device]".
std::string_view copyKindLabel(int32_t kind);

// ENUM_CUDA_MEM_KIND (nsys). CUPTI numbers CUpti_ActivityMemoryKind from UNKNOWN = 0
// (pageable = 1, ...): the tracer converts (src/tracer/record_decoder.cc).
enum class MemKind : int32_t {
  kPageable = 0, kPinned = 1, kDevice = 2, kArray = 3, kManaged = 4, kDeviceStatic = 5,
  kManagedStatic = 6, kUnknown = 7,
};
std::string_view memKindName(int32_t kind);

// Which API family a host call belongs to (nsys eventClass, Kineto category).
enum class ApiKind : int32_t { kRuntime = 0, kDriver = 1, kCudnn = 2, kCublas = 3, kOther = 4 };
std::string_view apiKindName(int32_t kind);

enum class NvtxKind : int32_t { kPushPop = 0, kStartEnd = 1, kMark = 2 };
std::string_view nvtxKindName(int32_t kind);  // "PushPop", "StartEnd", "Mark"

// ENUM_CUPTI_SYNC_TYPE.
enum class SyncType : int32_t {
  kUnknown = 0, kEventSynchronize = 1, kStreamWaitEvent = 2, kStreamSynchronize = 3,
  kContextSynchronize = 4,
};
std::string_view syncTypeName(int32_t kind);

// Host ranges that are neither API calls nor NVTX (Kineto).
enum class CpuOpKind : int32_t { kCpuOp = 0, kPythonFunction = 1 };
std::string_view cpuOpKindName(int32_t kind);

}  // namespace gpuscope::model
