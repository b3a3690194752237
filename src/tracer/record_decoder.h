// CUPTI activity records -> Recording rows. The one place that reads
// CUpti_Activity* structs (CUDA 13.0 layouts: Kernel10, Memcpy6,
// MemcpyPtoP4, Memset4, API, Synchronization2, GraphTrace2, Marker2,
// MarkerData2, Device5, Context3, Stream, Name, ExternalCorrelation). It
// calls no CUPTI function, so tests feed it structs built in memory.
#pragma once

#include <cupti_activity.h>

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "tracer/recording.h"

namespace gpuscope::tracer {

// Name of a runtime (driver=false) or driver API callback id, e.g.
// "cudaLaunchKernel_v7000"; nullptr if unknown. The injection passes
// cuptiGetCallbackName; tests pass a table.
using ApiNameFn = std::function<const char*(bool driver, uint32_t cbid)>;

class RecordDecoder {
 public:
  // Rows go to `out`, which must outlive the decoder (string ids are cached).
  RecordDecoder(Recording* out, int64_t pid, ApiNameFn api_name);

  void decode(const CUpti_Activity* record);

  // Adds CUPTI's dropped-record count (cuptiActivityGetNumDroppedRecords).
  void addDroppedRecords(int64_t n);

 private:
  // Demangling is the costly part of a kernel record: cache by CUPTI's
  // name pointer, checked against the text in case CUPTI reuses it.
  struct KernelNames { std::string mangled; model::StringId name, short_name, mangled_id; };

  model::StringId internText(const char* s);  // nullptr -> empty
  model::StringId apiName(bool driver, uint32_t cbid);
  const KernelNames& kernelName(const char* mangled);

  void decodeKernel(const void* r);
  void decodeMemcpy(const void* r);
  void decodeMemcpyPtoP(const void* r);
  void decodeMemset(const void* r);
  void decodeApi(const void* r, int kind);
  void decodeSync(const void* r);
  void decodeGraphTrace(const void* r);
  void decodeMarker(const void* r);
  void decodeMarkerData(const void* r);
  void decodeDevice(const void* r);
  void decodeContext(const void* r);
  void decodeStream(const void* r);
  void decodeName(const void* r);
  void decodeExternal(const void* r);
  void lost(const char* what, const char* description);

  Recording* out_;
  int64_t pid_;
  ApiNameFn api_name_;
  std::unordered_map<const char*, KernelNames> kernel_names_;
  // A member, not a function-local static: the final flush runs from an
  // atexit handler, after such statics may have been destroyed.
  KernelNames no_name_{"", model::kEmptyString, model::kEmptyString, model::kEmptyString};
  std::vector<model::StringId> api_names_[2];
};

// "cudaLaunchKernel_v7000" -> "cudaLaunchKernel" (nsys prints no suffix).
std::string_view stripApiVersion(std::string_view name);

}  // namespace gpuscope::tracer
