// Tensor descriptions and host tensors. A HostTensor owns its bytes (row-major,
// dense); it holds weights, folded constants and the CPU reference path's
// activations. Shapes are static once the engine is built: a dim of -1 only
// exists between ONNX import and shape binding (--shapes).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/ir/dtype.h"

namespace gpuscope::engine {

using Shape = std::vector<int64_t>;

int64_t shapeElements(const Shape& shape);  // 1 for a scalar; -1 if any dim is unknown
std::string shapeText(const Shape& shape);  // "1x3x224x224", "scalar" for rank 0
bool shapeKnown(const Shape& shape);

struct TensorDesc {
  DType dtype = DType::kFloat32;
  Shape shape;
  bool operator==(const TensorDesc&) const = default;
  int64_t elements() const { return shapeElements(shape); }
  int64_t bytes() const { return elements() * int64_t(dtypeSize(dtype)); }
};

class HostTensor {
 public:
  HostTensor() = default;
  HostTensor(DType dtype, Shape shape);  // zero-filled
  HostTensor(DType dtype, Shape shape, std::vector<uint8_t> bytes);

  DType dtype() const { return desc_.dtype; }
  const Shape& shape() const { return desc_.shape; }
  const TensorDesc& desc() const { return desc_; }
  int64_t elements() const { return desc_.elements(); }
  size_t byteSize() const { return bytes_.size(); }

  template <typename T> T* data() { return reinterpret_cast<T*>(bytes_.data()); }
  template <typename T> const T* data() const { return reinterpret_cast<const T*>(bytes_.data()); }
  uint8_t* raw() { return bytes_.data(); }
  const uint8_t* raw() const { return bytes_.data(); }

  // Reinterpret with a new shape of the same element count (Reshape & co.).
  void reshape(Shape shape) { desc_.shape = std::move(shape); }

  // Element i as double / int64, whatever the dtype (slow; for small tensors:
  // shapes, indices, scalars, tests).
  double getDouble(int64_t i) const;
  int64_t getInt(int64_t i) const;
  void setDouble(int64_t i, double v);

  // Integer contents (int64/int32/...) as int64 values: shape tensors, axes.
  std::vector<int64_t> toInts() const;
  // Contents converted to fp32 (any float/int dtype), and back.
  std::vector<float> toFloats() const;
  static HostTensor fromFloats(DType dtype, Shape shape, std::span<const float> values);
  static HostTensor fromInts(DType dtype, Shape shape, std::span<const int64_t> values);

  // Converts float tensors between fp32/fp16/bf16/fp64 (and ints to floats).
  HostTensor castTo(DType dtype) const;

 private:
  TensorDesc desc_;
  std::vector<uint8_t> bytes_;
};

// Row-major strides in elements.
std::vector<int64_t> contiguousStrides(const Shape& shape);

}  // namespace gpuscope::engine
