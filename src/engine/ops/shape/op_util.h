// Helpers shared by the CPU reference ops (ops/shape/ and ops/nn/): axis
// normalisation, numpy broadcasting, constant-input access, strided copies
// and float load/store for fp32/fp16/bf16/fp64 tensors.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/ops/op_def.h"

namespace gpuscope::engine::opu {

// "node 'name' (Op)" for errors raised from a CPU function (no graph there).
std::string where(const Node& node);

// axis in [-rank, rank) -> [0, rank); InvalidInput naming `what` otherwise.
StatusOr<int64_t> normAxis(const std::string& where, int64_t axis, int64_t rank, const char* what = "axis");
// Every axis normalised; duplicates rejected.
StatusOr<std::vector<int64_t>> normAxes(const std::string& where, std::vector<int64_t> axes, int64_t rank,
                                        const char* what = "axes");

// Numpy (multidirectional) broadcast of two shapes.
StatusOr<Shape> broadcastShapes(const std::string& where, const Shape& a, const Shape& b);

// Input count within [min, max] and required inputs (index < min) present.
Status checkInputs(const InferContext& ctx, size_t min, size_t max);
// Input i is a float tensor (fp32/fp16/bf16/fp64).
Status checkFloat(const InferContext& ctx, size_t i);

// Integer contents of input i, which must be a constant once shapes are bound.
StatusOr<std::vector<int64_t>> constInts(const InferContext& ctx, size_t i, const char* what);
// Axes from input `input_index` when present (must be constant), else from
// attribute `attr` when set, else nullopt.
StatusOr<std::optional<std::vector<int64_t>>> axesArg(const InferContext& ctx, size_t input_index,
                                                       const char* attr = "axes");
// The same on the CPU side, where every present input has contents.
std::optional<std::vector<int64_t>> axesArgCpu(const Node& node, std::span<const HostTensor* const> inputs,
                                               size_t input_index, const char* attr = "axes");

inline bool hasIn(std::span<const HostTensor* const> inputs, size_t i) {
  return i < inputs.size() && inputs[i] != nullptr;
}

// Copies elements of `elem` bytes: output (row-major, shape `out_shape`)
// element at multi-index idx reads src[offset + sum(idx[d] * src_strides[d])]
// (strides in elements; 0 broadcasts, negative walks backwards).
void stridedCopy(const uint8_t* src, int64_t offset, std::span<const int64_t> src_strides, const Shape& out_shape,
                 size_t elem, uint8_t* dst);
// Strides of `in` inside the broadcast shape `out` (0 on broadcast dims).
std::vector<int64_t> broadcastStrides(const Shape& in, const Shape& out);
// `in` materialised at the broadcast shape `out` (any dtype).
HostTensor broadcastTo(const HostTensor& in, const Shape& out);
// `in` with its dims permuted as ONNX Transpose does: out dim i = in dim perm[i]
// (any dtype; `perm` must be a permutation of the rank).
HostTensor transposed(const HostTensor& in, std::span<const int64_t> perm);

// Channels-last layout of the NHWC forms of gpuscope.Conv and the pooling ops
// (attribute "layout" = "NHWC"): [N, spatial..., C] instead of [N, C, spatial...].
// toChannelsLastPerm is the Transpose perm taking NCHW to NHWC, toChannelsFirstPerm back.
bool isChannelsLast(const Node& node);
std::vector<int64_t> toChannelsLastPerm(size_t rank);   // {0, 2, ..., rank-1, 1}
std::vector<int64_t> toChannelsFirstPerm(size_t rank);  // {0, rank-1, 1, ..., rank-2}
Shape permuteShape(const Shape& s, std::span<const int64_t> perm);

// Float contents (fp32/fp16/bf16/fp64/ints) and write-back into a float tensor.
std::vector<float> loadFloats(const HostTensor& t);
void storeFloats(HostTensor& out, std::span<const float> values);

// Output descs helper: one desc.
inline std::vector<TensorDesc> one(DType dtype, Shape shape) { return {TensorDesc{dtype, std::move(shape)}}; }

}  // namespace gpuscope::engine::opu
