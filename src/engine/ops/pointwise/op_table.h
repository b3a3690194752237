// The table of elementwise ops: one row per op with its arity, typing rule,
// attributes, CPU scalar functions and CUDA expression templates. The CPU
// reference (interpreter.h), the program parser (program.h) and the NVRTC
// code generator (gpu/pointwise/) all read this one table, so an op is added
// in one place and is then available fused and unfused, on CPU and GPU.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "engine/ir/dtype.h"

namespace gpuscope::engine::pointwise {

// How an op's output type follows from its input types.
enum class Typing : uint8_t {
  kSame,       // all inputs one type T (float or, when int_fn is set, integer); output T
  kCompare,    // all inputs one type T; output bool
  kLogic,      // bool inputs; output bool
  kPredicate,  // float input; output bool (IsNaN, IsInf)
  kPow,        // base T, exponent any numeric type; output T
  kWhere,      // bool condition, two T values; output T
  kCast,       // any input; output the "to" attribute's type
};

// Attribute values of one statement (ONNX attribute names). Unused fields
// keep their defaults; `to` only matters for Cast.
struct OpParams {
  float alpha = 0, beta = 0, gamma = 0;
  int64_t fmod = 0;             // Mod: 1 = C fmod (sign of dividend), 0 = sign of divisor
  int64_t approximate = 0;      // Gelu: 1 = tanh approximation
  int64_t detect_negative = 1;  // IsInf
  int64_t detect_positive = 1;  // IsInf
  DType to = DType::kFloat32;   // Cast
};

// Scalar functions on the math domains: float-domain values are doubles
// holding values already rounded to their tensor type, integer-domain values
// are int64 (bool = 0/1). `n` is the number of arguments.
using FloatFn = double (*)(const double* a, int n, const OpParams& p);
using IntFn = int64_t (*)(const int64_t* a, int n, const OpParams& p);

struct OpInfo {
  std::string_view name;    // ONNX op type, also the program's op name
  int min_args, max_args;   // max_args 0 = unbounded (variadic)
  Typing typing;
  std::string_view attrs;   // attribute names, comma separated ("alpha,beta")
  FloatFn float_fn;         // nullptr: no float form (logic ops)
  IntFn int_fn;             // nullptr: float only
  // CUDA expressions over arguments $0..$9 and attributes ${name}; the float
  // form works on `float` values, the int form on `long long` (bool as 0/1).
  // Variadic ops give a binary template that the generator folds left.
  std::string_view cuda_float;
  std::string_view cuda_int;
  // Registered here as an ONNX OpDef. Cast and Where are program ops only:
  // their ONNX OpDefs belong to ops/nn (see op_def.h), but chains through
  // them still fuse.
  bool onnx_op = true;
};

const OpInfo* findOp(std::string_view name);
std::span<const OpInfo> allOps();

// Attribute defaults of `op` as ONNX defines them.
OpParams defaultParams(const OpInfo& op);
// Whether `name` is one of op's attributes.
bool opHasAttr(const OpInfo& op, std::string_view name);

// The CUDA helper functions the expressions call (pw_gelu, pw_idiv, ...),
// emitted once at the top of every generated kernel.
std::string_view cudaPrelude();

}  // namespace gpuscope::engine::pointwise
