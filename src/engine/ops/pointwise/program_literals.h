// Private to src/engine/ops/pointwise: how a literal's value is held in its
// dtype. Shared by the text parser (program.cc) and the ONNX-node translation
// (program_from_onnx.cc) so a literal means the same from either side.
#pragma once

#include <cstdint>
#include <limits>
#include <utility>

#include "engine/ops/pointwise/op_table.h"

namespace gpuscope::engine::pointwise {

// Value of a float literal as its dtype stores it.
inline double roundToType(double v, DType t) {
  switch (t) {
    case DType::kFloat32: return double(float(v));
    case DType::kFloat16: return double(halfToFloat(floatToHalf(float(v))));
    case DType::kBFloat16: return double(bf16ToFloat(floatToBf16(float(v))));
    default: return v;
  }
}

inline std::pair<int64_t, int64_t> intRange(DType t) {
  switch (t) {
    case DType::kInt32: return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    case DType::kInt8: return {-128, 127};
    case DType::kUInt8: return {0, 255};
    case DType::kBool: return {0, 1};
    default: return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  }
}

}  // namespace gpuscope::engine::pointwise
