// CPU interpreter of pointwise programs: the reference for the generated
// kernels and the CPU implementation of every elementwise op (a single ONNX
// op runs as a one-statement program). Semantics shared with the GPU code:
// float-typed values (fp32/fp16/bf16) are computed in double and rounded to
// float after every statement (the kernels compute in float), fp16/bf16 are
// rounded to their type only by Cast and when stored; integers are int64
// wrapped to their type after every statement; bool is 0/1.
#pragma once

#include <span>

#include "base/status.h"
#include "engine/ir/tensor.h"
#include "engine/ops/pointwise/program.h"

namespace gpuscope::engine::pointwise {

// Runs `program` element by element. Inputs (one per in<k>) broadcast to the
// outputs' shape; `outputs` arrive allocated with that shape and the
// program's output dtypes. InvalidInput on a type/shape mismatch.
Status runProgram(const Program& program, std::span<const HostTensor* const> inputs, std::span<HostTensor> outputs);

// Element offsets of an input of `in_shape` for each element of `out_shape`
// (numpy broadcasting; in_shape must broadcast to out_shape).
std::vector<int64_t> broadcastStrides(const Shape& in_shape, const Shape& out_shape);

}  // namespace gpuscope::engine::pointwise
