// The program's text form, both ways: parseProgram (untrusted engine-file
// text -> Program, every error naming line and column) and printProgram (the
// canonical text that parses back to the same Program).
#include "engine/ops/pointwise/program.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>

#include "engine/ops/pointwise/program_literals.h"

namespace gpuscope::engine::pointwise {

namespace {

constexpr int kMaxIndex = 1 << 20;  // bounds in<k>/t<k>/c<k> so a hostile file cannot overflow

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

}  // namespace gpuscope::engine::pointwise
