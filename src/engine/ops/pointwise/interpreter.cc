#include "engine/ops/pointwise/interpreter.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace gpuscope::engine::pointwise {

namespace {

// One value of the program over all output elements, or a single element
// when it does not vary (literals, one-element inputs).
struct Column {
  bool is_float = true;
  bool scalar = false;
  std::vector<double> f;
  std::vector<int64_t> i;
  double fat(int64_t e) const { return f[scalar ? 0 : size_t(e)]; }
  int64_t iat(int64_t e) const { return i[scalar ? 0 : size_t(e)]; }
};

// Rounding after each statement, as the generated kernels do it.
double normFloat(double v, DType t) { return t == DType::kFloat64 ? v : double(float(v)); }
int64_t normInt(int64_t v, DType t) {
  switch (t) {
    case DType::kInt32: return int32_t(uint32_t(uint64_t(v)));
    case DType::kInt8: return int8_t(uint8_t(uint64_t(v)));
    case DType::kUInt8: return uint8_t(uint64_t(v));
    case DType::kBool: return v != 0;
    default: return v;
  }
}
// Float -> integer conversion: truncate, saturate, NaN -> 0 (what cvt.rzi does on the GPU).
int64_t floatToInt(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
  if (v <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
  return int64_t(v);
}
double castFloat(double v, DType to) {
  switch (to) {
    case DType::kFloat16: return halfToFloat(floatToHalf(float(v)));
    case DType::kBFloat16: return bf16ToFloat(floatToBf16(float(v)));
    case DType::kFloat32: return float(v);
    default: return v;
  }
}

Column inputColumn(const HostTensor& t, const Shape& out_shape, int64_t n) {
  Column c;
  c.is_float = isFloat(t.dtype());
  int64_t count = t.elements() == 1 ? 1 : n;
  c.scalar = count == 1;
  std::vector<int64_t> off(size_t(count), 0);
  if (count > 1) {
    std::vector<int64_t> strides = broadcastStrides(t.shape(), out_shape);
    std::vector<int64_t> idx(out_shape.size(), 0);
    int64_t o = 0;
    for (int64_t e = 0; e < count; ++e) {
      off[size_t(e)] = o;
      for (int d = int(out_shape.size()) - 1; d >= 0; --d) {  // odometer step
        o += strides[size_t(d)];
        if (++idx[size_t(d)] < out_shape[size_t(d)]) break;
        o -= strides[size_t(d)] * out_shape[size_t(d)];
        idx[size_t(d)] = 0;
      }
    }
  }
  if (c.is_float) {
    c.f.resize(size_t(count));
    if (t.dtype() == DType::kFloat32) {
      for (int64_t e = 0; e < count; ++e) c.f[size_t(e)] = t.data<float>()[off[size_t(e)]];
    } else {
      for (int64_t e = 0; e < count; ++e) c.f[size_t(e)] = t.getDouble(off[size_t(e)]);
    }
  } else {
    c.i.resize(size_t(count));
    for (int64_t e = 0; e < count; ++e) c.i[size_t(e)] = t.getInt(off[size_t(e)]);
  }
  return c;
}

Column literalColumn(const Literal& l) {
  Column c;
  c.scalar = true;
  c.is_float = isFloat(l.dtype);
  if (c.is_float) c.f = {l.value};
  else c.i = {l.ivalue};
  return c;
}

Column runStatement(const Statement& st, std::span<const Column* const> args, std::span<const DType> arg_types,
                    DType out, int64_t n) {
  const OpInfo& op = *st.op;
  Column c;
  c.scalar = true;
  for (const Column* a : args) c.scalar &= a->scalar;
  int64_t count = c.scalar ? 1 : n;
  c.is_float = isFloat(out);
  if (c.is_float) c.f.resize(size_t(count));
  else c.i.resize(size_t(count));
  auto fval = [&](size_t k, int64_t e) { return args[k]->is_float ? args[k]->fat(e) : double(args[k]->iat(e)); };
  auto ival = [&](size_t k, int64_t e) { return args[k]->is_float ? floatToInt(args[k]->fat(e)) : args[k]->iat(e); };

  if (op.typing == Typing::kCast) {
    for (int64_t e = 0; e < count; ++e) {
      if (c.is_float) c.f[size_t(e)] = castFloat(fval(0, e), out);
      else if (out == DType::kBool) c.i[size_t(e)] = args[0]->is_float ? fval(0, e) != 0 : ival(0, e) != 0;  // NaN -> true
      else c.i[size_t(e)] = normInt(ival(0, e), out);
    }
    return c;
  }
  // Compute domain: the output's, except comparisons/predicates (the inputs')
  // and Pow with a float exponent (float, truncated back to an integer base type).
  bool float_domain = c.is_float;
  if (op.typing == Typing::kCompare || op.typing == Typing::kPredicate) float_domain = isFloat(arg_types[0]);
  if (op.typing == Typing::kPow) float_domain = isFloat(arg_types[0]) || isFloat(arg_types[1]);
  if (op.typing == Typing::kLogic) float_domain = false;
  bool variadic = op.max_args == 0;
  size_t na = args.size();
  for (int64_t e = 0; e < count; ++e) {
    if (float_domain) {
      double r;
      double a[3];
      if (variadic) {
        r = fval(0, e);
        for (size_t k = 1; k < na; ++k) {
          a[0] = r, a[1] = fval(k, e);
          r = normFloat(op.float_fn(a, 2, st.params), out);
        }
        if (op.name == "Mean") r = r / double(na);
      } else {
        for (size_t k = 0; k < na; ++k) a[k] = fval(k, e);
        r = op.float_fn(a, int(na), st.params);
      }
      if (c.is_float) c.f[size_t(e)] = normFloat(r, out);
      else c.i[size_t(e)] = normInt(out == DType::kBool ? int64_t(r != 0) : floatToInt(r), out);
    } else {
      int64_t r;
      int64_t a[3];
      if (variadic) {
        r = ival(0, e);
        for (size_t k = 1; k < na; ++k) {
          a[0] = r, a[1] = ival(k, e);
          r = normInt(op.int_fn(a, 2, st.params), out);
        }
      } else {
        for (size_t k = 0; k < na; ++k) a[k] = ival(k, e);
        r = op.int_fn(a, int(na), st.params);
      }
      if (c.is_float) c.f[size_t(e)] = normFloat(double(r), out);
      else c.i[size_t(e)] = normInt(r, out);
    }
  }
  return c;
}

}  // namespace

std::vector<int64_t> broadcastStrides(const Shape& in_shape, const Shape& out_shape) {
  std::vector<int64_t> out(out_shape.size(), 0);
  std::vector<int64_t> in_strides = contiguousStrides(in_shape);
  size_t off = out_shape.size() - in_shape.size();
  for (size_t d = 0; d < in_shape.size(); ++d)
    out[off + d] = in_shape[d] == 1 ? 0 : in_strides[d];
  return out;
}

Status runProgram(const Program& program, std::span<const HostTensor* const> inputs, std::span<HostTensor> outputs) {
  std::vector<DType> in_types;
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (!inputs[k]) return InvalidInput(fmt::format("pointwise program: input {} is missing", k));
    in_types.push_back(inputs[k]->dtype());
  }
  GS_ASSIGN_OR_RETURN(ProgramTypes types, inferProgramTypes(program, in_types));
  if (outputs.size() != program.outputs.size())
    return InvalidInput(fmt::format("pointwise program has {} outputs, node has {}", program.outputs.size(), outputs.size()));
  if (outputs.empty()) return OkStatus();
  const Shape& shape = outputs[0].shape();
  int64_t n = outputs[0].elements();
  for (size_t k = 0; k < outputs.size(); ++k) {
    if (outputs[k].shape() != shape || outputs[k].dtype() != types.outputs[k])
      return InvalidInput(fmt::format("pointwise program: output {} is {} {}, program makes {} {}", k,
                                      dtypeName(outputs[k].dtype()), shapeText(outputs[k].shape()),
                                      dtypeName(types.outputs[k]), shapeText(shape)));
  }
  std::vector<Column> in_cols, lit_cols, temps;
  for (const HostTensor* t : inputs) {
    std::vector<const Shape*> pair = {&t->shape(), &shape};
    GS_ASSIGN_OR_RETURN(Shape b, broadcastShapes(pair, "pointwise program"));
    if (b != shape)
      return InvalidInput(fmt::format("pointwise program: input of shape {} does not broadcast to the output shape {}",
                                      shapeText(t->shape()), shapeText(shape)));
    in_cols.push_back(inputColumn(*t, shape, n));
  }
  for (const Literal& l : program.literals) lit_cols.push_back(literalColumn(l));
  auto col = [&](const Ref& r) -> const Column* {
    switch (r.kind) {
      case RefKind::kInput: return &in_cols[size_t(r.index)];
      case RefKind::kTemp: return &temps[size_t(r.index)];
      case RefKind::kLiteral: return &lit_cols[size_t(r.index)];
    }
    return nullptr;
  };
  temps.reserve(program.statements.size());
  for (size_t k = 0; k < program.statements.size(); ++k) {
    const Statement& st = program.statements[k];
    std::vector<const Column*> args;
    std::vector<DType> arg_types;
    for (const Ref& r : st.args) {
      args.push_back(col(r));
      arg_types.push_back(refType(r, program, in_types, types));
    }
    temps.push_back(runStatement(st, args, arg_types, types.temps[k], n));
  }
  for (size_t k = 0; k < outputs.size(); ++k) {
    const Column& c = *col(program.outputs[k]);
    HostTensor& o = outputs[k];
    DType t = o.dtype();
    for (int64_t e = 0; e < n; ++e) {
      if (c.is_float) {
        if (t == DType::kFloat32) o.data<float>()[e] = float(c.fat(e));
        else o.setDouble(e, c.fat(e));
      } else if (t == DType::kInt64) {
        o.data<int64_t>()[e] = c.iat(e);
      } else {
        o.setDouble(e, double(normInt(c.iat(e), t)));
      }
    }
  }
  return OkStatus();
}

}  // namespace gpuscope::engine::pointwise
