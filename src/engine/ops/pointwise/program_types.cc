// What a program computes on: the inputs it reads, the dtype of every temp
// and output (with the weak typing of float literals), and the common
// broadcast shape of its inputs.
#include "engine/ops/pointwise/program.h"

#include <algorithm>

#include <fmt/format.h>

namespace gpuscope::engine::pointwise {

int Program::inputCount() const {
  int n = 0;
  auto see = [&](const Ref& r) {
    if (r.kind == RefKind::kInput) n = std::max(n, r.index + 1);
  };
  for (const Statement& s : statements)
    for (const Ref& r : s.args) see(r);
  for (const Ref& r : outputs) see(r);
  return n;
}

DType refType(const Ref& ref, const Program& program, std::span<const DType> inputs, const ProgramTypes& types) {
  switch (ref.kind) {
    case RefKind::kInput: return inputs[size_t(ref.index)];
    case RefKind::kTemp: return types.temps[size_t(ref.index)];
    case RefKind::kLiteral: return program.literals[size_t(ref.index)].dtype;
  }
  return DType::kFloat32;
}

StatusOr<ProgramTypes> inferProgramTypes(const Program& program, std::span<const DType> inputs) {
  if (program.inputCount() > int(inputs.size()))
    return InvalidInput(fmt::format("pointwise program reads in{} but the node has {} inputs",
                                    program.inputCount() - 1, inputs.size()));
  ProgramTypes types;
  for (size_t k = 0; k < program.statements.size(); ++k) {
    const Statement& st = program.statements[k];
    auto where = [&] { return fmt::format("pointwise program line {} (t{} = {})", st.line, k, st.op->name); };
    std::vector<DType> a;
    for (const Ref& r : st.args) {
      if (r.kind == RefKind::kTemp && r.index >= int(k))
        return InvalidInput(fmt::format("{}: t{} is used before it is defined", where(), r.index));
      if (r.kind == RefKind::kLiteral && r.index >= int(program.literals.size()))
        return InvalidInput(fmt::format("{}: c{} is not defined", where(), r.index));
      a.push_back(refType(r, program, inputs, types));
    }
    // Float literals are weakly typed: they take the float type of the
    // values they meet, so "x * 0.5" stays valid when the precision pass
    // turns x into fp16 after fusion (the literal keeps its exact value).
    Typing ty = st.op->typing;
    if (ty == Typing::kSame || ty == Typing::kCompare || ty == Typing::kWhere) {
      size_t from = ty == Typing::kWhere ? 1 : 0;
      auto weak = [&](size_t i) {
        const Ref& r = st.args[i];
        return r.kind == RefKind::kLiteral && isFloat(a[i]);
      };
      for (size_t i = from; i < a.size(); ++i) {
        if (weak(i) || !isFloat(a[i])) continue;
        for (size_t j = from; j < a.size(); ++j)
          if (weak(j)) a[j] = a[i];
        break;
      }
    }
    int n = int(a.size());
    if (n < st.op->min_args || (st.op->max_args > 0 && n > st.op->max_args) || n == 0)
      return InvalidInput(fmt::format("{}: wrong number of arguments ({})", where(), n));
    auto allSame = [&](size_t from) {
      for (size_t i = from + 1; i < a.size(); ++i)
        if (a[i] != a[from]) return false;
      return true;
    };
    auto mismatch = [&](std::string_view expected) {
      std::string got;
      for (size_t i = 0; i < a.size(); ++i) got += (i ? ", " : "") + std::string(dtypeName(a[i]));
      return InvalidInput(fmt::format("{}: expected {}, got ({})", where(), expected, got));
    };
    bool int_ok = st.op->int_fn != nullptr;
    DType out = a[0];
    switch (st.op->typing) {
      case Typing::kSame:
        if (!allSame(0)) return mismatch("inputs of one type");
        if (a[0] == DType::kBool || (!isFloat(a[0]) && !int_ok)) return mismatch("float or integer inputs");
        if (st.op->name == "Mean" && !isFloat(a[0])) return mismatch("float inputs");
        break;
      case Typing::kCompare:
        if (!allSame(0)) return mismatch("inputs of one type");
        if (a[0] == DType::kBool && st.op->name != "Equal") return mismatch("numeric inputs");
        out = DType::kBool;
        break;
      case Typing::kLogic:
        for (DType t : a)
          if (t != DType::kBool) return mismatch("bool inputs");
        break;
      case Typing::kPredicate:
        if (!isFloat(a[0])) return mismatch("a float input");
        out = DType::kBool;
        break;
      case Typing::kPow:
        if (a[0] == DType::kBool || a[1] == DType::kBool) return mismatch("numeric inputs");
        break;
      case Typing::kWhere:
        if (a[0] != DType::kBool || a[1] != a[2]) return mismatch("(bool, T, T)");
        out = a[1];
        break;
      case Typing::kCast: out = st.params.to; break;
    }
    types.temps.push_back(out);
  }
  for (const Ref& r : program.outputs) {
    if (r.kind == RefKind::kTemp && r.index >= int(program.statements.size()))
      return InvalidInput(fmt::format("pointwise program: output reads undefined t{}", r.index));
    if (r.kind == RefKind::kLiteral && r.index >= int(program.literals.size()))
      return InvalidInput(fmt::format("pointwise program: output reads undefined c{}", r.index));
    types.outputs.push_back(refType(r, program, inputs, types));
  }
  return types;
}

StatusOr<Shape> broadcastShapes(std::span<const Shape* const> shapes, std::string_view where) {
  size_t rank = 0;
  for (const Shape* s : shapes) rank = std::max(rank, s->size());
  Shape out(rank, 1);
  for (const Shape* s : shapes) {
    size_t off = rank - s->size();
    for (size_t d = 0; d < s->size(); ++d) {
      int64_t v = (*s)[d];
      int64_t& o = out[off + d];
      if (v == o || v == 1) continue;
      if (o == 1) {
        o = v;
        continue;
      }
      std::string list;
      for (const Shape* t : shapes) list += (list.empty() ? "" : ", ") + shapeText(*t);
      return InvalidInput(fmt::format("{}: input shapes {} do not broadcast (dim {} is {} and {})", where, list,
                                      off + d, o, v));
    }
  }
  return out;
}

}  // namespace gpuscope::engine::pointwise
