#include "engine/ops/pointwise/program.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <cmath>
#include <cstdlib>
#include <limits>

#include <fmt/format.h>

namespace gpuscope::engine::pointwise {

namespace {

constexpr int kMaxIndex = 1 << 20;  // bounds in<k>/t<k>/c<k> so a hostile file cannot overflow


// Value of a float literal as its dtype stores it.
double roundToType(double v, DType t) {
  switch (t) {
    case DType::kFloat32: return double(float(v));
    case DType::kFloat16: return double(halfToFloat(floatToHalf(float(v))));
    case DType::kBFloat16: return double(bf16ToFloat(floatToBf16(float(v))));
    default: return v;
  }
}

std::pair<int64_t, int64_t> intRange(DType t) {
  switch (t) {
    case DType::kInt32: return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    case DType::kInt8: return {-128, 127};
    case DType::kUInt8: return {0, 255};
    case DType::kBool: return {0, 1};
    default: return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  StatusOr<Program> run() {
    Program p;
    size_t pos = 0;
    int line_no = 0;
    while (pos <= text_.size()) {
      size_t end = text_.find('\n', pos);
      if (end == std::string_view::npos) end = text_.size();
      ++line_no;
      std::string_view line = text_.substr(pos, end - pos);
      pos = end + 1;
      if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
      line_ = line;
      at_ = 0;
      line_no_ = line_no;
      skipSpace();
      if (at_ < line_.size()) GS_RETURN_IF_ERROR(statement(p));
      if (end == text_.size()) break;
    }
    for (size_t i = 0; i < out_defined_.size(); ++i)
      if (!out_defined_[i]) return error(fmt::format("out{} is never defined (outputs must be out0..out{})", i,
                                                     out_defined_.size() - 1));
    if (p.outputs.empty()) return InvalidInput("pointwise program: no outputs (expected a line 'out0 = ...')");
    return p;
  }

 private:
  Status error(const std::string& what) const {
    return InvalidInput(fmt::format("pointwise program line {}, column {}: {}", line_no_, at_ + 1, what));
  }
  void skipSpace() {
    while (at_ < line_.size() && (line_[at_] == ' ' || line_[at_] == '\t' || line_[at_] == '\r')) ++at_;
  }
  bool eat(char c) {
    skipSpace();
    if (at_ < line_.size() && line_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  std::string_view word() {  // identifier-ish token: letters, digits, '_', '.', '+', '-'
    skipSpace();
    size_t start = at_;
    while (at_ < line_.size()) {
      char c = line_[at_];
      bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '+' || c == '-';
      if (!ok) break;
      ++at_;
    }
    return line_.substr(start, at_ - start);
  }
  // "t12" -> ("t", 12); index -1 when malformed.
  static std::pair<std::string_view, int> splitName(std::string_view w) {
    size_t d = 0;
    while (d < w.size() && std::isalpha(static_cast<unsigned char>(w[d]))) ++d;
    std::string_view prefix = w.substr(0, d), digits = w.substr(d);
    if (digits.empty() || digits.size() > 7 || (digits.size() > 1 && digits[0] == '0')) return {prefix, -1};
    int v = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return {prefix, -1};
      v = v * 10 + (c - '0');
    }
    return {prefix, v < kMaxIndex ? v : -1};
  }

  StatusOr<Ref> ref(const Program& p) {
    size_t start = at_;
    std::string_view w = word();
    auto [prefix, idx] = splitName(w);
    at_ = start;
    skipSpace();
    if (idx < 0 || (prefix != "in" && prefix != "t" && prefix != "c"))
      return error(fmt::format("expected a value (in<k>, t<k> or c<k>), got '{}'", w));
    word();
    if (prefix == "in") return Ref{RefKind::kInput, idx};
    if (prefix == "t") {
      if (idx >= int(p.statements.size())) return error(fmt::format("t{} is used before it is defined", idx));
      return Ref{RefKind::kTemp, idx};
    }
    if (idx >= int(p.literals.size())) return error(fmt::format("c{} is used before it is defined", idx));
    return Ref{RefKind::kLiteral, idx};
  }

  Status literal(Program& p) {
    std::string_view num = word();
    DType t;
    bool floaty = num.find_first_of(".eEin") != std::string_view::npos;  // 1.5, 1e3, inf, nan
    if (eat(':')) {
      std::string_view tn = word();
      auto parsed = dtypeFromName(tn);
      if (!parsed) return error(fmt::format("unknown dtype '{}' (fp32, fp16, bf16, fp64, int64, int32, int8, uint8, bool)", tn));
      t = *parsed;
    } else {
      t = floaty ? DType::kFloat32 : DType::kInt64;
    }
    if (num.empty()) return error("expected a number after '='");
    std::string s(num);
    Literal lit{t, 0, 0};
    char* end = nullptr;
    errno = 0;
    if (isFloat(t)) {
      double v = std::strtod(s.c_str(), &end);
      if (end != s.c_str() + s.size()) return error(fmt::format("'{}' is not a number", num));
      lit.value = roundToType(v, t);
    } else {
      if (t == DType::kBool && (s == "true" || s == "false")) {
        lit.ivalue = s == "true";
      } else {
        long long v = std::strtoll(s.c_str(), &end, 10);
        if (end != s.c_str() + s.size() || errno == ERANGE)
          return error(fmt::format("'{}' is not an integer of type {}", num, dtypeName(t)));
        auto [lo, hi] = intRange(t);
        if (v < lo || v > hi) return error(fmt::format("{} is out of range for {}", v, dtypeName(t)));
        lit.ivalue = v;
      }
    }
    p.literals.push_back(lit);
    return OkStatus();
  }

  Status attribute(Statement& st) {
    std::string_view name = word();
    if (name.empty()) return error("expected an attribute name");
    if (!opHasAttr(*st.op, name)) return error(fmt::format("{} has no attribute '{}'", st.op->name, name));
    if (!eat('=')) return error(fmt::format("expected '=' after attribute '{}'", name));
    std::string value(word());
    if (value.empty()) return error(fmt::format("attribute '{}' has no value", name));
    char* end = nullptr;
    errno = 0;
    if (name == "alpha" || name == "beta" || name == "gamma") {
      float v = std::strtof(value.c_str(), &end);
      if (end != value.c_str() + value.size()) return error(fmt::format("attribute '{}': '{}' is not a number", name, value));
      (name == "alpha" ? st.params.alpha : name == "beta" ? st.params.beta : st.params.gamma) = v;
    } else if (name == "to") {
      auto t = dtypeFromName(value);
      if (!t) return error(fmt::format("attribute 'to': unknown dtype '{}'", value));
      st.params.to = *t;
    } else if (name == "approximate") {
      if (value != "none" && value != "tanh") return error(fmt::format("attribute 'approximate' is '{}', expected none or tanh", value));
      st.params.approximate = value == "tanh";
    } else {  // fmod, detect_negative, detect_positive: 0 or 1
      if (value != "0" && value != "1") return error(fmt::format("attribute '{}' is '{}', expected 0 or 1", name, value));
      int64_t v = value == "1";
      (name == "fmod" ? st.params.fmod : name == "detect_negative" ? st.params.detect_negative : st.params.detect_positive) = v;
    }
    return OkStatus();
  }

  Status call(Program& p) {
    Statement st;
    st.line = line_no_;
    std::string_view name = word();
    st.op = findOp(name);
    if (!st.op) return error(fmt::format("unknown op '{}'", name));
    st.params = defaultParams(*st.op);
    if (eat('[')) {
      do {
        GS_RETURN_IF_ERROR(attribute(st));
      } while (eat(','));
      if (!eat(']')) return error("expected ',' or ']' after an attribute");
    }
    if (!eat('(')) return error(fmt::format("expected '(' after {}", st.op->name));
    do {
      GS_ASSIGN_OR_RETURN(Ref r, ref(p));
      st.args.push_back(r);
    } while (eat(','));
    if (!eat(')')) return error("expected ',' or ')' in the argument list");
    int n = int(st.args.size());
    if (n < st.op->min_args || (st.op->max_args > 0 && n > st.op->max_args))
      return error(fmt::format("{} takes {}..{} arguments, got {}", st.op->name, st.op->min_args,
                               st.op->max_args > 0 ? std::to_string(st.op->max_args) : std::string("n"), n));
    p.statements.push_back(std::move(st));
    return OkStatus();
  }

  Status statement(Program& p) {
    std::string_view lhs = word();
    auto [prefix, idx] = splitName(lhs);
    if (idx < 0 || (prefix != "t" && prefix != "c" && prefix != "out"))
      return error(fmt::format("expected t<k>, c<k> or out<k> at the start of a statement, got '{}'", lhs));
    if (!eat('=')) return error(fmt::format("expected '=' after {}", lhs));
    if (prefix == "c") {
      if (idx != int(p.literals.size()))
        return error(fmt::format("literal {} defined out of order (expected c{})", lhs, p.literals.size()));
      GS_RETURN_IF_ERROR(literal(p));
    } else if (prefix == "t") {
      if (idx != int(p.statements.size()))
        return error(fmt::format("temp {} defined out of order (expected t{})", lhs, p.statements.size()));
      GS_RETURN_IF_ERROR(call(p));
    } else {
      if (size_t(idx) >= out_defined_.size()) {
        out_defined_.resize(size_t(idx) + 1, false);
        p.outputs.resize(size_t(idx) + 1);
      }
      if (out_defined_[size_t(idx)]) return error(fmt::format("{} is defined twice", lhs));
      GS_ASSIGN_OR_RETURN(Ref r, ref(p));
      p.outputs[size_t(idx)] = r;
      out_defined_[size_t(idx)] = true;
    }
    skipSpace();
    if (at_ != line_.size()) return error(fmt::format("unexpected '{}' at the end of the statement", line_.substr(at_)));
    return OkStatus();
  }

  std::string_view text_;
  std::string_view line_;
  size_t at_ = 0;
  int line_no_ = 0;
  std::vector<bool> out_defined_;
};

std::string floatText(double v) { return fmt::format("{}", v); }

}  // namespace

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

StatusOr<Program> parseProgram(std::string_view text) { return Parser(text).run(); }

std::string refText(const Ref& ref) {
  switch (ref.kind) {
    case RefKind::kInput: return fmt::format("in{}", ref.index);
    case RefKind::kTemp: return fmt::format("t{}", ref.index);
    case RefKind::kLiteral: return fmt::format("c{}", ref.index);
  }
  return "?";
}

std::string printProgram(const Program& program) {
  std::string s;
  for (size_t i = 0; i < program.literals.size(); ++i) {
    const Literal& l = program.literals[i];
    s += fmt::format("c{} = {}:{}\n", i, isFloat(l.dtype) ? floatText(l.value) : std::to_string(l.ivalue),
                     dtypeName(l.dtype));
  }
  for (size_t i = 0; i < program.statements.size(); ++i) {
    const Statement& st = program.statements[i];
    s += fmt::format("t{} = {}", i, st.op->name);
    std::string attrs;
    std::string_view list = st.op->attrs;
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view a = list.substr(0, comma);
      if (!attrs.empty()) attrs += ", ";
      const OpParams& p = st.params;
      if (a == "alpha") attrs += fmt::format("alpha={}", p.alpha);
      if (a == "beta") attrs += fmt::format("beta={}", p.beta);
      if (a == "gamma") attrs += fmt::format("gamma={}", p.gamma);
      if (a == "fmod") attrs += fmt::format("fmod={}", p.fmod);
      if (a == "approximate") attrs += fmt::format("approximate={}", p.approximate ? "tanh" : "none");
      if (a == "detect_negative") attrs += fmt::format("detect_negative={}", p.detect_negative);
      if (a == "detect_positive") attrs += fmt::format("detect_positive={}", p.detect_positive);
      if (a == "to") attrs += fmt::format("to={}", dtypeName(p.to));
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    if (!attrs.empty()) s += "[" + attrs + "]";
    s += "(";
    for (size_t a = 0; a < st.args.size(); ++a) s += (a ? ", " : "") + refText(st.args[a]);
    s += ")\n";
  }
  for (size_t i = 0; i < program.outputs.size(); ++i) s += fmt::format("out{} = {}\n", i, refText(program.outputs[i]));
  return s;
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

bool isElementwiseOp(std::string_view op) { return findOp(op) != nullptr; }

Ref addLiteral(Program& program, const Literal& literal) {
  for (size_t i = 0; i < program.literals.size(); ++i) {
    const Literal& l = program.literals[i];
    // Compare bit patterns so that -0.0 / NaN literals stay distinct and exact.
    if (l.dtype == literal.dtype && l.ivalue == literal.ivalue &&
        std::memcmp(&l.value, &literal.value, sizeof(double)) == 0)
      return Ref{RefKind::kLiteral, int(i)};
  }
  program.literals.push_back(literal);
  return Ref{RefKind::kLiteral, int(program.literals.size() - 1)};
}

Literal literalFromTensor(const HostTensor& tensor) {
  Literal l{tensor.dtype(), 0, 0};
  if (isFloat(l.dtype)) {
    l.value = tensor.getDouble(0);
  } else {
    l.ivalue = tensor.getInt(0);
  }
  return l;
}

StatusOr<Ref> appendNodeStatement(const Node& node, std::span<const std::optional<DType>> types,
                                  std::span<const Ref> args, Program& program, std::string_view where) {
  const OpInfo* op = findOp(node.op);
  if (!op) return InvalidInput(fmt::format("{}: '{}' is not an elementwise op", where, node.op));
  Statement st;
  st.op = op;
  st.params = defaultParams(*op);
  OpParams& p = st.params;
  if (opHasAttr(*op, "alpha")) p.alpha = node.attrs.getFloat("alpha", p.alpha);
  if (opHasAttr(*op, "beta")) p.beta = node.attrs.getFloat("beta", p.beta);
  if (opHasAttr(*op, "gamma")) p.gamma = node.attrs.getFloat("gamma", p.gamma);
  if (opHasAttr(*op, "fmod")) p.fmod = node.attrs.getInt("fmod", 0) != 0;
  if (opHasAttr(*op, "detect_negative")) p.detect_negative = node.attrs.getInt("detect_negative", 1) != 0;
  if (opHasAttr(*op, "detect_positive")) p.detect_positive = node.attrs.getInt("detect_positive", 1) != 0;
  if (opHasAttr(*op, "approximate")) {
    std::string a = node.attrs.getString("approximate", "none");
    if (a != "none" && a != "tanh")
      return InvalidInput(fmt::format("{}: attribute approximate is '{}', expected none or tanh", where, a));
    p.approximate = a == "tanh";
  }
  if (opHasAttr(*op, "to")) {
    if (!node.attrs.has("to")) return InvalidInput(fmt::format("{}: Cast has no 'to' attribute", where));
    auto t = dtypeFromOnnx(int32_t(node.attrs.getInt("to", 0)));
    if (!t) return InvalidInput(fmt::format("{}: Cast to ONNX type {} is not supported", where, node.attrs.getInt("to", 0)));
    p.to = *t;
  }
  if (op->name == "Clip") {
    if (types.empty() || !types[0]) return InvalidInput(fmt::format("{}: Clip has no input", where));
    DType t = *types[0];
    st.args.push_back(args[0]);
    for (int b = 1; b <= 2; ++b) {
      const char* attr = b == 1 ? "min" : "max";
      if (size_t(b) < types.size() && types[size_t(b)]) {
        st.args.push_back(args[size_t(b)]);
        continue;
      }
      Literal l{t, 0, 0};
      if (node.attrs.has(attr)) {  // Clip-6: bounds are float attributes
        float lim = node.attrs.getFloat(attr, 0);
        if (isFloat(t)) l.value = roundToType(lim, t);
        else l.ivalue = std::isnan(lim) ? 0 : int64_t(std::clamp(double(lim), -9.2e18, 9.2e18));
      } else if (isFloat(t)) {
        l.value = b == 1 ? -INFINITY : INFINITY;
      } else {
        l.ivalue = b == 1 ? intRange(t).first : intRange(t).second;
      }
      st.args.push_back(addLiteral(program, l));
    }
  } else {
    for (size_t i = 0; i < types.size(); ++i) {
      if (!types[i]) return InvalidInput(fmt::format("{}: input {} is omitted but {} needs it", where, i, op->name));
      st.args.push_back(args[i]);
    }
    int n = int(st.args.size());
    if (n < op->min_args || (op->max_args > 0 && n > op->max_args))
      return InvalidInput(fmt::format("{}: {} takes {}..{} inputs, got {}", where, op->name, op->min_args,
                                      op->max_args > 0 ? std::to_string(op->max_args) : std::string("n"), n));
  }
  program.statements.push_back(std::move(st));
  return Ref{RefKind::kTemp, int(program.statements.size() - 1)};
}

}  // namespace gpuscope::engine::pointwise
