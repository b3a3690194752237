// Building a program in code rather than from text: fusion turns ONNX
// elementwise nodes into statements (with their attributes and omitted Clip
// bounds) and folded constants into deduplicated literals.
#include "engine/ops/pointwise/program.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "engine/ops/pointwise/program_literals.h"

namespace gpuscope::engine::pointwise {

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
