#include "engine/gpu/pointwise/codegen.h"

#include <cstring>

#include <fmt/format.h>

namespace gpuscope::engine::pointwise {

namespace {

bool floatish(DType t) { return t == DType::kFloat32 || t == DType::kFloat16 || t == DType::kBFloat16; }

StatusOr<const char*> storageType(DType t) {
  switch (t) {
    case DType::kFloat32: return "float";
    case DType::kFloat16: return "__half";
    case DType::kBFloat16: return "__nv_bfloat16";
    case DType::kInt64: return "long long";
    case DType::kInt32: return "int";
    case DType::kInt8: return "signed char";
    case DType::kUInt8: return "unsigned char";
    case DType::kBool: return "unsigned char";
    default: return InvalidInput(fmt::format("generated pointwise kernels do not handle {}", dtypeName(t)));
  }
}

const char* mathType(DType t) { return floatish(t) ? "float" : t == DType::kBool ? "bool" : "i64"; }

std::string load(DType t, const std::string& x) {
  switch (t) {
    case DType::kFloat16: return "__half2float(" + x + ")";
    case DType::kBFloat16: return "__bfloat162float(" + x + ")";
    case DType::kFloat32: return x;
    case DType::kBool: return "(" + x + " != 0)";
    default: return "(i64)" + x;
  }
}

std::string store(DType t, const std::string& v) {
  switch (t) {
    case DType::kFloat16: return "__float2half_rn(" + v + ")";
    case DType::kBFloat16: return "__float2bfloat16_rn(" + v + ")";
    case DType::kFloat32: return v;
    case DType::kBool: return "(unsigned char)(" + v + " ? 1 : 0)";
    case DType::kInt32: return "(int)" + v;
    case DType::kInt8: return "(signed char)" + v;
    case DType::kUInt8: return "(unsigned char)" + v;
    default: return v;
  }
}

// Integer results wrap to their type after every statement (as the interpreter does).
std::string normInt(DType t, const std::string& v) {
  switch (t) {
    case DType::kInt32: return "(i64)(int)(" + v + ")";
    case DType::kInt8: return "(i64)(signed char)(" + v + ")";
    case DType::kUInt8: return "(i64)(unsigned char)(" + v + ")";
    default: return v;
  }
}

std::string floatLiteral(double v) {
  float f = float(v);
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return fmt::format("__int_as_float(0x{:08x})", bits);
}

std::string intLiteral(int64_t v) {
  if (v == INT64_MIN) return "(-9223372036854775807LL - 1)";
  return fmt::format("{}LL", v);
}

std::string substitute(std::string_view tmpl, const std::vector<std::string>& args, const OpParams& p) {
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (c != '$') {
      out += c;
      continue;
    }
    if (i + 1 < tmpl.size() && tmpl[i + 1] == '{') {
      size_t end = tmpl.find('}', i);
      std::string_view name = tmpl.substr(i + 2, end - i - 2);
      if (name == "alpha") out += floatLiteral(p.alpha);
      else if (name == "beta") out += floatLiteral(p.beta);
      else if (name == "gamma") out += floatLiteral(p.gamma);
      else if (name == "fmod") out += std::to_string(p.fmod);
      else if (name == "approximate") out += std::to_string(p.approximate);
      else if (name == "detect_negative") out += std::to_string(p.detect_negative);
      else if (name == "detect_positive") out += std::to_string(p.detect_positive);
      i = end;
      continue;
    }
    size_t k = size_t(tmpl[i + 1] - '0');
    out += "(" + args[k] + ")";
    ++i;
  }
  return out;
}

// The element function: math-typed inputs in, math-typed outputs by reference.
StatusOr<std::string> elementFunction(const Program& program, const KernelSpec& spec) {
  GS_ASSIGN_OR_RETURN(ProgramTypes types, inferProgramTypes(program, spec.inputs));
  std::string s = "__device__ __forceinline__ void pw_element(";
  for (size_t k = 0; k < spec.inputs.size(); ++k) s += fmt::format("{}{} x{}", k ? ", " : "", mathType(spec.inputs[k]), k);
  for (size_t k = 0; k < spec.outputs.size(); ++k)
    s += fmt::format("{}{}& y{}", spec.inputs.empty() && k == 0 ? "" : ", ", mathType(spec.outputs[k]), k);
  s += ") {\n";
  auto refExpr = [&](const Ref& r) -> std::string {
    switch (r.kind) {
      case RefKind::kInput: return fmt::format("x{}", r.index);
      case RefKind::kTemp: return fmt::format("t{}", r.index);
      case RefKind::kLiteral: {
        const Literal& l = program.literals[size_t(r.index)];
        if (isFloat(l.dtype)) return floatLiteral(l.value);
        if (l.dtype == DType::kBool) return l.ivalue ? "true" : "false";
        return intLiteral(l.ivalue);
      }
    }
    return "";
  };
  for (size_t k = 0; k < program.statements.size(); ++k) {
    const Statement& st = program.statements[k];
    const OpInfo& op = *st.op;
    DType out = types.temps[k];
    std::vector<DType> at;
    std::vector<std::string> av;
    for (const Ref& r : st.args) {
      at.push_back(refType(r, program, spec.inputs, types));
      av.push_back(refExpr(r));
    }
    for (DType t : at) GS_RETURN_IF_ERROR(storageType(t).status());
    std::string expr;
    if (op.typing == Typing::kCast) {
      DType from = at[0];
      std::string x = av[0];
      if (floatish(out)) {
        std::string f = floatish(from) ? x : from == DType::kBool ? "(" + x + " ? 1.f : 0.f)" : "(float)" + x;
        expr = fmt::format("pw_f2f({}, {})", f, out == DType::kFloat16 ? 1 : out == DType::kBFloat16 ? 2 : 0);
      } else if (out == DType::kBool) {
        expr = "(" + x + " != 0)";
      } else {
        expr = normInt(out, floatish(from) ? "pw_f2i(" + x + ")" : "(i64)" + x);
      }
    } else {
      bool fdom = floatish(out);
      if (op.typing == Typing::kCompare || op.typing == Typing::kPredicate) fdom = floatish(at[0]);
      if (op.typing == Typing::kPow) fdom = floatish(at[0]) || floatish(at[1]);
      if (op.typing == Typing::kLogic) fdom = false;
      std::vector<std::string> args;
      for (size_t i = 0; i < av.size(); ++i) {
        bool af = floatish(at[i]);
        if (fdom) args.push_back(af ? av[i] : "(float)" + av[i]);
        else args.push_back(af ? "pw_f2i(" + av[i] + ")" : "(i64)" + av[i]);
      }
      std::string_view tmpl = fdom ? op.cuda_float : op.cuda_int;
      if (op.name == "Clip") {  // absent bounds: the domain's extremes (no bound)
        if (args.size() < 2) args.push_back(fdom ? "(-__int_as_float(0x7f800000))" : "(-9223372036854775807LL - 1)");
        if (args.size() < 3) args.push_back(fdom ? "__int_as_float(0x7f800000)" : "9223372036854775807LL");
      }
      if (op.max_args == 0) {  // variadic: fold the binary template left
        expr = args[0];
        for (size_t i = 1; i < args.size(); ++i) expr = substitute(tmpl, {expr, args[i]}, st.params);
        if (op.name == "Mean") expr = fmt::format("({}) / {}", expr, floatLiteral(double(args.size())));
      } else {
        expr = substitute(tmpl, args, st.params);
      }
      if (floatish(out)) {
        if (!fdom) expr = "(float)(" + expr + ")";
      } else if (out == DType::kBool) {
        expr = "((" + expr + ") != 0)";
      } else {
        expr = normInt(out, fdom ? "pw_f2i(" + expr + ")" : expr);
      }
    }
    s += fmt::format("  const {} t{} = {};\n", mathType(out), k, expr);
  }
  for (size_t k = 0; k < program.outputs.size(); ++k) {
    const Ref& r = program.outputs[k];
    DType from = refType(r, program, spec.inputs, types);
    std::string v = refExpr(r);
    if (from != spec.outputs[k])
      return InvalidInput(fmt::format("pointwise program output {} is {}, the layer stores {}", k, dtypeName(from),
                                      dtypeName(spec.outputs[k])));
    s += fmt::format("  y{} = {};\n", k, v);
  }
  s += "}\n";
  return s;
}

}  // namespace

std::string vecEntry(int vec) { return fmt::format("pwgen_vec{}", vec); }

int vectorWidth(const std::vector<DType>& inputs, const std::vector<DType>& outputs) {
  size_t widest = 1;
  for (DType t : inputs) widest = std::max(widest, dtypeSize(t));
  for (DType t : outputs) widest = std::max(widest, dtypeSize(t));
  return int(std::min<size_t>(8, 16 / widest));
}

StatusOr<std::string> generateKernelSource(const Program& program, const KernelSpec& spec) {
  if (spec.inputs.size() > size_t(kMaxKernelInputs) || spec.outputs.size() > size_t(kMaxKernelOutputs) ||
      spec.outputs.empty())
    return InvalidInput(fmt::format("generated pointwise kernels take at most {} inputs and 1..{} outputs, got {} and {}",
                                    kMaxKernelInputs, kMaxKernelOutputs, spec.inputs.size(), spec.outputs.size()));
  if (spec.rank < 1 || spec.rank > kMaxKernelRank)
    return InvalidInput(fmt::format("generated pointwise kernels handle rank 1..{}, got {}", kMaxKernelRank, spec.rank));
  std::vector<const char*> in_st, out_st;
  for (DType t : spec.inputs) {
    GS_ASSIGN_OR_RETURN(const char* s, storageType(t));
    in_st.push_back(s);
  }
  for (DType t : spec.outputs) {
    GS_ASSIGN_OR_RETURN(const char* s, storageType(t));
    out_st.push_back(s);
  }
  GS_ASSIGN_OR_RETURN(std::string element, elementFunction(program, spec));
  const char* idx = spec.index64 ? "long long" : "unsigned int";
  std::string s(cudaPrelude());
  s += fmt::format(
      "struct PwArgs {{ const void* in[{0}]; void* out[{1}]; long long n; long long dims[{2}]; long long strides[{0}][{2}]; }};\n"
      "static_assert(sizeof(PwArgs) == {3}, \"PwArgs layout\");\n"
      "template <typename T, int N> struct alignas(sizeof(T) * N) PwVec {{ T v[N]; }};\n"
      "typedef {4} IDX;\n",
      kMaxKernelInputs, kMaxKernelOutputs, kMaxKernelRank, sizeof(KernelArgs), idx);
  s += element;

  auto callElement = [&](const std::vector<std::string>& xs) {
    std::string c = "pw_element(";
    for (size_t k = 0; k < xs.size(); ++k) c += (k ? ", " : "") + xs[k];
    for (size_t k = 0; k < spec.outputs.size(); ++k) c += fmt::format("{}y{}", xs.empty() && k == 0 ? "" : ", ", k);
    return c + ");\n";
  };

  // Generic kernel: grid-stride loop, offsets of strided inputs from the
  // coordinates of the collapsed output dims.
  s += fmt::format("extern \"C\" __global__ void __launch_bounds__(256) {}(const PwArgs a) {{\n", kGenericEntry);
  s += "  const IDX n = (IDX)a.n;\n";
  s += "  for (IDX i = (IDX)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (IDX)gridDim.x * blockDim.x) {\n";
  bool any_strided = false;
  for (Access ac : spec.access) any_strided |= ac == Access::kStrided;
  if (any_strided) {
    s += "    IDX rem = i;\n";
    for (size_t k = 0; k < spec.access.size(); ++k)
      if (spec.access[k] == Access::kStrided) s += fmt::format("    IDX o{} = 0;\n", k);
    for (int d = spec.rank - 1; d >= 0; --d) {
      std::string c = d == 0 ? "rem" : fmt::format("c{}", d);
      if (d > 0) s += fmt::format("    const IDX c{0} = rem % (IDX)a.dims[{0}]; rem /= (IDX)a.dims[{0}];\n", d);
      for (size_t k = 0; k < spec.access.size(); ++k)
        if (spec.access[k] == Access::kStrided) s += fmt::format("    o{} += {} * (IDX)a.strides[{}][{}];\n", k, c, k, d);
    }
  }
  std::vector<std::string> xs;
  for (size_t k = 0; k < spec.inputs.size(); ++k) {
    std::string off = spec.access[k] == Access::kFull ? "i" : spec.access[k] == Access::kScalar ? "0" : fmt::format("o{}", k);
    xs.push_back(fmt::format("x{}", k));
    s += fmt::format("    const {} x{} = {};\n", mathType(spec.inputs[k]), k,
                     load(spec.inputs[k], fmt::format("((const {}*)a.in[{}])[{}]", in_st[k], k, off)));
  }
  for (size_t k = 0; k < spec.outputs.size(); ++k) s += fmt::format("    {} y{};\n", mathType(spec.outputs[k]), k);
  s += "    " + callElement(xs);
  for (size_t k = 0; k < spec.outputs.size(); ++k)
    s += fmt::format("    (({}*)a.out[{}])[i] = {};\n", out_st[k], k, store(spec.outputs[k], fmt::format("y{}", k)));
  s += "  }\n}\n";

  if (spec.vec > 0) {
    int v = spec.vec;
    s += fmt::format("extern \"C\" __global__ void __launch_bounds__(256) {}(const PwArgs a) {{\n", vecEntry(v));
    s += fmt::format("  const IDX nv = (IDX)a.n / {};\n", v);
    for (size_t k = 0; k < spec.inputs.size(); ++k)
      if (spec.access[k] == Access::kScalar)
        s += fmt::format("  const {} s{} = {};\n", mathType(spec.inputs[k]), k,
                         load(spec.inputs[k], fmt::format("((const {}*)a.in[{}])[0]", in_st[k], k)));
    s += "  for (IDX j = (IDX)blockIdx.x * blockDim.x + threadIdx.x; j < nv; j += (IDX)gridDim.x * blockDim.x) {\n";
    for (size_t k = 0; k < spec.inputs.size(); ++k)
      if (spec.access[k] != Access::kScalar)
        s += fmt::format("    const PwVec<{0}, {1}> v{2} = ((const PwVec<{0}, {1}>*)a.in[{2}])[j];\n", in_st[k], v, k);
    for (size_t k = 0; k < spec.outputs.size(); ++k) s += fmt::format("    PwVec<{}, {}> r{};\n", out_st[k], v, k);
    s += fmt::format("#pragma unroll\n    for (int e = 0; e < {}; ++e) {{\n", v);
    std::vector<std::string> vx;
    for (size_t k = 0; k < spec.inputs.size(); ++k)
      vx.push_back(spec.access[k] == Access::kScalar ? fmt::format("s{}", k)
                                                     : load(spec.inputs[k], fmt::format("v{}.v[e]", k)));
    for (size_t k = 0; k < spec.outputs.size(); ++k) s += fmt::format("      {} y{};\n", mathType(spec.outputs[k]), k);
    s += "      " + callElement(vx);
    for (size_t k = 0; k < spec.outputs.size(); ++k)
      s += fmt::format("      r{}.v[e] = {};\n", k, store(spec.outputs[k], fmt::format("y{}", k)));
    s += "    }\n";
    for (size_t k = 0; k < spec.outputs.size(); ++k)
      s += fmt::format("    ((PwVec<{0}, {1}>*)a.out[{2}])[j] = r{2};\n", out_st[k], v, k);
    s += "  }\n}\n";
  }
  return s;
}

}  // namespace gpuscope::engine::pointwise
