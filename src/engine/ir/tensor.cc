#include "engine/ir/tensor.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace gpuscope::engine {

int64_t shapeElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return -1;
    n *= d;
  }
  return n;
}

bool shapeKnown(const Shape& shape) {
  for (int64_t d : shape)
    if (d < 0) return false;
  return true;
}

std::string shapeText(const Shape& shape) {
  if (shape.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += 'x';
    s += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return s;
}

std::vector<int64_t> contiguousStrides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int i = int(shape.size()) - 2; i >= 0; --i) strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

HostTensor::HostTensor(DType dtype, Shape shape) : desc_{dtype, std::move(shape)} {
  int64_t n = desc_.elements();
  bytes_.assign(size_t(n < 0 ? 0 : n) * dtypeSize(dtype), 0);
}

HostTensor::HostTensor(DType dtype, Shape shape, std::vector<uint8_t> bytes)
    : desc_{dtype, std::move(shape)}, bytes_(std::move(bytes)) {}

double HostTensor::getDouble(int64_t i) const {
  switch (dtype()) {
    case DType::kFloat32: return data<float>()[i];
    case DType::kFloat16: return halfToFloat(data<uint16_t>()[i]);
    case DType::kBFloat16: return bf16ToFloat(data<uint16_t>()[i]);
    case DType::kFloat64: return data<double>()[i];
    case DType::kInt64: return double(data<int64_t>()[i]);
    case DType::kInt32: return data<int32_t>()[i];
    case DType::kInt8: return data<int8_t>()[i];
    case DType::kUInt8: return data<uint8_t>()[i];
    case DType::kBool: return data<uint8_t>()[i] ? 1.0 : 0.0;
  }
  return 0;
}

int64_t HostTensor::getInt(int64_t i) const {
  switch (dtype()) {
    case DType::kInt64: return data<int64_t>()[i];
    case DType::kInt32: return data<int32_t>()[i];
    case DType::kInt8: return data<int8_t>()[i];
    case DType::kUInt8: return data<uint8_t>()[i];
    case DType::kBool: return data<uint8_t>()[i] ? 1 : 0;
    default: return int64_t(getDouble(i));
  }
}

void HostTensor::setDouble(int64_t i, double v) {
  switch (dtype()) {
    case DType::kFloat32: data<float>()[i] = float(v); break;
    case DType::kFloat16: data<uint16_t>()[i] = floatToHalf(float(v)); break;
    case DType::kBFloat16: data<uint16_t>()[i] = floatToBf16(float(v)); break;
    case DType::kFloat64: data<double>()[i] = v; break;
    case DType::kInt64: data<int64_t>()[i] = int64_t(v); break;
    case DType::kInt32: data<int32_t>()[i] = int32_t(v); break;
    case DType::kInt8: data<int8_t>()[i] = int8_t(v); break;
    case DType::kUInt8: data<uint8_t>()[i] = uint8_t(v); break;
    case DType::kBool: data<uint8_t>()[i] = v != 0 ? 1 : 0; break;
  }
}

std::vector<int64_t> HostTensor::toInts() const {
  std::vector<int64_t> out(static_cast<size_t>(elements()));
  for (int64_t i = 0; i < elements(); ++i) out[size_t(i)] = getInt(i);
  return out;
}

std::vector<float> HostTensor::toFloats() const {
  std::vector<float> out(static_cast<size_t>(elements()));
  if (dtype() == DType::kFloat32) {
    std::copy(data<float>(), data<float>() + elements(), out.begin());
  } else {
    for (int64_t i = 0; i < elements(); ++i) out[size_t(i)] = float(getDouble(i));
  }
  return out;
}

HostTensor HostTensor::fromFloats(DType dtype, Shape shape, std::span<const float> values) {
  HostTensor t(dtype, std::move(shape));
  for (size_t i = 0; i < values.size() && int64_t(i) < t.elements(); ++i) t.setDouble(int64_t(i), values[i]);
  return t;
}

HostTensor HostTensor::fromInts(DType dtype, Shape shape, std::span<const int64_t> values) {
  HostTensor t(dtype, std::move(shape));
  for (size_t i = 0; i < values.size() && int64_t(i) < t.elements(); ++i) {
    if (dtype == DType::kInt64) {
      t.data<int64_t>()[i] = values[i];
    } else {
      t.setDouble(int64_t(i), double(values[i]));
    }
  }
  return t;
}

HostTensor HostTensor::castTo(DType to) const {
  if (to == dtype()) return *this;
  HostTensor out(to, shape());
  bool int_to_int = !isFloat(dtype()) && !isFloat(to);
  for (int64_t i = 0; i < elements(); ++i) {
    if (int_to_int && to == DType::kInt64) {
      out.data<int64_t>()[i] = getInt(i);
    } else {
      out.setDouble(i, getDouble(i));
    }
  }
  return out;
}

}  // namespace gpuscope::engine
