// The "program" attribute of gpuscope.Pointwise: a small SSA text IR, one
// statement per line, stored in engine files (so parsed as untrusted input).
//
//   c0 = 0.5:fp32                      scalar literal (value:dtype; dtype defaults
//                                      to fp32 with '.', 'e', inf or nan, else int64)
//   t0 = Add(in0, in1)                 op over inputs (in<k>), temps (t<k>), literals (c<k>)
//   t1 = LeakyRelu[alpha=0.01](t0)     attributes in brackets (ONNX names)
//   t2 = Cast[to=fp16](t1)
//   out0 = t2                          outputs, out0..out<n-1>
//
// Literals and temps are numbered densely in order of definition; everything
// is defined before use; '#' starts a comment. All inputs broadcast (numpy) to
// the common output shape; every output has that shape.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/ir/graph.h"
#include "engine/ops/pointwise/op_table.h"

namespace gpuscope::engine::pointwise {

// The generated kernels take at most this many inputs (gpu/pointwise/codegen.h);
// fusion keeps groups within it.
inline constexpr int kMaxProgramInputs = 16;

enum class RefKind : uint8_t { kInput, kTemp, kLiteral };

struct Ref {
  RefKind kind = RefKind::kInput;
  int index = 0;
  bool operator==(const Ref&) const = default;
};

struct Literal {
  DType dtype = DType::kFloat32;
  double value = 0;  // float types (exact value of the typed constant)
  int64_t ivalue = 0;  // integer and bool types
  bool operator==(const Literal&) const = default;
};

struct Statement {  // t<k> = op[params](args)
  const OpInfo* op = nullptr;
  OpParams params;
  std::vector<Ref> args;
  int line = 0;  // 1-based source line, 0 when built in code
};

struct Program {
  std::vector<Literal> literals;    // c<k>
  std::vector<Statement> statements;  // statement k defines t<k>
  std::vector<Ref> outputs;         // out<k>
  int inputCount() const;           // 1 + the largest in<k> used (0 if none)
};

// Parses program text; InvalidInput "pointwise program line N: ..." on errors.
StatusOr<Program> parseProgram(std::string_view text);
// Canonical text: literals, then statements with every attribute spelled out,
// then outputs. parseProgram(printProgram(p)) reproduces p exactly.
std::string printProgram(const Program& program);
std::string refText(const Ref& ref);

// Types of every temp and output given the input dtypes (one per in<k>);
// InvalidInput naming the line and what was expected.
struct ProgramTypes {
  std::vector<DType> temps;
  std::vector<DType> outputs;
};
StatusOr<ProgramTypes> inferProgramTypes(const Program& program, std::span<const DType> inputs);
DType refType(const Ref& ref, const Program& program, std::span<const DType> inputs, const ProgramTypes& types);

// Numpy broadcast of several shapes; InvalidInput (with `where`) if they do not broadcast.
StatusOr<Shape> broadcastShapes(std::span<const Shape* const> shapes, std::string_view where);

// Whether `node` is an ONNX elementwise op this folder implements, or a
// program-only op (Cast, Where) that fusion may absorb.
bool isElementwiseOp(std::string_view op);

// Translates ONNX node `node` into one statement appended to `program`:
// node input i becomes `args[i]` (ignored where `types[i]` is nullopt, i.e.
// omitted); missing Clip bounds and opset<11 Clip attributes become literals.
// Returns the new temp's ref.
StatusOr<Ref> appendNodeStatement(const Node& node, std::span<const std::optional<DType>> types,
                                  std::span<const Ref> args, Program& program, std::string_view where);

// Adds a literal, reusing an equal one; returns its ref.
Ref addLiteral(Program& program, const Literal& literal);
// A literal holding element 0 of `tensor` (a one-element constant).
Literal literalFromTensor(const HostTensor& tensor);

}  // namespace gpuscope::engine::pointwise
