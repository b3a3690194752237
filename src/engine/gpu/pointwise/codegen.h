// CUDA source generation for pointwise programs (TensorRT's
// generatedNativePointwise). One source holds two kernels over the same
// element function: `pwgen_generic` (any broadcast, index math over the
// collapsed output dims) and, when every input is full-size or a single
// value, `pwgen_vec<N>` (N elements per thread through 8..16-byte loads).
// Values are loaded as float (fp32/fp16/bf16), int64 (integers) or bool,
// computed in that type and converted when stored. The text depends only on
// the program and the KernelSpec, so equal layers share one compiled kernel.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/ops/pointwise/program.h"

namespace gpuscope::engine::pointwise {

inline constexpr int kMaxKernelInputs = kMaxProgramInputs;
inline constexpr int kMaxKernelOutputs = 8;
inline constexpr int kMaxKernelRank = 8;

enum class Access : uint8_t { kFull, kScalar, kStrided };

struct KernelSpec {
  std::vector<DType> inputs;    // one per in<k>
  std::vector<DType> outputs;   // one per out<k>
  std::vector<Access> access;   // one per in<k>
  int rank = 1;                 // collapsed rank used by strided inputs (1..8)
  bool index64 = false;         // element count >= 2^31
  int vec = 0;                  // 0: no vector kernel; else 2, 4 or 8
};

// Kernel parameter block, passed by value; the generated code declares the
// same layout (static_assert'ed on the device side).
struct KernelArgs {
  const void* in[kMaxKernelInputs];
  void* out[kMaxKernelOutputs];
  long long n;
  long long dims[kMaxKernelRank];
  long long strides[kMaxKernelInputs][kMaxKernelRank];
};

// Generates the source. InvalidInput for dtypes the kernels do not handle
// (fp64) or too many inputs/outputs.
StatusOr<std::string> generateKernelSource(const Program& program, const KernelSpec& spec);

inline constexpr const char* kGenericEntry = "pwgen_generic";
std::string vecEntry(int vec);  // "pwgen_vec4"

// The vector width for these dtypes: 16 bytes per widest element, at most 8.
int vectorWidth(const std::vector<DType>& inputs, const std::vector<DType>& outputs);

}  // namespace gpuscope::engine::pointwise
