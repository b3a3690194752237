// Element types of engine tensors (the ONNX TensorProto.DataType subset the
// engine computes with) and the half-precision conversions the CPU reference
// path needs. fp16/bf16 values are stored as raw uint16 bit patterns on the
// host; device code uses __half / __nv_bfloat16 with the same bits.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace gpuscope::engine {

enum class DType : uint8_t {
  kFloat32,
  kFloat16,
  kBFloat16,
  kFloat64,
  kInt64,
  kInt32,
  kInt8,
  kUInt8,
  kBool,
};

size_t dtypeSize(DType t);
std::string_view dtypeName(DType t);  // "fp32", "fp16", "bf16", "fp64", "int64", ...
bool isFloat(DType t);                // fp32/fp16/bf16/fp64
// ONNX TensorProto.DataType number <-> DType; nullopt for types we do not compute with.
std::optional<DType> dtypeFromOnnx(int32_t onnx_type);
int32_t dtypeToOnnx(DType t);
std::optional<DType> dtypeFromName(std::string_view name);

// IEEE binary16 and bfloat16 <-> float, round to nearest even.
float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);
inline float bf16ToFloat(uint16_t b) {
  uint32_t u = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
uint16_t floatToBf16(float f);

}  // namespace gpuscope::engine
